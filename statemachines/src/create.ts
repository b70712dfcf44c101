/**
 * Create: the key pair is checked first (it exists and is not another team's), then CloudFormation
 * creates the stack (the record is already CREATING, written by the API); READY with the outputs,
 * or CREATE_FAILED with the first failing resource and CloudFormation's reason. The stack's name is
 * `<prefix><clusterId>` (core/cluster/naming.ts); should it be taken, only a failed stack of this
 * cluster's earlier attempt, recorded by id and carrying its ownership tags, is removed. Any other
 * stack of that name is never touched, and the failure does not say what state it is in.
 */
import { TEMPLATE_OBJECT } from '../../core/names/shared.ts';
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
  handOverPendingDelete,
  logEvent,
  recordOperationFailure,
  recordStatus,
  statusConflict,
} from './record.ts';
import { explainError, routeOnCause, findRootCause, resetPageCount } from './root-cause.ts';
import { checkOwnership, countTags, describeStack, waitForStack } from './stack.ts';

const STABLE_FAILED = ['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_FAILED'];
const TEMPLATE_KEY = TEMPLATE_OBJECT.asl({ stackName: '$.stack.name', execution: '$$.Execution.Name' });

export function createWorkflow(): StateMachine {
  return guarded(workflowBody(), {
    inProgress: 'CREATING',
    failed: 'CREATE_FAILED',
    recordedErrors: ['StackCreateFailed'],
    claim: true,
  });
}

/**
 * The key pair must exist, and a key pair tagged with a `team` must be the caller's. The request
 * checked it already (400); this guard catches a key pair deleted or re-tagged since, before any
 * stack exists (docs/adr/0018-key-pair-check-in-the-request.md).
 */
function checkKeyPair() {
  return merge(
    {
      CheckKeyPair: {
        Type: 'Task',
        Resource: sdk('ec2', 'describeKeyPairs'),
        Parameters: { 'KeyNames.$': 'States.Array($.keypair)' },
        ResultSelector: { 'pairs.$': '$.KeyPairs' },
        ResultPath: '$.keyPair',
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'KeyPairRejected' }],
        Next: 'KeyPairFound',
      },
      KeyPairFound: {
        Type: 'Choice',
        Choices: [{ Variable: '$.keyPair.pairs[0]', IsPresent: true, Next: 'KeyPairTeam' }],
        Default: 'ExplainNoKeyPair',
      },
      KeyPairUsable: {
        Type: 'Choice',
        Choices: [{ Variable: '$.keyPairTeam.count', NumericEquals: 0, Next: 'StoreTemplate' }],
        Default: 'ExplainNoKeyPair',
      },
      ExplainNoKeyPair: {
        Type: 'Pass',
        Parameters: {
          'text.$':
            'States.Format(\'There is no EC2 key pair named "{}" that team {} may use in this region; create the cluster again with one of yours.\', $.keypair, $.team)',
        },
        ResultPath: '$.reason',
        Next: 'RecordCreateFailed',
      },
    },
    countTags('KeyPairTeam', {
      tags: '$.keyPair.pairs[0].Tags',
      rules: [
        {
          And: [
            { Variable: '$.tag.Key', StringEquals: 'team' },
            { Not: { Variable: '$.tag.Value', StringEqualsPath: '$.team' } },
          ],
        },
      ],
      resultPath: '$.keyPairTeam',
      next: 'KeyPairUsable',
    }),
    routeOnCause('KeyPairRejected', {
      pattern: '*does not exist*',
      onMatch: 'ExplainNoKeyPair',
      otherwise: 'ExplainKeyPairError',
    }),
    explainError('ExplainKeyPairError', 'The key pair could not be checked', 'RecordCreateFailed'),
  );
}

/**
 * CreateStack found the name taken. If this create replaces a failed attempt whose stack it recorded,
 * and that stack still carries this cluster's ownership tags and is in a failed state, it is deleted
 * by id and the create tried again. Anything else is reported without the other stack's status.
 */
