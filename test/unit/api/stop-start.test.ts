/** POST /clusters/{id}/stop and /start through the real handlers with fakes (contract, "Stop and start"). */
import { Api } from './harness.ts';

const stop = (api: Api, id: string, options: { team?: string; headers?: Record<string, string> } = {}) =>
  api.call('POST /clusters/{clusterId}/stop', { path: `/clusters/${id}/stop`, ...options });
const start = (api: Api, id: string, options: { team?: string; headers?: Record<string, string> } = {}) =>
  api.call('POST /clusters/{clusterId}/start', { path: `/clusters/${id}/start`, ...options });

describe('POST /clusters/{clusterId}/stop', () => {
  it('answers 202 STOPPING, hands the cluster to the stop workflow and restarts the idle clock', async () => {
    const api = new Api();
    const record = await api.cluster('park-me');
    if (record) record.idle = { idleTimeout: '1h', idleSince: '2026-01-01T00:00:00.000Z' };

    const reply = await stop(api, 'park-me');

    expect(reply.status).toBe(202);
    expect(reply.headers.location).toBe('/clusters/park-me');
    expect(reply.body).toMatchObject({ clusterId: 'park-me', status: 'STOPPING' });
    const stored = api.deps.store.record('park-me');
    expect(stored?.idle).toEqual({ idleTimeout: '1h' });
    const [started] = api.deps.workflows.started.filter((entry) => entry.operation === 'stop');
    expect(started?.input).toEqual({ team: 'alpha', clusterId: 'park-me', timing: api.deps.settings.timing });
    expect(stored?.execution).toBe(started?.name);
    const kinds = (api.deps.store.events.get('alpha#park-me') ?? []).map((entry) => entry.kind);
    expect(kinds).toContain('stop-requested');
  });

  it.each(['CREATING', 'UPDATING', 'STOPPING', 'STOPPED', 'STARTING', 'DELETING', 'CREATE_FAILED'] as const)(
    'is 409 problem+json on a %s cluster, and starts nothing',
    async (status) => {
      const api = new Api();
      await api.cluster('busy', status);
      const reply = await stop(api, 'busy');
      expect(reply.status).toBe(409);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(reply.body.detail).toContain(status);
      expect(api.deps.workflows.started.filter((entry) => entry.operation === 'stop')).toHaveLength(0);
    },
  );

  it('stops again after a failed stop or start', async () => {
    for (const status of ['STOP_FAILED', 'START_FAILED'] as const) {
      const api = new Api();
      await api.cluster('retry', status);
      expect((await stop(api, 'retry')).status).toBe(202);
    }
  });

  it('is 404 for another team’s cluster and 403 without the write scope', async () => {
    const api = new Api();
    await api.cluster('theirs', 'READY', 'beta');
    expect((await stop(api, 'theirs', { team: 'alpha' })).status).toBe(404);
    await api.cluster('mine');
    const readOnly = await api.call('POST /clusters/{clusterId}/stop', {
      path: '/clusters/mine/stop',
      claims: { sub: 'reader', team: 'alpha', scope: 'clusters:read' },
    });
    expect(readOnly.status).toBe(403);
    expect(api.deps.store.record('mine')?.status).toBe('READY');
  });

  it('refuses a body with fields (400) and takes an empty one', async () => {
    const api = new Api();
    await api.cluster('strict');
    const junk = await api.call('POST /clusters/{clusterId}/stop', {
      path: '/clusters/strict/stop',
      body: { force: true },
    });
    expect(junk.status).toBe(400);
    expect(api.deps.store.record('strict')?.status).toBe('READY');
    const empty = await api.call('POST /clusters/{clusterId}/stop', {
      path: '/clusters/strict/stop',
      body: {},
    });
    expect(empty.status).toBe(202);
  });

  it('replays the first answer for a retry with the same Idempotency-Key', async () => {
    const api = new Api();
    await api.cluster('once');
    const first = await stop(api, 'once', { headers: { 'idempotency-key': 'stop-1' } });
    const again = await stop(api, 'once', { headers: { 'idempotency-key': 'stop-1' } });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(api.deps.workflows.started.filter((entry) => entry.operation === 'stop')).toHaveLength(1);
  });

  it('records STOP_FAILED with a retryable reason when the workflow cannot be started', async () => {
    const api = new Api();
    await api.cluster('unlucky');
    api.deps.workflows.failNext = true;
    const reply = await stop(api, 'unlucky');
    expect(reply.status).toBe(500);
    expect(JSON.stringify(reply.body)).not.toContain('internal-name');
    const stored = api.deps.store.record('unlucky');
    expect(stored?.status).toBe('STOP_FAILED');
    expect(stored?.statusReason).toContain('Retry the stop');
  });
});

