/**
 * Create: CloudFormation creates the stack (the record is already CREATING, written by the API);
 * READY with the outputs, or CREATE_FAILED with the first failing resource and CloudFormation's reason.
 * A failed stack left by an earlier attempt with the same id is deleted first.
 */
import {
  merge,
  sdk,
  STACK_ROLE,
  TEMPLATES_BUCKET,
  TEMPLATES_DOMAIN,
  TRANSIENT_RETRY,
  type StateMachine,
} from './asl.ts';
import { guarded } from './guard.ts';
import {
  describeStack,
  explainError,
  routeOnCause,
  findRootCause,
  handOverPendingDelete,
  logEvent,
  recordOperationFailure,
  recordStatus,
  resetPageCount,
  statusConflict,
  waitForStack,
} from './blocks.ts';

const STABLE_FAILED = ['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_FAILED'];

export function createWorkflow(): StateMachine {
  return guarded(workflowBody(), {
    inProgress: 'CREATING',
    failed: 'CREATE_FAILED',
    recordedErrors: ['StackCreateFailed'],
  });
}

function workflowBody(): StateMachine {
  return {
    Comment:
      'Create a Determined cluster stack and record the result on the cluster (statemachines/src/create.ts)',
    StartAt: 'StoreTemplate',
    States: merge(
      {
        StoreTemplate: {
          Type: 'Task',
          Comment: 'Keep the exact template of this create; CloudFormation reads it from here (up to 1 MB)',
          Resource: sdk('s3', 'putObject'),
          Parameters: {
            Bucket: TEMPLATES_BUCKET,
            'Key.$': "States.Format('clusters/{}/{}.json', $.clusterId, $$.Execution.Name)",
            'Body.$': 'States.JsonToString($.stack.template)',
            ContentType: 'application/json',
          },
          ResultPath: null,
          Retry: [TRANSIENT_RETRY],
          Next: 'CreateStack',
        },
        CreateStack: {
          Type: 'Task',
          Resource: sdk('cloudformation', 'createStack'),
          Parameters: {
            'StackName.$': '$.stack.name',
            'TemplateURL.$': `States.Format('https://${TEMPLATES_DOMAIN}/clusters/{}/{}.json', $.clusterId, $$.Execution.Name)`,
            'Parameters.$': '$.stack.parameters',
            'Tags.$': '$.stack.tags',
            Capabilities: ['CAPABILITY_IAM'],
            RoleARN: STACK_ROLE,
            // Retries of this call are idempotent, and every stack event of this create carries the token.
            'ClientRequestToken.$': '$$.Execution.Name',
          },
          ResultSelector: { 'StackId.$': '$.StackId' },
          ResultPath: '$.created',
          Retry: [
            { ErrorEquals: ['CloudFormation.AlreadyExistsException'], MaxAttempts: 0 },
            TRANSIENT_RETRY,
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CreateRejected' }],
          Next: 'RememberStackId',
        },
        RememberStackId: {
          Type: 'Pass',
          InputPath: '$.created.StackId',
          ResultPath: '$.stackId',
          Next: 'RecordStackId',
        },
        ...describeStack('FindEarlierStack', {
          stack: '$.stack.name',
          resultPath: '$.earlier',
          next: 'EarlierStackFailed',
          onError: { resultPath: '$.error', next: 'ExplainRejection' },
        }),
        EarlierStackFailed: {
          Type: 'Choice',
          Choices: [
            {
              Or: STABLE_FAILED.map((status) => ({
                Variable: '$.earlier.Stack.StackStatus',
                StringEquals: status,
              })),
              Next: 'RemoveEarlierStack',
            },
          ],
          Default: 'ExplainStackInUse',
        },
        ExplainStackInUse: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('A stack named {} already exists ({}) and is not from a failed create; delete it or choose another cluster id.', $.stack.name, $.earlier.Stack.StackStatus)",
          },
          ResultPath: '$.reason',
          Next: 'RecordCreateFailed',
        },
        RemoveEarlierStack: {
          Type: 'Task',
          Resource: sdk('cloudformation', 'deleteStack'),
          Parameters: { 'StackName.$': '$.earlier.Stack.StackId' },
          ResultPath: null,
          Retry: [TRANSIENT_RETRY],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRejection' }],
          Next: 'AwaitEarlierStackRemoval',
        },
        AwaitEarlierStackRemoval: {
          Type: 'Wait',
          SecondsPath: '$.timing.pollSeconds',
          Next: 'CheckEarlierStack',
        },
        ...describeStack('CheckEarlierStack', {
          stack: '$.earlier.Stack.StackId',
          resultPath: '$.earlier',
          next: 'EarlierStackGone',
        }),
        EarlierStackGone: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.earlier.Stack.StackStatus', StringEquals: 'DELETE_COMPLETE', Next: 'CreateStack' },
            {
              Variable: '$.earlier.Stack.StackStatus',
              StringEquals: 'DELETE_IN_PROGRESS',
              Next: 'AwaitEarlierStackRemoval',
            },
          ],
          Default: 'ExplainStackInUse',
        },
        CreateTimedOut: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The stack did not finish creating within {} seconds (last status {}).', $.timing.budgetSeconds.create, $.describe.Stack.StackStatus)",
          },
          ResultPath: '$.reason',
          Next: 'RecordCreateFailed',
        },
      },
      waitForStack({
        prefix: 'Create',
        budget: '$.timing.budgetSeconds.create',
        succeeded: ['CREATE_COMPLETE'],
        inProgress: ['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'REVIEW_IN_PROGRESS'],
        onSucceeded: 'RecordReady',
        onFailed: 'StartRootCause',
        onTimeout: 'CreateTimedOut',
      }),
      routeOnCause('CreateRejected', {
        pattern: '*already exists*',
        onMatch: 'FindEarlierStack',
        otherwise: 'ExplainRejection',
      }),
      explainError('ExplainRejection', 'CloudFormation did not accept the stack', 'RecordCreateFailed'),
      resetPageCount('StartRootCause', 'CreateFirstEventsPage'),
      findRootCause({ prefix: 'Create', next: 'RecordCreateFailed' }),
      recordStatus('RecordStackId', {
        from: 'CREATING',
        set: { stackId: { 'S.$': '$.stackId' } },
        next: 'CreateStartClock',
      }),
      recordStatus('RecordReady', {
        from: 'CREATING',
        to: 'READY',
        set: { stackOutputs: { 'S.$': 'States.JsonToString($.describe.Stack.Outputs)' } },
        remove: ['statusReason'],
        resultPath: '$.record',
        next: 'LogReady',
      }),
      logEvent(
        'LogReady',
        { kind: 'ready', status: 'READY', message: 'The stack is complete; the cluster is ready.' },
        'ReadyDeleteRequested',
      ),
      handOverPendingDelete('Ready', { recordPath: '$.record', done: 'Created' }),
      recordOperationFailure({
        operation: 'Create',
        from: 'CREATING',
        to: 'CREATE_FAILED',
        fail: {
          name: 'NotCreated',
          error: 'StackCreateFailed',
          cause: "The stack could not be created; the cluster's statusReason says why.",
        },
      }),
      statusConflict(),
      {
        Created: { Type: 'Pass', Parameters: { 'clusterId.$': '$.clusterId', status: 'READY' }, End: true },
      },
    ),
  };
}
