/**
 * The reaper's settlement against the in-memory store and ledger, with figures computed by hand for
 * the simple default (us-east-1): standing S = 18.3/730 + 0.005 per hour, master I = 0.096,
 * database D = 0.065, one agent A = 7.2 + 16/730 + 0.005 (p2.8xlarge, the dearer pool).
 */
import { settleSpend, type SettleDeps } from '../../../core/operations/settle-spend.ts';
import { teamSpend } from '../../../core/operations/team-spend.ts';
import { Api } from '../api/harness.ts';
import { Agents, stackOf, transition } from '../../support/spend.ts';

const S = 18.3 / 730 + 0.005;
const I = 0.096;
const D = 0.065;
const A = 7.2 + 16 / 730 + 0.005;
const MINIMUMS = (I * 60) / 3600 + (D * 600) / 3600;

async function setup() {
  const api = new Api();
  const agents = new Agents();
  const deps: SettleDeps = { ...api.deps, agents };
  const created = await api.call('POST /clusters', {
    path: '/clusters',
    body: { clusterId: 'c1', keypair: 'demo-key' },
  });
  expect(created.status).toBe(202);
  const t0 = api.deps.clock.now();
  const at = (minute: number) => new Date(t0.getTime() + minute * 60_000);
  const settle = async (minute: number) => {
    api.deps.clock.current = at(minute);
    return settleSpend(deps, { pageSize: 50 });
  };
  const month = () => api.deps.ledger.months.get('alpha#2026-11')?.usd ?? 0;
  return { api, agents, at, settle, month };
}

