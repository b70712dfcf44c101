/**
 * Team budgets over the in-memory store and ledger: notices at 80 % and 100 %, a warning then a
 * stop (data kept) of READY clusters that are not protected, 429 budget-exceeded for creates and
 * cost-raising changes, and GET /teams/{team}. Figures as in settle.test.ts (simple, us-east-1).
 */
import { main as getTeamMain } from '../../../functions/http/teams/get.ts';
import { apiHandler, type ApiMain } from '../../../functions/http/api-handler.ts';
import { enforceBudgets, type BudgetDeps } from '../../../core/operations/enforce-budgets.ts';
import { settleSpend, type SettleDeps } from '../../../core/operations/settle-spend.ts';
import { apiEvent, lambdaContext } from '../../support/events.ts';
import type { FakeDeps } from '../../support/fakes.ts';
import { Agents, RecordingBudgetNotifier, transition } from '../../support/spend.ts';
import { Api } from '../api/harness.ts';

const S = 18.3 / 730 + 0.005;
const I = 0.096;
const D = 0.065;
const MINIMUMS = (I * 60) / 3600 + (D * 600) / 3600;
const GRACE_SECONDS = 600;

async function setup(budget: number) {
  const api = new Api();
  api.deps.settings.policies = {
    defaults: { maxClusters: 10 },
    teams: { alpha: { monthlyBudgetUsd: budget } },
  };
  const notifier = new RecordingBudgetNotifier();
  const deps: SettleDeps & BudgetDeps = {
    ...api.deps,
    agents: new Agents(),
    notifier,
    graceSeconds: GRACE_SECONDS,
  };
  const t0 = api.deps.clock.now();
  const at = (minute: number) => new Date(t0.getTime() + minute * 60_000);
  const run = async (minute: number, options = { dryRun: false }) => {
    api.deps.clock.current = at(minute);
    const settlement = await settleSpend(deps, { pageSize: 50 });
    return enforceBudgets(deps, settlement.teams, options);
  };
  const create = (clusterId: string, extra: Record<string, unknown> = {}) =>
    api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId, keypair: 'demo-key', ...extra },
      admin: extra.protected === true,
    });
  return { api, notifier, at, run, create };
}

async function getTeam(deps: FakeDeps, team: string, claims: { team: string; admin?: boolean }) {
  const handler = apiHandler(getTeamMain as ApiMain<FakeDeps>, { scope: 'read', deps: () => deps });
  const result = (await handler(
    apiEvent({
      method: 'GET',
      path: `/teams/${team}`,
      route: '/teams/{team}',
      claims: { sub: 'u', team: claims.team, scope: claims.admin ? 'clusters:admin' : 'clusters:read' },
    }),
    lambdaContext,
  )) as { statusCode: number; body: string };
  return { status: result.statusCode, body: JSON.parse(result.body) };
}

