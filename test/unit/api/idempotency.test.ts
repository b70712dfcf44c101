import { Api } from './harness.ts';

const body = { clusterId: 'idem-1', keypair: 'demo-key' };

describe('Idempotency-Key', () => {
  it('replays the first response for a retry with the same body, and starts one workflow', async () => {
    const api = new Api();
    const first = await api.call('POST /clusters', {
      path: '/clusters',
      body,
      headers: { 'idempotency-key': 'k-1' },
    });
    const retry = await api.call('POST /clusters', {
      path: '/clusters',
      body,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(api.deps.workflows.started).toHaveLength(1);
  });

  it('answers 422 when the key is reused with another body', async () => {
    const api = new Api();
    await api.call('POST /clusters', { path: '/clusters', body, headers: { 'idempotency-key': 'k-2' } });
    const other = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...body, deploymentType: 'vpc' },
      headers: { 'idempotency-key': 'k-2' },
    });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:det-control-plane:problem:idempotency-key-reused');
  });

  it('forgets a key whose request failed, so a corrected retry can use it', async () => {
    const api = new Api();
    const bad = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...body, maxDynamicAgents: 1001 },
      headers: { 'idempotency-key': 'k-3' },
    });
    expect(bad.status).toBe(400);
    const retry = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...body, maxDynamicAgents: 1001 },
      headers: { 'idempotency-key': 'k-3' },
    });
    expect(retry.status).toBe(400);
    expect(api.idempotency.entries.size).toBe(0);
  });

  it('scopes keys to the team: another team’s identical key is a different request', async () => {
    const api = new Api();
    await api.call('POST /clusters', { path: '/clusters', body, headers: { 'idempotency-key': 'shared' } });
    const other = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...body, clusterId: 'idem-2' },
      team: 'beta',
      headers: { 'idempotency-key': 'shared' },
    });
    expect(other.status).toBe(202);
  });

  it('rejects malformed keys', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body,
      headers: { 'idempotency-key': 'x'.repeat(300) },
    });
    expect(reply.status).toBe(400);
    expect(api.deps.store.writes).toBe(0);
  });
});
