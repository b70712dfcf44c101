/**
 * Every workflow runs inside one Parallel branch whose Catch is the safety net: whatever fails
 * unexpectedly (a service error that outlasts its retries, a task timeout), the cluster still ends in
 * the operation's *_FAILED status, ready to be retried. The reason names the error and the execution,
 * not the error's text: that text can name the control plane's own roles and resources, and the
 * operators read it in the execution history. Failures the workflow already recorded pass through.
 * States.Runtime (a path that matches nothing) is beyond any Catch on AWS: the workflows read only
 * what the services always return, and check optional fields with IsPresent first.
 */
import { merge, type StateMachine } from './asl.ts';
import { claimRecord, logEvent, recordStatus, STATUS_CONFLICT } from './record.ts';

export interface Guard {
  /** The status the workflow works in (CREATING, UPDATING, DELETING). */
  inProgress: string;
  failed: string;
  /** Fail-state errors the workflow raises itself after recording the outcome. */
  recordedErrors: string[];
  /**
   * Claim the record before anything else (statemachines/src/record.ts claimRecord): for the
   * workflows a request starts through core/operations/start-workflow.ts.
   */
  claim?: boolean;
}

export function guarded(workflow: StateMachine, guard: Guard): StateMachine {
  return {
    Comment: workflow.Comment,
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Parallel',
        Branches: [
          guard.claim
            ? {
                StartAt: 'ClaimRecord',
                States: merge(
                  claimRecord('ClaimRecord', { from: guard.inProgress, next: workflow.StartAt }),
                  workflow.States,
                ),
              }
            : { StartAt: workflow.StartAt, States: workflow.States },
        ],
        ResultSelector: { 'result.$': '$[0]' },
        OutputPath: '$.result',
        Catch: [
          {
            ErrorEquals: [...guard.recordedErrors, STATUS_CONFLICT],
            ResultPath: '$.crash',
            Next: 'Recorded',
          },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: 'ExplainCrash' },
        ],
        End: true,
      },
      Recorded: { Type: 'Fail', ErrorPath: '$.crash.Error', CausePath: '$.crash.Cause' },
      ExplainCrash: {
        Type: 'Pass',
        Parameters: {
          'text.$':
            "States.Format('The control plane workflow stopped unexpectedly ({}); retry the operation. Operators find the details in execution {}.', $.crash.Error, $$.Execution.Name)",
        },
        ResultPath: '$.reason',
        Next: 'RecordCrash',
      },
      ...recordStatus('RecordCrash', {
        from: guard.inProgress,
        to: guard.failed,
        set: { statusReason: { 'S.$': '$.reason.text' } },
        next: 'LogCrash',
        onConflict: 'Crashed',
      }),
      ...logEvent('LogCrash', { kind: 'failed', status: guard.failed, message: '$.reason.text' }, 'Crashed'),
      // Not every error has a Cause, and a CausePath that matches nothing would fail this state.
      Crashed: {
        Type: 'Fail',
        ErrorPath: '$.crash.Error',
        Cause: 'The workflow stopped unexpectedly; the cluster records the failure.',
      },
    },
  };
}