describe('a team budget of $0.05', () => {
  it('notifies at 80 % and 100 % once, warns, then stops the READY cluster that is not protected', async () => {
    const { api, notifier, at, run, create } = await setup(0.05);
    expect((await create('c1')).status).toBe(202);
    expect((await create('guarded', { protected: true })).status).toBe(202);
    // Two clusters' minimums at once: 2 × 0.012433 = 0.024867, just under half the budget.
    await transition(api.deps, 'c1', 'READY', at(1));
    await transition(api.deps, 'guarded', 'READY', at(1));

    // Spent: 2 × (minimums + S × m/60 + I × (m - 1)/60) within the database's prepaid ten minutes.
    const spent = (m: number) => 2 * (MINIMUMS + (S * m) / 60 + (I * (m - 1)) / 60);
    expect(spent(4)).toBeCloseTo(0.038476, 6); // 77 %
    expect((await run(4)).notified).toEqual([]);
    expect(spent(5)).toBeCloseTo(0.042678, 6); // 85 %
    expect((await run(5)).notified).toEqual([{ team: 'alpha', thresholdPercent: 80 }]);
    expect(notifier.sent).toEqual([
      expect.objectContaining({ team: 'alpha', month: '2026-11', thresholdPercent: 80, budgetUsd: 0.05 }),
    ]);
    expect((await run(5)).notified).toEqual([]);

    expect(spent(8)).toBeCloseTo(0.055285, 6); // 111 %
    const full = await run(8);
    expect(full.notified).toEqual([{ team: 'alpha', thresholdPercent: 100 }]);
    expect(full.actions).toEqual([{ team: 'alpha', clusterId: 'c1', action: 'warn' }]);
    const timeline = (id: string) =>
      (api.deps.store.events.get(`alpha#${id}`) ?? []).map((entry) => entry.kind);
    expect(timeline('c1')).toEqual(
      expect.arrayContaining(['budget-threshold', 'budget-threshold', 'budget-stop-warning']),
    );
    expect(timeline('guarded')).not.toContain('budget-stop-warning');

    // Within the grace: nothing; after it, stopped with its data kept.
    expect((await run(14)).actions).toEqual([]);
    const stop = await run(18);
    expect(stop.actions).toEqual([{ team: 'alpha', clusterId: 'c1', action: 'stop' }]);
    expect(api.deps.store.record('c1')).toMatchObject({
      status: 'STOPPING',
      statusReason: expect.stringContaining("the team's monthly budget of $0.05 is spent"),
    });
    expect(api.deps.workflows.started.at(-1)).toMatchObject({
      operation: 'stop',
      input: { clusterId: 'c1' },
    });
    expect(api.deps.store.record('guarded')?.status).toBe('READY');
  });

  it('sends a threshold again on the next run when the send failed, and a sent one never twice', async () => {
    const { api, notifier, at, run, create } = await setup(0.01);
    await create('c1');
    await transition(api.deps, 'c1', 'READY', at(1));
    notifier.failWith = 'the delivery queue is unavailable';

    // Over 100 % at once: both thresholds are tried, both fail, neither is recorded; the stop still proceeds.
    const failed = await run(2);
    expect(notifier.attempts.map((event) => event.thresholdPercent)).toEqual([80, 100]);
    expect(notifier.sent).toEqual([]);
    expect(failed.notified).toEqual([]);
    expect(failed.errors).toEqual([
      { team: 'alpha', error: 'budget threshold 80 %: the delivery queue is unavailable' },
      { team: 'alpha', error: 'budget threshold 100 %: the delivery queue is unavailable' },
    ]);
    expect(failed.actions).toEqual([{ team: 'alpha', clusterId: 'c1', action: 'warn' }]);
    expect((await api.deps.ledger.teamMonth('alpha', '2026-11')).notified).toEqual({});
    const thresholdEntries = () =>
      (api.deps.store.events.get('alpha#c1') ?? []).filter((entry) => entry.kind === 'budget-threshold');
    expect(thresholdEntries()).toEqual([]);

    // The next run, with the send working again: both are sent and recorded, once each.
    notifier.failWith = undefined;
    const retried = await run(3);
    expect(retried.errors).toEqual([]);
    expect(retried.notified).toEqual([
      { team: 'alpha', thresholdPercent: 80 },
      { team: 'alpha', thresholdPercent: 100 },
    ]);
    expect(notifier.sent.map((event) => event.thresholdPercent)).toEqual([80, 100]);
    expect(Object.keys((await api.deps.ledger.teamMonth('alpha', '2026-11')).notified).sort()).toEqual([
      '100',
      '80',
    ]);
    expect(thresholdEntries()).toHaveLength(2);

    // Later runs: recorded, so not sent again.
    expect((await run(4)).notified).toEqual([]);
    expect((await run(5)).notified).toEqual([]);
    expect(notifier.attempts).toHaveLength(4);
    expect(notifier.sent).toHaveLength(2);
  });

  it('refuses a create and a change that raises hourlyMax with 429 budget-exceeded; allows a cheaper change', async () => {
    const { api, at, run, create } = await setup(0.01);
    expect((await create('c1')).status).toBe(202);
    await transition(api.deps, 'c1', 'READY', at(1));
    await run(2);

    const refused = await create('c2');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/budget-exceeded$/),
      status: 429,
      budgetUsd: 0.01,
      spentUsd: expect.any(Number),
    });
    expect(refused.body.spentUsd).toBeGreaterThanOrEqual(0.01);
    expect(api.deps.store.record('c2')).toBeUndefined();

    const patch = (body: object) => api.call('PATCH /clusters/{clusterId}', { path: '/clusters/c1', body });
    expect((await patch({ maxDynamicAgents: 8 })).status).toBe(429);
    expect((await patch({ maxDynamicAgents: 2 })).status).toBe(202);
  });

  it('refuses to start a stopped cluster with 429 budget-exceeded, and starts it once the budget is raised', async () => {
    const { api, at, run, create } = await setup(0.01);
    await create('c1');
    await transition(api.deps, 'c1', 'READY', at(1));
    await run(2);
    await transition(api.deps, 'c1', 'STOPPED', at(3));
    const start = () =>
      api.call('POST /clusters/{clusterId}/start', { path: '/clusters/c1/start', body: {} });
    const refused = await start();
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/budget-exceeded$/), budgetUsd: 0.01 });
    expect(api.deps.store.record('c1')?.status).toBe('STOPPED');
    api.deps.settings.policies = { teams: { alpha: { monthlyBudgetUsd: 100 } } };
    expect((await start()).status).toBe(202);
    expect(api.deps.store.record('c1')?.status).toBe('STARTING');
  });

  it('withdraws a pending stop once the budget is raised', async () => {
    const { api, at, run, create } = await setup(0.01);
    await create('c1');
    await transition(api.deps, 'c1', 'READY', at(1));
    expect((await run(2)).actions).toEqual([{ team: 'alpha', clusterId: 'c1', action: 'warn' }]);
    api.deps.settings.policies = { teams: { alpha: { monthlyBudgetUsd: 100 } } };
    expect((await run(3)).actions).toEqual([{ team: 'alpha', clusterId: 'c1', action: 'cancel' }]);
    expect(api.deps.store.record('c1')?.spend?.budgetStopAt).toBeUndefined();
    expect((await run(30)).actions).toEqual([]);
  });

  it('does nothing in a dry run', async () => {
    const { api, at, run, create } = await setup(0.01);
    await create('c1');
    await transition(api.deps, 'c1', 'READY', at(1));
    const report = await run(30, { dryRun: true });
    expect(report.actions).toEqual([{ team: 'alpha', clusterId: 'c1', action: 'warn' }]);
    expect(api.deps.store.record('c1')?.spend?.budgetStopAt).toBeUndefined();
  });
});

