/**
 * Issue 18's findings that the API itself answers, through the real middy handlers with fakes: each
 * test names its finding. Workflow, reaper, gateway and store findings are tested beside their code
 * (docs/security.md lists where).
 */
import { createHash } from 'node:crypto';
import { fingerprint } from '../../../functions/http/middleware/idempotency.ts';
import { fakeDeps } from '../../support/fakes.ts';
import { Api, FINGERPRINT_KEY, ROUTES } from './harness.ts';

const valid = { clusterId: 'sec-1', keypair: 'demo-key' };

describe('finding 4: clusters are namespaced by team', () => {
  it('keeps a live id its team’s: another team gets a generic 409, nothing written, and reads nothing', async () => {
    const api = new Api();
    const alpha = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'dev' },
    });
    const writes = api.deps.store.writes;
    const beta = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'dev' },
      team: 'beta',
      sub: 'bob',
    });
    expect([alpha.status, beta.status]).toEqual([202, 409]);
    expect(beta.body.detail).toBe('Cluster id dev is not available; choose another id.');
    expect(JSON.stringify(beta.body)).not.toMatch(/alpha|CREATING/);
    expect(api.deps.store.writes).toBe(writes);
    expect(api.deps.store.quota.get('beta') ?? 0).toBe(0);
    const seenByAlpha = await api.call('GET /clusters/{clusterId}', { path: '/clusters/dev' });
    const seenByBeta = await api.call('GET /clusters/{clusterId}', { path: '/clusters/dev', team: 'beta' });
    expect(seenByAlpha.body).toMatchObject({ team: 'alpha', owner: 'alpha-user' });
    expect(seenByBeta.status).toBe(404);
  });

  it('keeps a torn-down cluster’s history and retained data its team’s, even when another team reuses the id', async () => {
    const api = new Api();
    const first = await api.cluster('shared', 'DELETED', 'alpha');
    if (first)
      first.retained = { checkpointBucket: 'b-1', dbSnapshot: 's-1', secretName: first.secretName ?? '' };
    await api.deps.store.appendEvent(
      { team: 'alpha', clusterId: 'shared' },
      {
        at: '2026-11-28T12:00:00.000Z',
        source: 'control-plane',
        kind: 'deleted',
        message: 'kept bucket b-1',
      },
    );

    const taken = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'shared' },
      team: 'beta',
      sub: 'bob',
    });
    expect(taken.status).toBe(202);
    expect(JSON.stringify(taken.body)).not.toMatch(/alpha|b-1|s-1/);
    const timeline = await api.call('GET /clusters/{clusterId}/events', {
      path: '/clusters/shared/events',
      team: 'beta',
    });
    expect(JSON.stringify(timeline.body)).not.toMatch(/alpha|b-1/);

    // Team alpha still restores from its own torn-down cluster; beta cannot name it.
    const restoredByBeta = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'steal', restoreFrom: 'shared' },
      team: 'beta',
    });
    expect(restoredByBeta.status).toBe(400);
    const restored = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'again', restoreFrom: 'shared' },
    });
    expect(restored.status).toBe(202);
    expect(api.deps.store.record('shared', 'alpha')?.restoredInto).toBe('again');
  });
});

