/** Schedules: validation, firings across daylight-saving changes, and the reaper's decisions. */
import { cronProblem, dueAction, lastFiring, timezoneProblem } from '../../../core/cluster/schedule.ts';
import { decideSchedule } from '../../../core/reaper/decide-schedule.ts';
import { parseWith } from '../../../core/validation.ts';
import { createClusterSchema } from '../../../core/cluster/request.ts';
import type { ValidationError } from '../../../core/errors.ts';
import type { ClusterRecord } from '../../../core/cluster/model.ts';

const WORKDAYS = { timezone: 'Europe/Berlin', autostop: '0 19 * * 1-5', autostart: '0 8 * * 1-5' };

describe('schedule validation', () => {
  it.each([
    ['0 19 * * 1-5', undefined],
    ['30 7 * * MON-FRI', undefined],
    ['0 19 * * *', undefined],
    ['0 0 1 * *', undefined],
    ['0 19 * * 1-5 2026', 'must be a cron expression of five fields'],
    ['0 0 19 * * 1-5', 'must be a cron expression of five fields'],
    ['61 19 * * *', 'is not a cron expression'],
    ['* * * * *', 'may fire at most once an hour'],
    ['*/30 8 * * *', 'may fire at most once an hour'],
    ['0 0 31 2 *', 'never fires'],
  ])('%s', (expression, problem) => {
    const found = cronProblem(expression, 'UTC');
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('takes IANA zones only', () => {
    expect(timezoneProblem('Europe/Berlin')).toBeUndefined();
    expect(timezoneProblem('America/Argentina/Buenos_Aires')).toBeUndefined();
    expect(timezoneProblem('UTC')).toBeUndefined();
    expect(timezoneProblem('Mars/Olympus')).toContain('IANA');
    expect(timezoneProblem('CEST')).toContain('IANA');
  });

  it('names the field of each problem in a request (400)', () => {
    const body = (schedule: unknown) => ({ clusterId: 'c', keypair: 'k', schedule });
    expect(parseWith(createClusterSchema, body(WORKDAYS)).schedule).toEqual(WORKDAYS);
    const fields = (schedule: unknown) => {
      try {
        parseWith(createClusterSchema, body(schedule));
        return [];
      } catch (error) {
        return (error as ValidationError).errors.map((entry) => entry.field);
      }
    };
    expect(fields({ timezone: 'Nowhere/Land', autostop: '0 19 * * *' })).toEqual(['schedule.timezone']);
    expect(fields({ timezone: 'UTC', autostop: '0 19 * * *', autostart: 'soon' })).toEqual([
      'schedule.autostart',
    ]);
    expect(fields({ timezone: 'UTC' })).toEqual(['schedule']);
    expect(fields({ timezone: 'UTC', autostop: '0 19 * * *', every: 'day' })).toEqual(['schedule.every']);
  });
});

describe('firings', () => {
  it('follow the wall clock of the zone across daylight-saving changes', () => {
    // Berlin goes from CET (UTC+1) to CEST (UTC+2) on 2026-03-29 and back on 2026-10-25.
    const fire = (from: string) =>
      lastFiring(
        WORKDAYS.autostop,
        WORKDAYS.timezone,
        new Date(from),
        new Date(Date.parse(from) + 86400_000),
      )?.toISOString();
    expect(fire('2026-03-27T00:00:00Z')).toBe('2026-03-27T18:00:00.000Z'); // Friday, CET
    expect(fire('2026-03-30T00:00:00Z')).toBe('2026-03-30T17:00:00.000Z'); // Monday, CEST
    expect(fire('2026-10-23T00:00:00Z')).toBe('2026-10-23T17:00:00.000Z'); // Friday, CEST
    expect(fire('2026-10-26T00:00:00Z')).toBe('2026-10-26T18:00:00.000Z'); // Monday, CET
  });

  it('fires a time that the spring change skips once, just after it, and a repeated autumn time once', () => {
    const schedule = { timezone: 'Europe/Berlin', autostop: '30 2 * * *' };
    const spring = lastFiring(
      schedule.autostop,
      schedule.timezone,
      new Date('2026-03-29T00:00:00Z'),
      new Date('2026-03-29T12:00:00Z'),
    );
    expect(spring?.toISOString()).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    let count = 0;
    let from = new Date('2026-10-24T22:00:00Z');
    for (;;) {
      const next = lastFiring(
        schedule.autostop,
        schedule.timezone,
        from,
        new Date(from.getTime() + 3 * 3600_000),
      );
      if (!next) break;
      count += 1;
      from = next;
    }
    expect(count).toBe(1);
  });

  it('the later of autostop and autostart wins when both fired since the last look', () => {
    const due = dueAction(WORKDAYS, new Date('2026-03-27T17:00:00Z'), new Date('2026-03-30T07:30:00Z'));
    expect(due).toMatchObject({ action: 'autostart', at: new Date('2026-03-30T06:00:00Z') });
    expect(
      dueAction(WORKDAYS, new Date('2026-03-30T06:00:00Z'), new Date('2026-03-30T07:30:00Z')),
    ).toBeUndefined();
  });
});

describe('the reaper’s schedule decision', () => {
  const cluster = (status: 'READY' | 'STOPPED', checkedAt: string) =>
    ({
      status,
      createdAt: '2026-03-01T00:00:00.000Z',
      idle: { idleTimeout: '1h', scheduleCheckedAt: checkedAt },
      parameters: { schedule: WORKDAYS } as ClusterRecord['parameters'],
    }) as Pick<ClusterRecord, 'status' | 'parameters' | 'idle' | 'createdAt'>;

  it('stops a READY cluster at autostop and starts a STOPPED one at autostart', () => {
    const evening = new Date('2026-03-30T17:02:00Z'); // 19:02 CEST
    expect(decideSchedule(cluster('READY', '2026-03-30T16:57:00Z'), evening)).toMatchObject({
      kind: 'schedule-stop',
      checkedAt: evening.toISOString(),
      reason: expect.stringContaining('autostop "0 19 * * 1-5" (Europe/Berlin) at 2026-03-30T17:00:00.000Z'),
    });
    const morning = new Date('2026-03-31T06:01:00Z');
    expect(decideSchedule(cluster('STOPPED', evening.toISOString()), morning)?.kind).toBe('schedule-start');
  });

  it('only notes a firing that finds the cluster as asked, and waits for the next one after a manual start', () => {
    expect(
      decideSchedule(cluster('STOPPED', '2026-03-30T16:57:00Z'), new Date('2026-03-30T17:02:00Z'))?.kind,
    ).toBe('schedule-noted');
    // Started by hand at 20:00 after the 19:00 autostop was applied: nothing until the next autostop.
    expect(
      decideSchedule(cluster('READY', '2026-03-30T17:02:00Z'), new Date('2026-03-30T21:00:00Z')),
    ).toBeUndefined();
  });
});
