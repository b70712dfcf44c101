/**
 * What the reaper does with one STOPPED cluster (pure; the clock is given). A database that AWS
 * started again by itself (it does so after seven days stopped) is stopped again; an expired cluster
 * is warned and deleted after the grace, even when protected (`expiresAt` is a hard limit); a cluster
 * left stopped longer than the team's `stoppedTeardownAfter` is warned and deleted, data kept, unless
 * it is protected. Starting the cluster during the grace withdraws that warning.
 */
import type { IdleState } from '../cluster/model.ts';
import { parseDuration } from '../cluster/duration.ts';

export interface StoppedSubject {
  idle: IdleState;
  protected: boolean;
  stoppedAt?: string;
  /** The team policy's stoppedTeardownAfter: a duration, or "never". */
  stoppedTeardownAfter: string;
}

/** RDS statuses of a database that AWS is starting, or has started, behind a stopped cluster's back. */
const RUNNING_AGAIN = ['starting', 'available'];

export type StoppedDecision =
  | { kind: 'none' }
  | { kind: 'warn'; idle: IdleState; reason: 'expired' | 'stopped'; message: string }
  | { kind: 'cancel'; idle: IdleState; message: string }
  /** Stop again: the workflow stops the database (and makes sure the rest is still stopped). */
  | { kind: 'restop'; reason: string }
  | { kind: 'teardown'; reason: string; action: 'delete' };

export function decideStopped(
  subject: StoppedSubject,
  observed: { database?: string },
  now: Date,
  graceSeconds: number,
): StoppedDecision {
  const { idle } = subject;
  const at = now.getTime();
  const warned = idle.teardownAt !== undefined;
  const due = warned && Date.parse(idle.teardownAt ?? '') <= at;
  const expired = idle.expiresAt !== undefined && Date.parse(idle.expiresAt) <= at;

  if (due && (idle.teardownReason === 'expired' || expired)) {
    return { kind: 'teardown', reason: `expired at ${idle.expiresAt}`, action: 'delete' };
  }
  if (observed.database !== undefined && RUNNING_AGAIN.includes(observed.database)) {
    return {
      kind: 'restop',
      reason: `AWS started the stopped database again (it is ${observed.database}; RDS does so after 7 days stopped)`,
    };
  }
  if (expired && idle.teardownReason !== 'expired') {
    const teardownAt = new Date(at + graceSeconds * 1000).toISOString();
    return {
      kind: 'warn',
      idle: { ...idle, teardownAt, teardownReason: 'expired' },
      reason: 'expired',
      message: `The cluster expired at ${idle.expiresAt}; teardown at ${teardownAt} (data is kept).`,
    };
  }
  if (expired) return { kind: 'none' };

  if (subject.protected) {
    if (!warned) return { kind: 'none' };
    const { teardownAt: _at, teardownReason: _reason, ...rest } = idle;
    return { kind: 'cancel', idle: rest, message: 'Teardown cancelled: the cluster is protected.' };
  }
  const limit =
    subject.stoppedTeardownAfter === 'never' ? undefined : parseDuration(subject.stoppedTeardownAfter);
  if (limit === undefined || subject.stoppedAt === undefined) return { kind: 'none' };
  if (at - Date.parse(subject.stoppedAt) < limit * 1000) return { kind: 'none' };
  if (due) {
    return {
      kind: 'teardown',
      reason: `stopped since ${subject.stoppedAt} (stoppedTeardownAfter ${subject.stoppedTeardownAfter})`,
      action: 'delete',
    };
  }
  if (warned) return { kind: 'none' };
  const teardownAt = new Date(at + graceSeconds * 1000).toISOString();
  return {
    kind: 'warn',
    idle: { ...idle, teardownAt, teardownReason: 'stopped' },
    reason: 'stopped',
    message: `The cluster has been stopped since ${subject.stoppedAt} (stoppedTeardownAfter ${subject.stoppedTeardownAfter}); teardown at ${teardownAt} unless it is started (data is kept).`,
  };
}
