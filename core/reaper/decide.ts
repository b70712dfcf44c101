/**
 * What the reaper does with one READY cluster, from what it observed (pure; the clock is given).
 * Idle clusters are warned first and stopped or torn down (the team's idleAction) after a grace period; a keepalive or new activity
 * during the grace cancels an idle teardown; an expired cluster goes even when busy or protected
 * (`expiresAt` is a hard limit); a protected one is exempt from idle actions only.
 */
import type { IdleState } from '../cluster/model.ts';
import { parseDuration } from '../cluster/duration.ts';

export type MasterSignal = 'reachable' | 'unreachable';

/**
 * Idleness is judged by agents: Determined runs every task on an agent, and a queued task makes the
 * master launch one (docs/adr/0019-reaper-probe-without-credentials.md).
 */
export interface Activity {
  /** Dynamic agents of the cluster that are pending or running. */
  agents: number;
  /** Whether the master answered an unauthenticated probe; undefined when it was not asked. */
  master?: MasterSignal;
}

export interface ReapSubject {
  idle: IdleState;
  protected: boolean;
  /** The team policy's idleAction: an idle cluster is stopped (parked) or deleted after the grace. */
  idleAction: 'stop' | 'delete';
}

export type Decision =
  | { kind: 'none' }
  /** Record the idle clock (idleSince set, or cleared on activity). */
  | { kind: 'track'; idle: IdleState; note?: string }
  /** Warn: teardown at `idle.teardownAt` unless cancelled. */
  | { kind: 'warn'; idle: IdleState; reason: 'idle' | 'expired'; message: string }
  /** The warning is withdrawn (activity or keepalive). */
  | { kind: 'cancel'; idle: IdleState; message: string }
  /** Idle past the grace: stop or delete per the idleAction; expired: delete (data kept). */
  | { kind: 'teardown'; reason: string; action: 'stop' | 'delete' };

export function isBusy(subject: ReapSubject, activity: Activity, now: Date): boolean {
  const keptAlive =
    subject.idle.keepAliveUntil !== undefined && Date.parse(subject.idle.keepAliveUntil) > now.getTime();
  return keptAlive || activity.agents > 0;
}

export function decide(subject: ReapSubject, activity: Activity, now: Date, graceSeconds: number): Decision {
  const { idle } = subject;
  const at = now.getTime();
  const busy = isBusy(subject, activity, now);
  const expired = idle.expiresAt !== undefined && Date.parse(idle.expiresAt) <= at;
  const withoutWarning = (state: IdleState): IdleState => {
    const { teardownAt: _at, teardownReason: _reason, ...rest } = state;
    return rest;
  };

  if (idle.teardownAt !== undefined && (idle.teardownReason === 'expired' || expired)) {
    const due = Date.parse(idle.teardownAt) <= at;
    return due
      ? { kind: 'teardown', reason: `expired at ${idle.expiresAt}`, action: 'delete' }
      : { kind: 'none' };
  }

  if (expired) {
    const teardownAt = new Date(at + graceSeconds * 1000).toISOString();
    return {
      kind: 'warn',
      idle: { ...idle, teardownAt, teardownReason: 'expired' },
      reason: 'expired',
      message: `The cluster expired at ${idle.expiresAt}; teardown at ${teardownAt} (data is kept).`,
    };
  }

  if (subject.protected) {
    // Protected since an idle warning was given: the warning no longer stands.
    if (idle.teardownAt === undefined) return { kind: 'none' };
    const { idleSince: _since, ...rest } = withoutWarning(idle);
    return { kind: 'cancel', idle: rest, message: 'Teardown cancelled: the cluster is protected.' };
  }

  if (idle.teardownAt !== undefined) {
    const due = Date.parse(idle.teardownAt) <= at;
    if (busy) {
      const { idleSince: _since, ...rest } = withoutWarning(idle);
      return { kind: 'cancel', idle: rest, message: 'Teardown cancelled: the cluster is in use again.' };
    }
    return due
      ? {
          kind: 'teardown',
          reason: `idle since ${idle.idleSince} (idleTimeout ${idle.idleTimeout})`,
          action: subject.idleAction,
        }
      : { kind: 'none' };
  }

  if (busy) {
    if (idle.idleSince === undefined) return { kind: 'none' };
    const { idleSince: _since, ...rest } = idle;
    return { kind: 'track', idle: rest, note: 'The cluster is in use again; idle clock reset.' };
  }

  if (idle.idleSince === undefined) {
    const note =
      activity.master === 'unreachable'
        ? 'The cluster is idle (no agents); its master did not answer at its recorded address.'
        : 'The cluster is idle (no agents).';
    return { kind: 'track', idle: { ...idle, idleSince: now.toISOString() }, note };
  }

  const timeout = idle.idleTimeout === 'never' ? undefined : parseDuration(idle.idleTimeout);
  if (timeout === undefined || at - Date.parse(idle.idleSince) < timeout * 1000) return { kind: 'none' };
  const teardownAt = new Date(at + graceSeconds * 1000).toISOString();
  const unanswered =
    activity.master === 'unreachable' ? ' Its master does not answer at its recorded address.' : '';
  return {
    kind: 'warn',
    idle: { ...idle, teardownAt, teardownReason: 'idle' },
    reason: 'idle',
    message:
      subject.idleAction === 'stop'
        ? `The cluster has been idle since ${idle.idleSince} (idleTimeout ${idle.idleTimeout}); it will be stopped at ${teardownAt} unless it is used or kept alive (nothing is lost: start it again any time).${unanswered}`
        : `The cluster has been idle since ${idle.idleSince} (idleTimeout ${idle.idleTimeout}); teardown at ${teardownAt} unless it is used or kept alive (data is kept).${unanswered}`,
  };
}
