/**
 * The watchdog's role (functions/watchdog/): list the running executions of every lifecycle workflow
 * (the standard state machines of serverless.yml, so a new workflow is watched once rendered), and
 * report a failed run to the async-failures queue. For the lost-event sweep
 * (core/workflow/lost-events.ts): read an execution's input, the parked token on its cluster
 * record, its stack's status, and return the token. For the stranded-record sweep
 * (core/workflow/stranded.ts): list in-progress records, release those with no workflow, and start
 * again a delete that never started.
 */
import { arn, getAtt, join, ref, type Resources } from './cfn.ts';
import type { ServiceShape } from './service.ts';

export function watchdogRoleResources(shape: ServiceShape): Resources {
  return {
    WatchdogFunctionRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
          ],
        },
        Policies: [
          {
            PolicyName: 'logs',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: arn('logs', 'log-group:/aws/lambda/', ref('AWS::StackName'), '-*:*'),
                },
              ],
            },
          },
          {
            PolicyName: 'list-running-workflows',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'RunningExecutions',
                  Effect: 'Allow',
                  Action: ['states:ListExecutions'],
                  Resource: shape.stateMachines
                    .filter((machine) => !machine.express)
                    .map((machine) => ref(machine.logicalId)),
                },
                {
                  Sid: 'ExecutionInputs',
                  Effect: 'Allow',
                  Action: ['states:DescribeExecution'],
                  Resource: arn('states', 'execution:', ref('AWS::StackName'), '-*:*'),
                },
                {
                  // A task token is not an ARN: SendTaskSuccess names no resource in IAM.
                  Sid: 'WakeParkedWorkflows',
                  Effect: 'Allow',
                  Action: ['states:SendTaskSuccess'],
                  Resource: '*',
                },
                {
                  Sid: 'ParkedTokens',
                  Effect: 'Allow',
                  Action: ['dynamodb:GetItem'],
                  Resource: getAtt('ClustersTable', 'Arn'),
                },
                {
                  // The stranded-record sweep (core/workflow/stranded.ts): in-progress records, and
                  // their release to a retryable *_FAILED status (conditional writes).
                  Sid: 'StrandedRecords',
                  Effect: 'Allow',
                  Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
                  Resource: [
                    getAtt('ClustersTable', 'Arn'),
                    join([getAtt('ClustersTable', 'Arn'), '/index/by-created']),
                  ],
                },
                {
                  // A delete whose workflow never started is started again (core/workflow/stranded.ts):
                  // the delete workflow, and the timeline entry saying so.
                  Sid: 'RestartDeletes',
                  Effect: 'Allow',
                  Action: ['states:StartExecution'],
                  Resource: ref('DeleteClusterStateMachine'),
                },
                {
                  Sid: 'RestartDeletesTimeline',
                  Effect: 'Allow',
                  Action: ['dynamodb:PutItem'],
                  Resource: getAtt('ClustersTable', 'Arn'),
                },
                {
                  Sid: 'StackStatus',
                  Effect: 'Allow',
                  Action: ['cloudformation:DescribeStacks'],
                  Resource: arn('cloudformation', 'stack/${param:stackPrefix}*/*'),
                },
                {
                  Sid: 'FailedRuns',
                  Effect: 'Allow',
                  Action: ['sqs:SendMessage'],
                  Resource: getAtt('AsyncFailuresQueue', 'Arn'),
                },
              ],
            },
          },
        ],
      },
    },
  };
}