describe('POST /clusters/{clusterId}/start', () => {
  it('answers 202 STARTING on a STOPPED cluster and hands it to the start workflow', async () => {
    const api = new Api();
    await api.cluster('parked', 'STOPPED');
    const reply = await start(api, 'parked');
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ clusterId: 'parked', status: 'STARTING' });
    const [started] = api.deps.workflows.started.filter((entry) => entry.operation === 'start');
    expect(started?.input).toMatchObject({ team: 'alpha', clusterId: 'parked' });
  });

  it.each(['READY', 'CREATING', 'UPDATING', 'STOPPING', 'STARTING', 'DELETING', 'UPDATE_FAILED'] as const)(
    'is 409 on a %s cluster',
    async (status) => {
      const api = new Api();
      await api.cluster('not-parked', status);
      const reply = await start(api, 'not-parked');
      expect(reply.status).toBe(409);
      expect(reply.body.type).toMatch(/conflict$/);
    },
  );

  it('starts again after a failed start or stop', async () => {
    for (const status of ['START_FAILED', 'STOP_FAILED'] as const) {
      const api = new Api();
      await api.cluster('again', status);
      expect((await start(api, 'again')).status).toBe(202);
    }
  });
});

describe('a STOPPED cluster', () => {
  it('accepts reads and delete, refuses PATCH and keepalive with 409', async () => {
    const api = new Api();
    await api.cluster('parked', 'STOPPED');
    expect((await api.call('GET /clusters/{clusterId}', { path: '/clusters/parked' })).body.status).toBe(
      'STOPPED',
    );
    const listed = await api.call('GET /clusters', { path: '/clusters', query: { status: 'STOPPED' } });
    expect(listed.body.items.map((item: { clusterId: string }) => item.clusterId)).toEqual(['parked']);
    const patch = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/parked',
      body: { maxDynamicAgents: 2 },
    });
    expect(patch.status).toBe(409);
    expect(patch.body.detail).toContain('Start it first');
    const keepalive = await api.call('POST /clusters/{clusterId}/keepalive', {
      path: '/clusters/parked/keepalive',
    });
    expect(keepalive.status).toBe(409);
    const deleted = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/parked' });
    expect(deleted.status).toBe(202);
    expect(deleted.body.status).toBe('DELETING');
  });

  it('is deleted after the running stop or start when a DELETE arrives meanwhile', async () => {
    for (const status of ['STOPPING', 'STARTING'] as const) {
      const api = new Api();
      await api.cluster('moving', status);
      const deleted = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/moving' });
      expect(deleted.status).toBe(202);
      expect(deleted.body).toMatchObject({ status, deleteRequested: { purge: false } });
    }
  });
});

describe('schedules through the API', () => {
  const schedule = { timezone: 'Europe/Berlin', autostop: '0 19 * * 1-5', autostart: '0 8 * * 1-5' };

  it('takes a schedule on create and starts applying it from the request on', async () => {
    const api = new Api();
    const created = await api.call('POST /clusters', {
      path: '/clusters',
      body: { clusterId: 'office-hours', keypair: 'demo-key', schedule },
    });
    expect(created.status).toBe(202);
    expect(created.body.parameters.schedule).toEqual(schedule);
    expect(created.body.idle.scheduleCheckedAt).toBe(api.deps.clock.now().toISOString());
  });

  it('refuses a bad schedule with 400 naming the field, and writes nothing', async () => {
    const api = new Api();
    const reply = await api.call('POST /clusters', {
      path: '/clusters',
      body: {
        clusterId: 'bad',
        keypair: 'demo-key',
        schedule: { timezone: 'Europe/Berlin', autostop: '* * * * *' },
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      { field: 'schedule.autostop', message: 'may fire at most once an hour' },
    ]);
    expect(api.deps.store.record('bad')).toBeUndefined();
  });

  it('changes or clears the schedule of a STOPPED cluster (settings only), still 409 for a stack change', async () => {
    const api = new Api();
    await api.cluster('parked', 'STOPPED');
    const patched = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/parked',
      body: { schedule },
    });
    expect(patched.status).toBe(202); // PATCH answers 202 whether or not the stack changes
    expect(patched.body).toMatchObject({ status: 'STOPPED', parameters: { schedule } });
    const cleared = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/parked',
      body: { schedule: null, idleTimeout: '2h' },
    });
    expect(cleared.status).toBe(202);
    expect(cleared.body.parameters.schedule).toBeUndefined();
    expect(cleared.body.idle.scheduleCheckedAt).toBeUndefined();
    expect(api.deps.workflows.started.filter((entry) => entry.operation === 'update')).toHaveLength(0);
  });
});
