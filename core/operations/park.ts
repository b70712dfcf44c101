/**
 * What stop and start share: move the record into the operation's status, hand it to a new
 * execution of the operation's workflow, and record on the timeline who asked. Should the execution
 * not start, the record goes to the operation's *_FAILED status, from which a retry starts over.
 */
import type { ClusterRecord, IdleState } from '../cluster/model.ts';
import { executionName } from '../cluster/naming.ts';
import type { ClusterStatus } from '../cluster/status.ts';
import type { StartInput, StopInput } from '../workflow/inputs.ts';
import type { OperationDeps } from './deps.ts';
import { startClaimedWorkflow } from './start-workflow.ts';

export type ParkDeps = Pick<OperationDeps, 'store' | 'workflows' | 'clock' | 'settings'>;

interface Transition {
  operation: 'stop' | 'start';
  inProgress: Extract<ClusterStatus, 'STOPPING' | 'STARTING'>;
  failed: Extract<ClusterStatus, 'STOP_FAILED' | 'START_FAILED'>;
  /** Who asked (a token's subject, "the idle reaper", "the schedule"). */
  by: string;
  reason?: string;
}

/** The idle clock starts afresh: no idle time, no idle teardown warning (an expiry's warning stays). */
export function freshIdleClock(idle: IdleState): IdleState {
  const { idleSince: _since, teardownAt, teardownReason, keepAliveUntil: _until, ...rest } = idle;
  return teardownReason === 'expired' && teardownAt ? { ...rest, teardownAt, teardownReason } : rest;
}

/** Conditional on `current` being the stored record: a cluster changed meanwhile is a StaleRecordError. */
export async function startParkOperation(
  deps: ParkDeps,
  current: ClusterRecord,
  transition: Transition,
): Promise<ClusterRecord> {
  const now = deps.clock.now();
  const execution = executionName(current, transition.operation, now);
  const updated = await deps.store.update(
    current,
    { version: current.version, statuses: [current.status] },
    {
      status: transition.inProgress,
      statusReason: transition.reason ?? null,
      idle: freshIdleClock(current.idle),
      execution,
    },
  );
  const input: StopInput | StartInput = {
    team: current.team,
    clusterId: current.clusterId,
    timing: deps.settings.timing,
  };
  await startClaimedWorkflow(deps, {
    operation: transition.operation,
    execution,
    input,
    cluster: current,
    inProgress: transition.inProgress,
    release: {
      status: transition.failed,
      statusReason: `The control plane could not start the ${transition.operation} workflow; nothing was changed. Retry the ${transition.operation}.`,
    },
  });
  await deps.store.appendEvent(current, {
    at: now.toISOString(),
    source: 'control-plane',
    kind: `${transition.operation}-requested`,
    status: transition.inProgress,
    message: `${transition.by} requested ${transition.operation === 'stop' ? 'a stop' : 'a start'}${transition.reason ? `: ${transition.reason}` : ''}`,
  });
  return updated;
}
