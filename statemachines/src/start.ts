/**
 * Start (resume): the database first, and the master only once the database is available (the
 * master connects to it at boot); the master's boot tag is cleared before the master starts, and
 * the cluster is READY only when the boot writes it again, after Determined answered GET /info
 * with the stack's version (docs/adr/0026-stop-and-start.md). The master keeps its instance, so its
 * address (the Elastic IP, or in secure the private address) and the master URL stay the same.
 * A master whose boot reports a failure, or that does not answer within the budget, ends
 * START_FAILED with the reason, from which start (or stop) can be retried.
 */
import { merge, sdk, TRANSIENT_RETRY, type StateMachine } from './asl.ts';
import { awaitBoot, forgetBoot } from './boot.ts';
import { guarded } from './guard.ts';
import {
  handOverPendingDelete,
  logEvent,
  recordOperationFailure,
  recordStatus,
  statusConflict,
} from './record.ts';
import { explainError } from './root-cause.ts';
import { describeInstances, driveDatabase, explainInstanceGone, findParts, pollRound } from './park.ts';

const BUDGET = '$.timing.budgetSeconds.start';

export function startWorkflow(): StateMachine {
  return guarded(workflowBody(), {
    inProgress: 'STARTING',
    failed: 'START_FAILED',
    recordedErrors: ['ClusterStartFailed'],
    claim: true,
  });
}

function workflowBody(): StateMachine {
  return {
    Comment:
      'Resume a parked Determined cluster: database, then master, READY when Determined answers (statemachines/src/start.ts)',
    StartAt: 'ReadCluster',
    States: merge(
      findParts({ next: 'DescribeDatabase', failed: 'RecordStartFailed', verb: 'start' }),
      driveDatabase({
        target: 'available',
        next: 'DescribeInstances',
        failed: 'RecordStartFailed',
        budget: BUDGET,
        consequence: '; the master was not started',
      }),
      {
        InstancesState: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.instances.gone[0]', IsPresent: true, Next: 'ExplainInstanceGone' },
            { Variable: '$.instances.leaving[0]', IsPresent: true, Next: 'ExplainInstanceGone' },
            { Variable: '$.instances.stopped[0]', IsPresent: true, Next: 'MasterStopped' },
            // pending, or stopping (a stop that failed half-way): wait until it settles.
            { Variable: '$.instances.pending[0]', IsPresent: true, Next: 'InstancesSettling' },
          ],
          Default: 'ReadBoot',
        },
        MasterStopped: {
          Type: 'Pass',
          Comment: 'The bastion may be stopped while the master runs: its boot report then still stands',
          Parameters: { 'stopped.$': 'States.ArrayContains($.instances.stopped, $.parts.masterId)' },
          ResultPath: '$.master',
          Next: 'MasterBoots',
        },
        MasterBoots: {
          Type: 'Choice',
          Choices: [{ Variable: '$.master.stopped', BooleanEquals: true, Next: 'ForgetBoot' }],
          Default: 'StartInstances',
        },
        StartInstances: {
          Type: 'Task',
          Resource: sdk('ec2', 'startInstances'),
          Parameters: { 'InstanceIds.$': '$.instances.stopped' },
          ResultPath: null,
          Retry: [TRANSIENT_RETRY],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainStartRejected' }],
          Next: 'DescribeInstances',
        },
        ExplainInstancesTimeout: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The master was not running within {} seconds (still waiting for: {}).', $.timing.budgetSeconds.start, States.JsonToString($.instances.pending))",
          },
          ResultPath: '$.reason',
          Next: 'RecordStartFailed',
        },
        ExplainBootFailed: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The master {} started, but its boot reported: {}. Retry the start, or stop the cluster.', $.parts.masterId, States.ArrayGetItem($.boot.values, 0))",
          },
          ResultPath: '$.reason',
          Next: 'RecordStartFailed',
        },
        ExplainNoAnswer: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The master {} is running, but Determined did not answer GET /info within {} seconds (its log is the determined-master stream of the stack log group). Retry the start, or stop the cluster.', $.parts.masterId, $.timing.budgetSeconds.start)",
          },
          ResultPath: '$.reason',
          Next: 'RecordStartFailed',
        },
        Started: { Type: 'Pass', Parameters: { 'clusterId.$': '$.clusterId', status: 'READY' }, End: true },
      },
      describeInstances('DescribeInstances', { target: 'running', next: 'InstancesState' }),
      explainInstanceGone('ExplainInstanceGone', 'RecordStartFailed'),
      explainError('ExplainStartRejected', 'EC2 did not start the master', 'RecordStartFailed'),
      pollRound('InstancesSettling', {
        budget: BUDGET,
        next: 'DescribeInstances',
        onTimeout: 'ExplainInstancesTimeout',
      }),
      forgetBoot('ForgetBoot', { next: 'StartInstances', onError: 'ExplainStartRejected' }),
      awaitBoot('', {
        budget: BUDGET,
        answered: 'RecordReady',
        bootFailed: 'ExplainBootFailed',
        noAnswer: 'ExplainNoAnswer',
      }),
      recordStatus('RecordReady', {
        from: 'STARTING',
        to: 'READY',
        set: { stackOutputs: { 'S.$': 'States.JsonToString($.describe.Stack.Outputs)' } },
        remove: ['statusReason', 'stoppedAt'],
        resultPath: '$.record',
        next: 'LogReady',
      }),
      logEvent(
        'LogReady',
        { kind: 'ready', status: 'READY', message: 'Determined answers again; the cluster is ready.' },
        'StartedDeleteRequested',
      ),
      handOverPendingDelete('Started', { recordPath: '$.record', done: 'Started' }),
      recordOperationFailure({
        operation: 'Start',
        from: 'STARTING',
        to: 'START_FAILED',
        fail: {
          name: 'NotStarted',
          error: 'ClusterStartFailed',
          cause: 'The cluster could not be started; its statusReason says why. Retry the start, or stop it.',
        },
      }),
      statusConflict(),
    ),
  };
}