describe('finding 6: policy is policy', () => {
  it.each([
    ['a create', 'POST /clusters', '/clusters', undefined, { ...valid, protected: true }],
    ['a dry run', 'POST /clusters', '/clusters', { dryRun: 'true' }, { ...valid, protected: true }],
    ['a PATCH', 'PATCH /clusters/{clusterId}', '/clusters/prot', undefined, { protected: true }],
  ] as const)(
    'refuses `protected` from a member on %s with 403, writing nothing',
    async (_name, route, path, query, body) => {
      const api = new Api();
      await api.cluster('prot');
      const writes = api.deps.store.writes;
      const reply = await api.call(route, { path, body, ...(query ? { query } : {}) });
      expect(reply.status).toBe(403);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(reply.body.type).toBe('urn:det-control-plane:problem:forbidden');
      expect(api.deps.store.writes).toBe(writes);
    },
  );

  it('lets an admin protect a cluster, and a member send `protected` only as it is', async () => {
    const api = new Api();
    const admin = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, protected: true },
      admin: true,
    });
    expect(admin.status).toBe(202);
    expect(admin.body.parameters.protected).toBe(true);
    const same = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'sec-2', protected: false },
    });
    expect(same.status).toBe(202);
  });

  it('bounds keepalive `until` by the policy’s maxKeepalive (default 168h): beyond it 400', async () => {
    const api = new Api();
    await api.cluster('alive');
    const keep = (until: string) =>
      api.call('POST /clusters/{clusterId}/keepalive', {
        path: '/clusters/alive/keepalive',
        body: { until },
      });
    const forever = await keep('9999-12-31T23:59:59Z');
    expect(forever.status).toBe(400);
    expect(forever.body.errors[0]).toMatchObject({
      field: 'until',
      message: expect.stringContaining('168h'),
    });
    const now = api.deps.clock.now().getTime();
    expect((await keep(new Date(now + 169 * 3600_000).toISOString())).status).toBe(400);
    expect((await keep(new Date(now + 167 * 3600_000).toISOString())).status).toBe(200);
  });

  it('applies a team’s own maxKeepalive', async () => {
    const api = new Api(fakeDeps({ policies: { teams: { alpha: { maxKeepalive: '2h' } } } }));
    await api.cluster('short');
    const now = api.deps.clock.now().getTime();
    const reply = await api.call('POST /clusters/{clusterId}/keepalive', {
      path: '/clusters/short/keepalive',
      body: { until: new Date(now + 3 * 3600_000).toISOString() },
    });
    expect(reply.status).toBe(400);
  });

  it('never lets a keepalive call off a teardown for expiry', async () => {
    const api = new Api();
    const record = await api.cluster('expiring');
    if (record)
      record.idle = {
        idleTimeout: '1h',
        expiresAt: '2026-11-28T11:00:00.000Z',
        teardownAt: '2026-11-28T12:10:00.000Z',
        teardownReason: 'expired',
      };
    const reply = await api.call('POST /clusters/{clusterId}/keepalive', {
      path: '/clusters/expiring/keepalive',
    });
    expect(reply.status).toBe(200);
    expect(api.deps.store.record('expiring')?.idle).toMatchObject({
      teardownAt: '2026-11-28T12:10:00.000Z',
      teardownReason: 'expired',
    });
  });
});

describe('finding 8: the team claim is a bounded string', () => {
  it.each([
    ['missing', { sub: 'x' }],
    ['empty', { sub: 'x', team: '' }],
    ['null as text', { sub: 'x', team: 'null' }],
    ['true as text', { sub: 'x', team: 'true' }],
    ['a number as text', { sub: 'x', team: '123' }],
    ['a list as API Gateway renders it', { sub: 'x', team: '[a b]' }],
    ['an object as API Gateway renders it', { sub: 'x', team: 'map[a:b]' }],
    ['with a key separator', { sub: 'x', team: 'a#b' }],
    ['too long', { sub: 'x', team: `t${'e'.repeat(64)}` }],
  ])('answers 401 to a team claim that is %s, before anything is read', async (_name, claims) => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: valid,
      claims: { ...claims, scope: 'clusters:write' },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(api.deps.store.writes).toBe(0);
  });
});

describe('finding 12: a lone UTF-16 surrogate anywhere in a body is a 400', () => {
  it.each([
    ['a tag value', '{"clusterId":"sur-1","keypair":"demo-key","tags":{"k":"\\ud800"}}', 'tags.k'],
    ['a tag key', '{"clusterId":"sur-1","keypair":"demo-key","tags":{"\\udc00":"v"}}', 'tags.\udc00'],
    ['the key pair', '{"clusterId":"sur-1","keypair":"demo\\ud83d"}', 'keypair'],
  ])('in %s', async (_name, rawBody, field) => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      rawBody,
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].field).toBe(field);
    expect(api.deps.store.writes).toBe(0);
  });

  it('accepts a well-formed pair (an emoji) where a value may hold one', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      rawBody: '{"clusterId":"sur-2","keypair":"demo-key","tags":{"k":"\\ud83d\\ude00"}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(202);
  });
});

describe('finding 13: idempotency fingerprints are keyed and hold no secret', () => {
  const post = (api: Api, dbPassword: string, key = 'fp-1') =>
    api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, dbPassword },
      headers: { 'idempotency-key': key },
    });

  it('stores an HMAC under the control plane’s key, not a hash of the body', async () => {
    const api = new Api();
    await post(api, 'Guessable-1');
    const [entry] = [...api.idempotency.entries.values()];
    const raw = JSON.stringify({ ...valid, dbPassword: 'Guessable-1' });
    const plain = createHash('sha256').update(`POST /clusters?{}\n${raw}`).digest('hex');
    expect(entry?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(entry?.fingerprint).not.toBe(plain);
    expect(entry?.fingerprint).not.toBe(createHash('sha256').update(raw).digest('hex'));
  });

  it('leaves the password out: guessing it from the stored fingerprint is impossible even with the key', async () => {
    const request = (dbPassword: string) => ({
      method: 'POST',
      rawPath: '/clusters',
      query: {},
      body: { ...valid, dbPassword },
    });
    const first = fingerprint(request('Guessable-1') as never, FINGERPRINT_KEY);
    expect(fingerprint(request('Another-pass-2') as never, FINGERPRINT_KEY)).toBe(first);
    expect(
      fingerprint(request('Guessable-1') as never, Buffer.from('another key, another fingerprint')),
    ).not.toBe(first);
    expect(
      fingerprint(
        { ...request('Guessable-1'), body: { ...valid, clusterId: 'sec-9' } } as never,
        FINGERPRINT_KEY,
      ),
    ).not.toBe(first);
  });
});

