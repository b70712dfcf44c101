import { decide, type Activity, type ReapSubject } from '../../../core/reaper/decide.ts';

const now = new Date('2026-11-28T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const inMinutes = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
const idle: Activity = { agents: 0, master: 'reachable' };
const GRACE = 600;

const subject = (
  fields: Partial<ReapSubject['idle']> & { protected?: boolean; idleAction?: 'stop' | 'delete' } = {},
): ReapSubject => {
  const { protected: isProtected = false, idleAction = 'delete', ...idleFields } = fields;
  return { protected: isProtected, idleAction, idle: { idleTimeout: '1h', ...idleFields } };
};

describe('the reaper’s decision for one cluster', () => {
  it.each<[string, ReapSubject, Activity, string]>([
    ['starts the idle clock at the first idle observation', subject(), idle, 'track'],
    [
      'starts it when the master is unreachable but no agent runs',
      subject(),
      { agents: 0, master: 'unreachable' },
      'track',
    ],
    [
      'does nothing while idle for less than the timeout',
      subject({ idleSince: minutesAgo(30) }),
      idle,
      'none',
    ],
    ['warns once idle for the timeout', subject({ idleSince: minutesAgo(61) }), idle, 'warn'],
    ['resets the clock when agents run', subject({ idleSince: minutesAgo(61) }), { agents: 2 }, 'track'],
    [
      'judges by agents alone: a master that answers does not keep a cluster busy',
      subject({ idleSince: minutesAgo(61) }),
      { agents: 0, master: 'reachable' },
      'warn',
    ],
    ['leaves a busy cluster with no clock alone', subject(), { agents: 1 }, 'none'],
    [
      'never tears down with idleTimeout "never"',
      subject({ idleTimeout: 'never', idleSince: minutesAgo(10_000) }),
      idle,
      'none',
    ],
    [
      'waits out the grace after a warning',
      subject({ idleSince: minutesAgo(70), teardownAt: inMinutes(5), teardownReason: 'idle' }),
      idle,
      'none',
    ],
    [
      'tears down at teardownAt',
      subject({ idleSince: minutesAgo(80), teardownAt: minutesAgo(1), teardownReason: 'idle' }),
      idle,
      'teardown',
    ],
    [
      'cancels when the cluster became busy during the grace',
      subject({ idleSince: minutesAgo(70), teardownAt: inMinutes(5), teardownReason: 'idle' }),
      { agents: 1 },
      'cancel',
    ],
    [
      'cancels at teardownAt when it became busy',
      subject({ idleSince: minutesAgo(80), teardownAt: minutesAgo(1), teardownReason: 'idle' }),
      { agents: 1 },
      'cancel',
    ],
    [
      'treats a keepalive as activity',
      subject({ idleSince: minutesAgo(80), keepAliveUntil: inMinutes(60) }),
      idle,
      'track',
    ],
    [
      'warns an expired cluster even when busy',
      subject({ expiresAt: minutesAgo(1) }),
      { agents: 4, master: 'reachable' },
      'warn',
    ],
    [
      'tears down an expired cluster after the grace even when busy',
      subject({ expiresAt: minutesAgo(20), teardownAt: minutesAgo(1), teardownReason: 'expired' }),
      { agents: 4 },
      'teardown',
    ],
    [
      'exempts a protected cluster from idle actions',
      subject({ protected: true, idleSince: minutesAgo(500) }),
      idle,
      'none',
    ],
    [
      'warns a protected cluster once it expired: expiresAt is a hard limit (finding 6)',
      subject({ protected: true, idleSince: minutesAgo(500), expiresAt: minutesAgo(100) }),
      idle,
      'warn',
    ],
    [
      'tears down a protected cluster after the expiry grace (finding 6)',
      subject({
        protected: true,
        expiresAt: minutesAgo(20),
        teardownAt: minutesAgo(1),
        teardownReason: 'expired',
      }),
      { agents: 2 },
      'teardown',
    ],
    [
      'withdraws an idle warning given before the cluster was protected',
      subject({
        protected: true,
        idleSince: minutesAgo(80),
        teardownAt: minutesAgo(1),
        teardownReason: 'idle',
      }),
      idle,
      'cancel',
    ],
  ])('%s', (_name, cluster, activity, expected) => {
    expect(decide(cluster, activity, now, GRACE).kind).toBe(expected);
  });

  it('sets teardownAt a grace period ahead and says why', () => {
    const decision = decide(subject({ idleSince: minutesAgo(61) }), idle, now, GRACE);
    expect(decision).toMatchObject({
      kind: 'warn',
      reason: 'idle',
      idle: { teardownAt: inMinutes(10), teardownReason: 'idle', idleSince: minutesAgo(61) },
    });
    if (decision.kind === 'warn') expect(decision.message).toContain('idle since');
  });

  it('clears the warning and the idle clock on cancel', () => {
    const decision = decide(
      subject({ idleSince: minutesAgo(70), teardownAt: inMinutes(5), teardownReason: 'idle' }),
      { agents: 1 },
      now,
      GRACE,
    );
    expect(decision).toEqual({
      kind: 'cancel',
      idle: { idleTimeout: '1h' },
      message: expect.stringContaining('cancelled'),
    });
  });

  it('stops an idle cluster at teardownAt when the idleAction is stop, and says so in the warning', () => {
    const warned = decide(subject({ idleSince: minutesAgo(61), idleAction: 'stop' }), idle, now, GRACE);
    expect(warned.kind).toBe('warn');
    if (warned.kind === 'warn') expect(warned.message).toContain('will be stopped at');
    const due = subject({
      idleSince: minutesAgo(80),
      teardownAt: minutesAgo(1),
      teardownReason: 'idle',
      idleAction: 'stop',
    });
    expect(decide(due, idle, now, GRACE)).toMatchObject({ kind: 'teardown', action: 'stop' });
  });

  it('deletes an expired cluster whatever the idleAction (data kept)', () => {
    const expired = subject({
      expiresAt: minutesAgo(20),
      teardownAt: minutesAgo(1),
      teardownReason: 'expired',
      idleAction: 'stop',
    });
    expect(decide(expired, idle, now, GRACE)).toMatchObject({ kind: 'teardown', action: 'delete' });
  });
});
