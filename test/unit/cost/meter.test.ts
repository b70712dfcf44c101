/**
 * Spend accrued from a timeline, figures computed by hand for a simple us-east-1 cluster (m5.large,
 * t2.xlarge CPU and p2.8xlarge GPU agents): standing S = 18.3/730 + 0.005 per hour, master
 * I = 0.096, database D = 0.065, one agent A = 7.2 + 16/730 + 0.005.
 */
import { clusterRates } from '../../../core/cost/estimate.ts';
import {
  accrue,
  openCursor,
  splitByMonth,
  type MeterChange,
  type SpendCursor,
} from '../../../core/cost/meter.ts';
import { PRICES } from '../../../core/cost/price-list.ts';
import { parameters } from '../../support/cost.ts';

const S = 18.3 / 730 + 0.005;
const I = 0.096;
const D = 0.065;
const A = 7.2 + 16 / 730 + 0.005;
// AWS's minimum charges on a start: 60 s of the master, 10 minutes of the database.
const MINIMUMS = (I * 60) / 3600 + (D * 600) / 3600;

const rates = clusterRates(parameters(), PRICES);
const at = (time: string) => `2026-11-28T${time}:00.000Z`;

describe('accrue', () => {
  it("charges a cluster's life: created, ready, agents counted, deleted", () => {
    const changes: MeterChange[] = [
      { at: at('12:00'), status: 'CREATING' },
      { at: at('12:10'), status: 'READY' },
      { at: at('12:30'), agents: 2 },
      { at: at('13:00'), status: 'DELETING', agents: 0 },
      { at: at('13:05'), status: 'DELETED' },
    ];
    const { charges, cursor } = accrue(
      openCursor(new Date(at('12:00'))),
      changes,
      new Date(at('14:00')),
      rates,
    );
    const expected =
      MINIMUMS +
      // 12:00-12:30: storage all along, the master after its minute, the database after its 10 minutes.
      S * 0.5 +
      (I * 29) / 60 +
      (D * 20) / 60 +
      // 12:30-13:00 with two agents.
      (S + I + D + 2 * A) * 0.5 +
      // 13:00-13:05 deleting.
      ((S + I + D) * 5) / 60;
    expect(expected).toBeCloseTo(7.433909, 6);
    expect(charges['2026-11']).toBeCloseTo(expected, 9);
    expect(cursor).toEqual({
      through: at('14:00'),
      status: 'DELETED',
      agents: 0,
      month: '2026-11',
      monthUsd: charges['2026-11'],
    });
  });

  it('charges a stopped cluster its storage and addresses only, and the minimums again on start', () => {
    const stopped: SpendCursor = {
      through: at('00:00'),
      status: 'STOPPED',
      agents: 0,
      month: '2026-11',
      monthUsd: 1,
    };
    const { charges, cursor } = accrue(
      stopped,
      [{ at: at('10:00'), status: 'STARTING' }],
      new Date(at('10:30')),
      rates,
    );
    expect(charges['2026-11']).toBeCloseTo(S * 10 + MINIMUMS + S * 0.5 + (I * 29) / 60 + (D * 20) / 60, 9);
    expect(cursor.monthUsd).toBeCloseTo(1 + (charges['2026-11'] ?? 0), 9);
  });

  it('follows the agent count over time', () => {
    const ready: SpendCursor = {
      through: at('12:00'),
      status: 'READY',
      agents: 0,
      month: '2026-11',
      monthUsd: 0,
    };
    const changes = [
      { at: at('12:15'), agents: 1 },
      { at: at('12:30'), agents: 3 },
      { at: at('12:45'), agents: 0 },
    ];
    const { charges } = accrue(ready, changes, new Date(at('13:00')), rates);
    expect(charges['2026-11']).toBeCloseTo(S + I + D + A * (0.25 + 0.75), 9);
  });

  it('splits at the UTC month boundary, whatever the offset the instants were written in', () => {
    const ready: SpendCursor = {
      through: '2026-11-30T23:00:00.000Z',
      status: 'READY',
      agents: 0,
      month: '2026-11',
      monthUsd: 5,
    };
    // 00:30+01:00 is 23:30 UTC on 30 November: a change written so belongs to November.
    const { charges, cursor } = accrue(
      ready,
      [{ at: '2026-12-01T00:30:00+01:00', agents: 0 }],
      new Date('2026-12-01T01:00:00Z'),
      rates,
    );
    expect(charges['2026-11']).toBeCloseTo(S + I + D, 9);
    expect(charges['2026-12']).toBeCloseTo(S + I + D, 9);
    expect(cursor.month).toBe('2026-12');
    expect(cursor.monthUsd).toBeCloseTo(S + I + D, 9);
    expect(splitByMonth(Date.parse('2026-12-31T23:00:00Z'), Date.parse('2027-01-01T01:00:00Z'))).toEqual([
      ['2026-12', 3600],
      ['2027-01', 3600],
    ]);
  });

  it('charges the same settled in pieces as at once, and nothing twice when a change is seen again', () => {
    const changes: MeterChange[] = [
      { at: at('12:00'), status: 'CREATING' },
      { at: at('12:04'), status: 'READY' },
      { at: at('12:20'), agents: 4 },
      { at: at('12:50'), status: 'STOPPING', agents: 0 },
      { at: at('12:55'), status: 'STOPPED' },
    ];
    const start = openCursor(new Date(at('12:00')));
    const whole = accrue(start, changes, new Date(at('13:30')), rates);
    let cursor = start;
    let total = 0;
    for (const until of ['12:02', '12:04', '12:30', '12:52', '13:30']) {
      // Each settlement sees every change from its cursor on, including the one at the cursor itself.
      const seen = changes.filter((change) => change.at >= cursor.through);
      const step = accrue(cursor, seen, new Date(at(until)), rates);
      total += step.charges['2026-11'] ?? 0;
      cursor = step.cursor;
    }
    expect(total).toBeCloseTo(whole.charges['2026-11'] ?? 0, 9);
    expect(cursor.monthUsd).toBeCloseTo(total, 9);
    expect(cursor.status).toBe('STOPPED');
  });
});
