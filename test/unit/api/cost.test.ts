/** The contract's `cost`: on a dry run, on a created cluster, on GET and in the list. */
import { Api } from './harness.ts';

// The simple default in us-east-1 (test/unit/cost/estimate.test.ts computes these by hand).
const HOURLY = 0.191068;
const HOURLY_MAX = 37.388247;
// At creation AWS's minimum charges fall due: 60 s of m5.large and 10 minutes of db.t4g.medium.
const MINIMUMS = (0.096 * 60) / 3600 + (0.065 * 600) / 3600;

describe('cost', () => {
  it('is part of a dry run, with nothing spent', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      query: { dryRun: 'true' },
      body: { clusterId: 'c1', keypair: 'demo-key' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.cost).toEqual({
      currency: 'USD',
      hourly: HOURLY,
      hourlyMax: HOURLY_MAX,
      monthToDate: 0,
      basis: expect.stringContaining('price list of 2025-06'),
    });
    expect(api.deps.store.records.size).toBe(0);
  });

  it('is on the created cluster, on GET and in the list, and accrues with time', async () => {
    const api = new Api();
    const created = await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'c1', keypair: 'demo-key' },
    });
    expect(created.body.cost).toMatchObject({ hourly: HOURLY, hourlyMax: HOURLY_MAX });
    expect(created.body.cost.monthToDate).toBeCloseTo(MINIMUMS, 6);
    expect(created.body.spend).toBeUndefined();

    api.deps.clock.advance(3600);
    const got = await api.call('GET /clusters/{clusterId}', { path: '/clusters/c1' });
    // One hour of CREATING: the minimums paid for the first minute and ten minutes of it.
    expect(got.body.cost.monthToDate).toBeCloseTo(HOURLY, 5);
    const listed = await api.call('GET /clusters', { path: '/clusters' });
    expect(listed.body.items[0].cost).toEqual(got.body.cost);
  });
});
