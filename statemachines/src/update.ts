/**
 * Update: UpdateStack with new values for what changed and UsePreviousValue for everything else
 * (the API builds that list). "No updates are to be performed" is success. A failed update is
 * rolled back by CloudFormation; the cluster keeps its previous parameters and says why it failed.
 * The stack is addressed by the id its create recorded, and only if its ownership tags are this
 * cluster's; otherwise nothing is changed and the cluster says why.
 */
import { merge, sdk, STACK_ROLE, TRANSIENT_RETRY, type StateMachine } from './asl.ts';
import { guarded } from './guard.ts';
import {
  handOverPendingDelete,
  logEvent,
  recordOperationFailure,
  recordStatus,
  statusConflict,
} from './record.ts';
import { explainError, routeOnCause, findRootCause, resetPageCount } from './root-cause.ts';
import { checkOwnership, describeStack, explainNotOwned, waitForStack } from './stack.ts';

export function updateWorkflow(): StateMachine {
  return guarded(workflowBody(), {
    inProgress: 'UPDATING',
    failed: 'UPDATE_FAILED',
    recordedErrors: ['StackUpdateFailed'],
    claim: true,
  });
}

function workflowBody(): StateMachine {
  return {
    Comment: 'Update a Determined cluster stack in place and record the result (statemachines/src/update.ts)',
    StartAt: 'FindStack',
    States: merge(
      describeStack('FindStack', {
        stack: '$.stack.id',
        resultPath: '$.describe',
        next: 'StackOwners',
        onError: { resultPath: '$.error', next: 'ExplainRejection' },
      }),
      checkOwnership('StackOwners', {
        describe: '$.describe',
        owned: 'UpdateStack',
        foreign: 'ExplainNotOwned',
      }),
      explainNotOwned('ExplainNotOwned', 'RecordUpdateFailed'),
      {
        UpdateStack: {
          Type: 'Task',
          Resource: sdk('cloudformation', 'updateStack'),
          Parameters: {
            'StackName.$': '$.stack.id',
            UsePreviousTemplate: true,
            'Parameters.$': '$.stack.parameters',
            Capabilities: ['CAPABILITY_IAM'],
            RoleARN: STACK_ROLE,
            'ClientRequestToken.$': '$$.Execution.Name',
          },
          ResultSelector: { 'StackId.$': '$.StackId' },
          ResultPath: '$.updated',
          Retry: [TRANSIENT_RETRY],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'UpdateRejected' }],
          Next: 'RememberStackId',
        },
        RememberStackId: {
          Type: 'Pass',
          InputPath: '$.updated.StackId',
          ResultPath: '$.stackId',
          Next: 'UpdateStartClock',
        },
        UpdateTimedOut: {
          Type: 'Pass',
          Parameters: {
            'text.$':
              "States.Format('The stack did not finish updating within {} seconds (last status {}).', $.timing.budgetSeconds.update, $.describe.Stack.StackStatus)",
          },
          ResultPath: '$.reason',
          Next: 'RecordUpdateFailed',
        },
      },
      waitForStack({
        prefix: 'Update',
        budget: '$.timing.budgetSeconds.update',
        succeeded: ['UPDATE_COMPLETE'],
        inProgress: [
          'UPDATE_IN_PROGRESS',
          'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
          'UPDATE_ROLLBACK_IN_PROGRESS',
          'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
        ],
        onSucceeded: 'RecordUpdated',
        onFailed: 'StartRootCause',
        onTimeout: 'UpdateTimedOut',
      }),
      routeOnCause('UpdateRejected', {
        pattern: '*No updates are to be performed*',
        onMatch: 'RecordUnchanged',
        otherwise: 'ExplainRejection',
      }),
      explainError('ExplainRejection', 'CloudFormation did not accept the update', 'RecordUpdateFailed'),
      resetPageCount('StartRootCause', 'UpdateFirstEventsPage'),
      findRootCause({ prefix: 'Update', next: 'RecordUpdateFailed' }),
      recordStatus('RecordUpdated', {
        from: 'UPDATING',
        to: 'READY',
        copy: { parameters: 'pendingParameters' },
        set: { stackOutputs: { 'S.$': 'States.JsonToString($.describe.Stack.Outputs)' } },
        remove: ['pendingParameters', 'statusReason'],
        resultPath: '$.record',
        next: 'LogUpdated',
      }),
      recordStatus('RecordUnchanged', {
        from: 'UPDATING',
        to: 'READY',
        copy: { parameters: 'pendingParameters' },
        remove: ['pendingParameters', 'statusReason'],
        resultPath: '$.record',
        next: 'LogUpdated',
      }),
      logEvent(
        'LogUpdated',
        { kind: 'ready', status: 'READY', message: 'The update is complete; the cluster is ready.' },
        'UpdatedDeleteRequested',
      ),
      handOverPendingDelete('Updated', { recordPath: '$.record', done: 'Updated' }),
      recordOperationFailure({
        operation: 'Update',
        from: 'UPDATING',
        to: 'UPDATE_FAILED',
        remove: ['pendingParameters'],
        fail: {
          name: 'NotUpdated',
          error: 'StackUpdateFailed',
          cause: "The stack update failed and was rolled back; the cluster's statusReason says why.",
        },
      }),
      statusConflict(),
      {
        Updated: { Type: 'Pass', Parameters: { 'clusterId.$': '$.clusterId', status: 'READY' }, End: true },
      },
    ),
  };
}