describe('GET /teams/{team}', () => {
  it('shows the policy, the clusters and the spend against the budget', async () => {
    const { api, at, run, create } = await setup(10);
    await create('c1');
    await transition(api.deps, 'c1', 'READY', at(1));
    await run(60);
    const { status, body } = await getTeam(api.deps, 'alpha', { team: 'alpha' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      team: 'alpha',
      policy: { maxClusters: 10, monthlyBudgetUsd: 10 },
      usage: { clusters: 1, maxClusters: 10, byStatus: { READY: 1 } },
      spend: { currency: 'USD', month: '2026-11', budgetUsd: 10, notified: {} },
    });
    // One hour: the minimums prepay the first minute and ten minutes of it.
    expect(body.spend.monthToDate).toBeCloseTo(S + I + D, 5);
    expect(body.spend.budgetUsedPercent).toBeCloseTo(((S + I + D) / 10) * 100, 3);
    expect(body.spend.hourly).toBeCloseTo(S + I + D, 5);
  });

  it('is not found for another team, unless the caller is an admin; no budget is null', async () => {
    const { api } = await setup(10);
    expect((await getTeam(api.deps, 'beta', { team: 'alpha' })).status).toBe(404);
    const admin = await getTeam(api.deps, 'beta', { team: 'ops', admin: true });
    expect(admin.status).toBe(200);
    expect(admin.body.spend).toMatchObject({ monthToDate: 0, budgetUsd: null, budgetUsedPercent: null });
    expect((await getTeam(api.deps, 'not a team', { team: 'ops', admin: true })).status).toBe(404);
  });
});