describe('settling spend', () => {
  it("charges a cluster's life from its timeline, noting agent counts, and closes it once deleted", async () => {
    const { api, agents, at, settle, month } = await setup();
    await transition(api.deps, 'c1', 'READY', at(10));
    agents.running[stackOf('c1')] = 2;

    const first = await settle(30);
    expect(first).toMatchObject({ settled: 1, closed: 0, teams: ['alpha'] });
    expect(month()).toBeCloseTo(MINIMUMS + S * 0.5 + (I * 29) / 60 + (D * 20) / 60, 9);
    const noted = api.deps.store.events.get('alpha#c1')?.filter((entry) => entry.kind === 'agents');
    expect(noted).toEqual([
      expect.objectContaining({ agents: 2, message: '2 dynamic agents running (was 0).' }),
    ]);
    expect(api.deps.store.record('c1')?.spend).toMatchObject({
      status: 'READY',
      agents: 2,
      through: at(30).toISOString(),
    });

    const before = month();
    await settle(60);
    expect(month() - before).toBeCloseTo((S + I + D + 2 * A) * 0.5, 9);

    // Settled again at the same instant: nothing more.
    const again = await settle(60);
    expect(again.settled).toBe(0);

    await transition(api.deps, 'c1', 'DELETING', at(60));
    await transition(api.deps, 'c1', 'DELETED', at(65));
    const last = await settle(70);
    expect(last).toMatchObject({ settled: 1, closed: 1 });
    // Deleting, the agents still counted until the status left the running ones.
    const life =
      MINIMUMS +
      S * 0.5 +
      (I * 29) / 60 +
      (D * 20) / 60 +
      (S + I + D + 2 * A) * 0.5 +
      ((S + I + D + 2 * A) * 5) / 60;
    expect(month()).toBeCloseTo(life, 9);
    expect((await api.deps.ledger.unsettled({ limit: 10 })).items).toEqual([]);
    expect(api.deps.store.record('c1')?.spend?.monthUsd).toBeCloseTo(life, 9);
  });

  it('shows a cluster deleted before any settlement at what it accrued, on GET and in the team spend, as settled later', async () => {
    const { api, at, settle, month } = await setup();
    await transition(api.deps, 'c1', 'READY', at(1));
    await transition(api.deps, 'c1', 'DELETING', at(4));
    await transition(api.deps, 'c1', 'DELETED', at(5));
    api.deps.clock.current = at(6);
    const monthToDate = async () =>
      (await api.call('GET /clusters/{clusterId}', { path: '/clusters/c1' })).body.cost.monthToDate;
    // Five minutes running (CREATING, READY, DELETING): the minimums, then the master after its first minute.
    const life = MINIMUMS + (S * 5) / 60 + (I * 4) / 60;
    expect(api.deps.store.record('c1')?.spend?.status).toBe('NONE');
    expect(await monthToDate()).toBeCloseTo(life, 6);
    expect((await teamSpend(api.deps, 'alpha')).spentUsd).toBeCloseTo(life, 6);

    expect(await settle(6)).toMatchObject({ settled: 1, closed: 1 });
    expect(month()).toBeCloseTo(life, 9);
    expect(await monthToDate()).toBeCloseTo(life, 6);
    expect((await teamSpend(api.deps, 'alpha')).spentUsd).toBeCloseTo(life, 6);
  });

  it("takes the record's status when its timeline entry is not written yet", async () => {
    const { api, at, settle, month } = await setup();
    const record = api.deps.store.record('c1');
    if (!record) throw new Error('no record');
    record.status = 'CREATE_FAILED';
    record.updatedAt = at(5).toISOString();
    await settle(60);
    // Five minutes of CREATING (within the minimums for the database), then nothing.
    expect(month()).toBeCloseTo(MINIMUMS + (S * 5) / 60 + (I * 4) / 60, 9);
  });

  it('splits a settlement at the UTC month boundary', async () => {
    const { api, at, settle } = await setup();
    await transition(api.deps, 'c1', 'READY', at(1));
    await settle(2);
    const settled = api.deps.ledger.months.get('alpha#2026-11')?.usd ?? 0;
    // The fake clock starts 2026-11-28T12:00Z: December begins 60 hours later; settle 2 hours into it.
    await settle(62 * 60);
    const hours = (Date.parse('2026-12-01T00:00:00Z') - at(2).getTime()) / 3_600_000;
    // The database's ten prepaid minutes run to 12:10, eight of them after the first settlement.
    const november = (S + I) * hours + D * (hours - 8 / 60);
    expect((api.deps.ledger.months.get('alpha#2026-11')?.usd ?? 0) - settled).toBeCloseTo(november, 9);
    expect(api.deps.ledger.months.get('alpha#2026-12')?.usd).toBeCloseTo((S + I + D) * 2, 9);
    expect(api.deps.store.record('c1')?.spend).toMatchObject({ month: '2026-12' });
    expect(api.deps.store.record('c1')?.spend?.monthUsd).toBeCloseTo((S + I + D) * 2, 9);
  });

  it('charges a failed incarnation to its end when the id is created again before a settlement', async () => {
    const { api, at, settle, month } = await setup();
    await transition(api.deps, 'c1', 'CREATE_FAILED', at(5));
    api.deps.clock.current = at(20);
    const again = await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'c1', keypair: 'demo-key' },
    });
    expect(again.status).toBe(202);
    await settle(30);
    // The first: minimums and five minutes of CREATING; the second: its own minimums and ten minutes.
    const first = MINIMUMS + (S * 5) / 60 + (I * 4) / 60;
    const second = MINIMUMS + (S * 10) / 60 + (I * 9) / 60;
    expect(month()).toBeCloseTo(first + second, 9);
  });

  it('leaves a cursor another run moved, without an error', async () => {
    const { api, at, settle } = await setup();
    await transition(api.deps, 'c1', 'READY', at(1));
    const settleOriginal = api.deps.ledger.settle.bind(api.deps.ledger);
    api.deps.ledger.settle = async (cluster, settlement) => {
      await settleOriginal(cluster, settlement);
      await settleOriginal(cluster, settlement); // the second one finds the cursor moved
    };
    const report = await settle(30);
    expect(report.errors).toEqual([]);
  });
});
