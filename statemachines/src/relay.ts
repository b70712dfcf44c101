/**
 * The fast path: an EventBridge rule sends CloudFormation's "Stack Status Change" events for
 * terminal statuses here; if a workflow is parked on the cluster (waitToken), it is woken at once.
 * The stack is mapped back to its cluster by its id, through the table's keys-only `by-stack` index
 * (the name holds a hash of the team, not the team): stacks the control plane did not record find
 * no cluster, and a stack id never names another cluster's record.
 */
import { CLUSTER_RECORD } from '../../core/names/shared.ts';
import { DDB_GET, sdk, TABLE, type StateMachine } from './asl.ts';

const RETRY = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 1,
  MaxAttempts: 2,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

export function stackEventRelay(): StateMachine {
  return {
    Comment:
      'Wake the workflow waiting on a stack when CloudFormation reports a terminal status (statemachines/src/relay.ts)',
    StartAt: 'ReadEvent',
    States: {
      ReadEvent: {
        Type: 'Pass',
        Parameters: {
          'stackId.$': "$.detail['stack-id']",
          'status.$': "$.detail['status-details'].status",
        },
        Next: 'FindCluster',
      },
      FindCluster: {
        Type: 'Task',
        Resource: sdk('dynamodb', 'query'),
        Parameters: {
          TableName: TABLE,
          IndexName: 'by-stack',
          KeyConditionExpression: '#stackId = :stackId',
          ExpressionAttributeNames: { '#stackId': 'stackId' },
          ExpressionAttributeValues: { ':stackId': { 'S.$': '$.stackId' } },
        },
        ResultSelector: { 'items.$': '$.Items' },
        ResultPath: '$.found',
        Retry: [RETRY],
        Next: 'IsKnown',
      },
      IsKnown: {
        Type: 'Choice',
        Choices: [{ Variable: '$.found.items[0].pk.S', IsPresent: true, Next: 'FindWaitingWorkflow' }],
        Default: 'NobodyWaiting',
      },
      // The index is eventually consistent; the record itself is read consistently.
      FindWaitingWorkflow: {
        Type: 'Task',
        Resource: DDB_GET,
        Parameters: {
          TableName: TABLE,
          Key: { pk: { 'S.$': '$.found.items[0].pk.S' }, sk: { S: CLUSTER_RECORD.sk } },
          ProjectionExpression: 'waitToken, stackId',
          ConsistentRead: true,
        },
        ResultPath: '$.record',
        Retry: [RETRY],
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
