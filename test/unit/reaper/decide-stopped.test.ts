import { decideStopped, type StoppedSubject } from '../../../core/reaper/decide-stopped.ts';

const now = new Date('2026-11-28T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
const inMinutes = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
const GRACE = 600;

const subject = (
  fields: Partial<StoppedSubject['idle']> & { protected?: boolean; stoppedAt?: string; after?: string } = {},
): StoppedSubject => {
  const { protected: isProtected = false, stoppedAt = hoursAgo(1), after = '720h', ...idle } = fields;
  return {
    protected: isProtected,
    stoppedAt,
    stoppedTeardownAfter: after,
    idle: { idleTimeout: '1h', ...idle },
  };
};

describe('the reaper’s decision for one STOPPED cluster', () => {
  it.each<[string, StoppedSubject, { database?: string }, string]>([
    ['leaves a freshly stopped cluster alone', subject(), { database: 'stopped' }, 'none'],
    ['stops a database that AWS is starting again', subject(), { database: 'starting' }, 'restop'],
    ['stops a database that AWS started again', subject(), { database: 'available' }, 'restop'],
    ['waits for a database that is still stopping', subject(), { database: 'stopping' }, 'none'],
    [
      'warns once stopped longer than stoppedTeardownAfter',
      subject({ stoppedAt: hoursAgo(721) }),
      {},
      'warn',
    ],
    [
      'deletes at teardownAt after that warning',
      subject({ stoppedAt: hoursAgo(722), teardownAt: inMinutes(-1), teardownReason: 'stopped' }),
      {},
      'teardown',
    ],
    [
      'waits out the grace',
      subject({ stoppedAt: hoursAgo(722), teardownAt: inMinutes(5), teardownReason: 'stopped' }),
      {},
      'none',
    ],
    [
      'keeps a stopped cluster forever with "never"',
      subject({ stoppedAt: hoursAgo(9000), after: 'never' }),
      {},
      'none',
    ],
    [
      'exempts a protected cluster from stoppedTeardownAfter',
      subject({ stoppedAt: hoursAgo(800), protected: true }),
      {},
      'none',
    ],
    [
      'withdraws a stopped-too-long warning once the cluster is protected',
      subject({
        stoppedAt: hoursAgo(800),
        protected: true,
        teardownAt: inMinutes(5),
        teardownReason: 'stopped',
      }),
      {},
      'cancel',
    ],
    [
      'warns an expired cluster, protected or not',
      subject({ protected: true, expiresAt: hoursAgo(1) }),
      {},
      'warn',
    ],
    [
      'deletes an expired cluster at teardownAt even while its database runs',
      subject({ expiresAt: hoursAgo(1), teardownAt: inMinutes(-1), teardownReason: 'expired' }),
      { database: 'available' },
      'teardown',
    ],
  ])('%s', (_name, stopped, observed, expected) => {
    expect(decideStopped(stopped, observed, now, GRACE).kind).toBe(expected);
  });

  it('says why a database is stopped again and when a stopped cluster goes', () => {
    expect(decideStopped(subject(), { database: 'available' }, now, GRACE)).toEqual({
      kind: 'restop',
      reason: expect.stringContaining('after 7 days stopped'),
    });
    expect(decideStopped(subject({ stoppedAt: hoursAgo(721) }), {}, now, GRACE)).toMatchObject({
      kind: 'warn',
      reason: 'stopped',
      idle: { teardownAt: inMinutes(10), teardownReason: 'stopped' },
      message: expect.stringContaining('unless it is started'),
    });
  });
});