describe('finding 14: scopes are enforced per route', () => {
  const routes = Object.entries(ROUTES).map(([key, route]) => [key, route.scope] as const);

  it.each(routes)(
    '%s needs clusters:%s: 403 problem+json without it, nothing read or written',
    async (key, scope) => {
      const api = new Api();
      await api.cluster('scoped');
      const writes = api.deps.store.writes;
      const started = api.deps.workflows.started.length;
      const other = scope === 'read' ? 'clusters:write' : 'clusters:read';
      const path = ROUTES[key]?.route.replace('{clusterId}', 'scoped') ?? '';
      const reply = await api.call(key, {
        path,
        body:
          key === 'POST /clusters' ? valid : key.startsWith('PATCH') ? { maxDynamicAgents: 2 } : undefined,
        headers: { 'idempotency-key': 'scope-1' },
        claims: { sub: 'reader', team: 'alpha', scope: other },
      });
      expect(reply.status).toBe(403);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(reply.body.detail).toContain(`clusters:${scope}`);
      expect(api.deps.store.writes).toBe(writes);
      expect(api.deps.workflows.started).toHaveLength(started);
      expect(api.idempotency.entries.size).toBe(0);
    },
  );

  it('lets a clusters:read token read, and an admin token do everything', async () => {
    const api = new Api();
    await api.cluster('scoped');
    const read = { claims: { sub: 'reader', team: 'alpha', scope: 'clusters:read' } };
    expect((await api.call('GET /clusters', { path: '/clusters', ...read })).status).toBe(200);
    expect((await api.call('GET /clusters/{clusterId}', { path: '/clusters/scoped', ...read })).status).toBe(
      200,
    );
    const admin = { claims: { sub: 'ops', team: 'alpha', scope: 'clusters:admin' } };
    expect(
      (await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/scoped', ...admin })).status,
    ).toBe(202);
  });
});

describe('finding 16: a refusal never tells about another team', () => {
  it('answers another team’s create of a live id with a 409 that names neither the team, the owner nor the status', async () => {
    const api = new Api();
    for (const status of ['READY', 'CREATE_FAILED', 'CREATING'] as const) {
      const clusterId = `dup-${status.toLowerCase().replace('_', '-')}`;
      await api.cluster(clusterId, status, 'alpha');
      const reply = await api.call('POST /clusters', {
        path: '/clusters',
        body: { ...valid, clusterId },
        team: 'beta',
      });
      expect(reply.status).toBe(409);
      expect(JSON.stringify(reply.body)).not.toMatch(/alpha|READY|FAILED|CREATING/);
    }
  });

  it('answers a team’s own duplicate with 409 about its own cluster only', async () => {
    const api = new Api();
    await api.cluster('dup', 'DELETED', 'beta');
    await api.cluster('dup', 'READY', 'alpha');
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, clusterId: 'dup' },
    });
    expect(reply.status).toBe(409);
    expect(reply.body.detail).toContain('READY');
    expect(JSON.stringify(reply.body)).not.toContain('beta');
  });
});

describe('finding 2 (its request side, pending the fidelity work): a key-pair name is one printable line', () => {
  it.each(['k\nMASTER_YAML\necho pwned', ' leading', 'trailing ', 'tab\there', ''])(
    'refuses %j with a 400 on keypair, writing nothing',
    async (keypair) => {
      const api = new Api();
      const reply = await api.call('POST /clusters', { path: '/clusters', body: { ...valid, keypair } });
      expect(reply.status).toBe(400);
      expect(reply.body.errors[0].field).toBe('keypair');
      expect(api.deps.store.writes).toBe(0);
    },
  );

  it('accepts names EC2 accepts, spaces and punctuation inside', async () => {
    const api = new Api();
    api.deps.keyPairs.pairs['ops key #2'] = undefined;
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: { ...valid, keypair: 'ops key #2' },
    });
    expect(reply.status).toBe(202);
  });
});