function replacePreviousStack() {
  return merge(
    {
      HasPreviousStack: {
        Type: 'Choice',
        Choices: [{ Variable: '$.previousStackId', IsPresent: true, Next: 'FindPreviousStack' }],
        Default: 'ExplainNameTaken',
      },
      PreviousStackState: {
        Type: 'Choice',
        Choices: [
          {
            Or: STABLE_FAILED.map((status) => ({
              Variable: '$.describe.Stack.StackStatus',
              StringEquals: status,
            })),
            Next: 'RemovePreviousStack',
          },
          {
            Variable: '$.describe.Stack.StackStatus',
            StringEquals: 'DELETE_IN_PROGRESS',
            Next: 'AwaitPreviousStackRemoval',
          },
        ],
        Default: 'ExplainNameTaken',
      },
      RemovePreviousStack: {
        Type: 'Task',
        Resource: sdk('cloudformation', 'deleteStack'),
        Parameters: { 'StackName.$': '$.previousStackId' },
        ResultPath: null,
        Retry: [TRANSIENT_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExplainRejection' }],
        Next: 'AwaitPreviousStackRemoval',
      },
      AwaitPreviousStackRemoval: {
        Type: 'Wait',
        SecondsPath: '$.timing.pollSeconds',
        Next: 'CheckPreviousStack',
      },
      PreviousStackGone: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.describe.Stack.StackStatus', StringEquals: 'DELETE_COMPLETE', Next: 'CreateStack' },
          {
            Variable: '$.describe.Stack.StackStatus',
            StringEquals: 'DELETE_IN_PROGRESS',
            Next: 'AwaitPreviousStackRemoval',
          },
        ],
        Default: 'ExplainPreviousStackStuck',
      },
      ExplainPreviousStackStuck: {
        Type: 'Pass',
        Parameters: {
          'text.$':
            "States.Format('The stack of an earlier attempt of this cluster could not be removed (it ended {}); delete the cluster, then create it again.', $.describe.Stack.StackStatus)",
        },
        ResultPath: '$.reason',
        Next: 'RecordCreateFailed',
      },
      ExplainNameTaken: {
        Type: 'Pass',
        Parameters: {
          'text.$':
            "States.Format('A stack named {} already exists and was not made for this cluster; it is left untouched. Choose another cluster id.', $.stack.name)",
        },
        ResultPath: '$.reason',
        Next: 'RecordCreateFailed',
      },
    },
    describeStack('FindPreviousStack', {
      stack: '$.previousStackId',
      resultPath: '$.describe',
      next: 'PreviousStackOwners',
      onError: { resultPath: '$.error', next: 'ExplainNameTaken' },
    }),
    checkOwnership('PreviousStackOwners', {
      describe: '$.describe',
      owned: 'PreviousStackState',
      foreign: 'ExplainNameTaken',
    }),
    describeStack('CheckPreviousStack', {
      stack: '$.previousStackId',
      resultPath: '$.describe',
      next: 'PreviousStackGone',
    }),
  );
}

function workflowBody(): StateMachine {
  return {
    Comment:
      'Create a Determined cluster stack and record the result on the cluster (statemachines/src/create.ts)',
    StartAt: 'CheckKeyPair',
    States: merge(
      checkKeyPair(),
      {
        StoreTemplate: {
          Type: 'Task',
          Comment: 'Keep the exact template of this create; CloudFormation reads it from here (up to 1 MB)',
          Resource: sdk('s3', 'putObject'),
          Parameters: {
            Bucket: TEMPLATES_BUCKET,
            'Key.$': TEMPLATE_KEY,
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
            'TemplateURL.$': `States.Format('https://${TEMPLATES_DOMAIN}/{}', ${TEMPLATE_KEY})`,
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
      replacePreviousStack(),
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
        onMatch: 'HasPreviousStack',
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
