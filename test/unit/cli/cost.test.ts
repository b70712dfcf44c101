/** det-deploy and cost: `up` prints the estimate before it creates, `status` and `list` show cost. */
import { cluster, detDeploy, FakeApi } from './fake-api.ts';

const COST = {
  currency: 'USD' as const,
  hourly: 0.191068,
  hourlyMax: 37.388247,
  monthToDate: 0.0124,
  basis: 'AWS on-demand Linux prices for us-east-1, price list of 2025-06 (core/cost/prices.json).',
};

describe('det-deploy aws up and cost', () => {
  it('prints the estimate from a dry run of the same body before it creates', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/c1', { status: 404, body: { status: 404 } }, { status: 200, body: cluster() })
      .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } })
      .on('POST', '/clusters', (request) =>
        request.path === '/clusters?dryRun=true'
          ? { status: 200, body: { template: {}, parameters: { MaxDynamicAgents: '5' }, cost: COST } }
          : { status: 202, body: cluster({ status: 'CREATING' }) },
      );
    const { code, err } = await detDeploy(['aws', 'up', '--cluster-id', 'c1', '--keypair', 'demo-key'], api);
    expect(code).toBe(0);
    expect(err).toContain('estimated $0.191/h now, up to $37.39/h with 10 agents');
    expect(api.sent('POST').map((request) => request.path)).toEqual(['/clusters?dryRun=true', '/clusters']);
    expect(api.sent('POST')[0]?.body).toStrictEqual(api.sent('POST')[1]?.body);
  });

  it("stops at a spent budget: the API's answer, once, and nothing created", async () => {
    const problem = {
      type: 'urn:det-control-plane:problem:budget-exceeded',
      title: 'Budget exceeded',
      status: 429,
      detail:
        'Team alpha has spent $12.5 of its monthly budget of $10 in 2030-01 (UTC); a new cluster is refused until the budget is raised or the month ends.',
      budgetUsd: 10,
      spentUsd: 12.5,
    };
    const api = new FakeApi()
      .on('GET', '/clusters/c1', { status: 404, body: { status: 404 } })
      .on('POST', '/clusters', (request) =>
        request.path === '/clusters?dryRun=true'
          ? { status: 200, body: { template: {}, parameters: { MaxDynamicAgents: '5' }, cost: COST } }
          : { status: 429, body: problem },
      );
    const { code, err } = await detDeploy(['aws', 'up', '--cluster-id', 'c1', '--keypair', 'demo-key'], api);
    expect(code).toBe(1);
    expect(err).toContain('has spent $12.5 of its monthly budget of $10');
    expect(api.creates()).toHaveLength(1);
  });
});

describe('det-deploy aws status and cost', () => {
  it('shows what the cluster costs now, at most, this month, and the basis', async () => {
    const api = new FakeApi()
      .on('GET', '/clusters/c1', { status: 200, body: { ...cluster(), cost: COST } })
      .on('GET', '/clusters/c1/events', { status: 200, body: { items: [] } });
    const { code, out } = await detDeploy(['aws', 'status', '--cluster-id', 'c1'], api);
    expect(code).toBe(0);
    expect(out).toMatch(/Cost:\s+\$0\.191\/h now, up to \$37\.39\/h; \$0\.012 this month \(UTC\)/);
    expect(out).toMatch(/Cost basis:\s+AWS on-demand Linux prices for us-east-1, price list of 2025-06/);
  });
});
