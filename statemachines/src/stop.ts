/**
 * Stop (park): the master and the bastion are stopped first, so the master launches no agents
 * meanwhile; the master's dynamic agents are terminated and their spot requests cancelled; the
 * database is stopped; STOPPED once all three are confirmed. The stack, bucket, volumes and
 * addresses stay. Every step is idempotent: a stop after a failed stop or start finishes the job.
 * The stack is the one the create recorded, addressed by id, and only if its ownership tags are
 * this cluster's.
 */
import { merge, sdk, TRANSIENT_RETRY, type StateMachine } from './asl.ts';
import { clearAgents } from './agents.ts';
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

const BUDGET = '$.timing.budgetSeconds.stop';

export function stopWorkflow(): StateMachine {
  return guarded(workflowBody(), {
    inProgress: 'STOPPING',
    failed: 'STOP_FAILED',
    recordedErrors: ['ClusterStopFailed'],
    claim: true,
  });
}

function workflowBody(): StateMachine {
  return {
    Comment:
      'Park a Determined cluster: agents terminated, master and database stopped (statemachines/src/stop.ts)',
    StartAt: 'ReadCluster',
    States: merge(
      findParts({ next: 'StopInstances', failed: 'RecordStopFailed', verb: 'stop' }),
      {
        StopInstances: {
          Type: 'Task',
          Comment: 'The master first: a stopped master launches no agents while they are terminated',
          Resource: sdk('ec2', 'stopInstances'),
          Parameters: { 'InstanceIds.$': '$.parts.instances' },
          ResultPath: null,
          Retry: [TRANSIENT_RETRY],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainStopRejected' }],
          Next: 'FindAgents',
        },
      },
      explainError('ExplainStopRejected', 'EC2 did not stop the master', 'RecordStopFailed'),
      clearAgents({ budget: BUDGET, done: 'DescribeDatabase', stuck: 'RecordStopFailed' }),
      driveDatabase({
        target: 'stopped',
        next: 'DescribeInstances',
        failed: 'RecordStopFailed',
        budget: BUDGET,
      }),
      {
        InstancesState: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.instances.gone[0]', IsPresent: true, Next: 'ExplainInstanceGone' },
            { Variable: '$.instances.leaving[0]', IsPresent: true, Next: 'ExplainInstanceGone' },
            { Variable: '$.instances.pending[0]', IsPresent: true, Next: 'InstancesStopping' },
          ],
          Default: 'RecordStopped',
        },
        ExplainInstancesTimeout: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The master did not stop within {} seconds (still running: {}).', $.timing.budgetSeconds.stop, States.JsonToString($.instances.pending))",
          },
          ResultPath: '$.reason',
          Next: 'RecordStopFailed',
        },
        Stopped: {
          Type: 'Pass',
          Parameters: { 'clusterId.$': '$.clusterId', status: 'STOPPED' },
          End: true,
        },
      },
      describeInstances('DescribeInstances', { target: 'stopped', next: 'InstancesState' }),
      explainInstanceGone('ExplainInstanceGone', 'RecordStopFailed'),
      pollRound('InstancesStopping', {
        budget: BUDGET,
        next: 'DescribeInstances',
        onTimeout: 'ExplainInstancesTimeout',
      }),
      recordStatus('RecordStopped', {
        from: 'STOPPING',
        to: 'STOPPED',
        // Stopped since the first stop: stopping again (a database AWS restarted) keeps the date.
        setIfAbsent: { stoppedAt: { 'S.$': '$$.State.EnteredTime' } },
        resultPath: '$.record',
        next: 'LogStopped',
      }),
      logEvent(
        'LogStopped',
        {
          kind: 'stopped',
          status: 'STOPPED',
          message:
            'Agents terminated, master and database stopped; the cluster costs only its storage until it is started.',
        },
        'StoppedDeleteRequested',
      ),
      handOverPendingDelete('Stopped', { recordPath: '$.record', done: 'Stopped' }),
      recordOperationFailure({
        operation: 'Stop',
        from: 'STOPPING',
        to: 'STOP_FAILED',
        fail: {
          name: 'NotStopped',
          error: 'ClusterStopFailed',
          cause: 'The cluster could not be stopped; its statusReason says why. Retry the stop, or start it.',
        },
      }),
      statusConflict(),
    ),
  };
}
