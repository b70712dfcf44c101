/**
 * The fast path: an EventBridge rule sends CloudFormation's "Stack Status Change" events for
 * terminal statuses here; if a workflow is parked on the cluster (waitToken), it is woken at once.
 * Stacks the control plane does not manage simply find no cluster record.
 */
import { DDB_GET, sdk, TABLE, type StateMachine } from './asl.ts';

export function stackEventRelay(): StateMachine {
  return {
    Comment:
      'Wake the workflow waiting on a stack when CloudFormation reports a terminal status (statemachines/src/relay.ts)',
    StartAt: 'ReadEvent',
    States: {
      ReadEvent: {
        Type: 'Pass',
        Parameters: {
          'clusterId.$': "States.ArrayGetItem(States.StringSplit($.detail['stack-id'], '/'), 1)",
          'stackId.$': "$.detail['stack-id']",
          'status.$': "$.detail['status-details'].status",
        },
        Next: 'FindWaitingWorkflow',
      },
      FindWaitingWorkflow: {
        Type: 'Task',
        Resource: DDB_GET,
        Parameters: {
          TableName: TABLE,
          Key: { pk: { 'S.$': "States.Format('CLUSTER#{}', $.clusterId)" }, sk: { S: 'CLUSTER' } },
          ProjectionExpression: 'waitToken, stackId',
        },
        ResultPath: '$.record',
        Retry: [
          {
            ErrorEquals: ['States.TaskFailed'],
            IntervalSeconds: 1,
            MaxAttempts: 2,
            BackoffRate: 2,
            JitterStrategy: 'FULL',
          },
        ],
        Next: 'IsWaiting',
      },
      IsWaiting: {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.record.Item.waitToken', IsPresent: true },
              { Variable: '$.record.Item.stackId.S', IsPresent: true },
            ],
            Next: 'SameStack',
          },
        ],
        Default: 'NobodyWaiting',
      },
      SameStack: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.record.Item.stackId.S', StringEqualsPath: '$.stackId', Next: 'WakeWorkflow' },
        ],
        Default: 'NobodyWaiting',
      },
      WakeWorkflow: {
        Type: 'Task',
        Resource: sdk('sfn', 'sendTaskSuccess'),
        Parameters: {
          'TaskToken.$': '$.record.Item.waitToken.S',
          'Output.$': "States.JsonToString($$.Execution.Input.detail['status-details'])",
        },
        // A token already used or timed out is no longer waited on: nothing to do.
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'NobodyWaiting' }],
        ResultPath: null,
        End: true,
      },
      NobodyWaiting: { Type: 'Succeed' },
    },
  };
}
