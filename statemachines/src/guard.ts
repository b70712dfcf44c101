/**
 * Every workflow runs inside one Parallel branch whose Catch is the safety net: whatever fails
 * unexpectedly (a malformed response, an exhausted retry), the cluster still ends in the operation's
 * *_FAILED status with the failing state and error as its reason, ready to be retried.
 * Failures the workflow already recorded pass through unchanged.
 */
import type { StateMachine } from './asl.ts';
import { logEvent, recordStatus, STATUS_CONFLICT } from './blocks.ts';

export interface Guard {
  /** The status the workflow works in (CREATING, UPDATING, DELETING). */
  inProgress: string;
  failed: string;
  /** Fail-state errors the workflow raises itself after recording the outcome. */
  recordedErrors: string[];
}

export function guarded(workflow: StateMachine, guard: Guard): StateMachine {
  return {
    Comment: workflow.Comment,
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Parallel',
        Branches: [{ StartAt: workflow.StartAt, States: workflow.States }],
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
            "States.Format('The control plane workflow stopped unexpectedly ({}): {}', $.crash.Error, $.crash.Cause)",
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
      Crashed: { Type: 'Fail', ErrorPath: '$.crash.Error', CausePath: '$.crash.Cause' },
    },
  };
}
