/**
 * The safety net beyond the guard: an EventBridge rule sends "Step Functions Execution Status
 * Change" events (FAILED, TIMED_OUT, ABORTED) of the lifecycle workflows here. A cluster
 * that the stopped execution still owns (same execution name, still in progress) is marked
 * *_FAILED with a reason, so it can be retried; anything else was already recorded and is left as is.
 */
import { merge, type StateMachine, type States } from './asl.ts';
import { logEvent, recordStatus } from './record.ts';

const OPERATIONS = [
  { name: 'Create', machine: '*-create', from: 'CREATING', to: 'CREATE_FAILED' },
  { name: 'Update', machine: '*-update', from: 'UPDATING', to: 'UPDATE_FAILED' },
  { name: 'Upgrade', machine: '*-upgrade', from: 'UPDATING', to: 'UPDATE_FAILED' },
  { name: 'Delete', machine: '*-delete', from: 'DELETING', to: 'DELETE_FAILED' },
  { name: 'Stop', machine: '*-stop', from: 'STOPPING', to: 'STOP_FAILED' },
  { name: 'Start', machine: '*-start', from: 'STARTING', to: 'START_FAILED' },
];

export function executionFailureRelay(): StateMachine {
  const marks: States[] = OPERATIONS.map((operation) =>
    merge(
      recordStatus(`Mark${operation.name}Failed`, {
        from: operation.from,
        to: operation.to,
        owner: '$.stopped.execution',
        set: { statusReason: { 'S.$': '$.reason.text' } },
        next: 'LogStopped',
        onConflict: 'AlreadyRecorded',
      }),
    ),
  );
  return {
    Comment:
      'Record *_FAILED for a cluster whose workflow stopped without recording it (statemachines/src/failure-relay.ts)',
    StartAt: 'ReadEvent',
    States: merge(
      {
        ReadEvent: {
          Type: 'Pass',
          Parameters: {
            'execution.$': '$.detail.name',
            'status.$': '$.detail.status',
            'machine.$': '$.detail.stateMachineArn',
            'input.$': 'States.StringToJson($.detail.input)',
          },
          ResultPath: '$.stopped',
          Next: 'FindCluster',
        },
        // The record's key is the stopped execution's team and cluster id (every workflow input has them).
        FindCluster: {
          Type: 'Pass',
          Parameters: {
            'team.$': '$.stopped.input.team',
            'clusterId.$': '$.stopped.input.clusterId',
            'stopped.$': '$.stopped',
          },
          Next: 'Explain',
        },
        Explain: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The control plane workflow {} ended {} without recording an outcome; retry the operation.', $.stopped.execution, $.stopped.status)",
          },
          ResultPath: '$.reason',
          Next: 'WhichWorkflow',
        },
        WhichWorkflow: {
          Type: 'Choice',
          Choices: OPERATIONS.map((operation) => ({
            Variable: '$.stopped.machine',
            StringMatches: operation.machine,
            Next: `Mark${operation.name}Failed`,
          })),
          Default: 'AlreadyRecorded',
        },
        AlreadyRecorded: { Type: 'Succeed' },
        Recorded: { Type: 'Succeed' },
      },
      ...marks,
      logEvent('LogStopped', { kind: 'failed', message: '$.reason.text' }, 'Recorded'),
    ),
  };
}
