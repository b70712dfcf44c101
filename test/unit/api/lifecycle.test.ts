/** GET, list, PATCH, DELETE, keepalive and the timeline, through the real handlers with fakes. */
import { jest } from '@jest/globals';
import { DependencyUnavailableError } from '../../../core/errors.ts';
import { Api } from './harness.ts';

describe('GET /clusters/{clusterId} and GET /clusters', () => {
  it('shows a team its own clusters and answers 404 for another team’s; admins see every team', async () => {
    const api = new Api();
    await api.cluster('alpha-1', 'READY', 'alpha');
    await api.cluster('beta-1', 'READY', 'beta');

    expect(
      (await api.call('GET /clusters/{clusterId}', { path: '/clusters/alpha-1', team: 'alpha' })).status,
    ).toBe(200);
    const hidden = await api.call('GET /clusters/{clusterId}', { path: '/clusters/beta-1', team: 'alpha' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.detail).not.toContain('team beta');
    // Ids are unique within a team: an admin names the other team's cluster with ?team=.
    expect(
      (await api.call('GET /clusters/{clusterId}', { path: '/clusters/beta-1', team: 'alpha', admin: true }))
        .status,
    ).toBe(404);
    expect(
      (
        await api.call('GET /clusters/{clusterId}', {
          path: '/clusters/beta-1',
          query: { team: 'beta' },
          team: 'alpha',
          admin: true,
        })
      ).status,
    ).toBe(200);
    // A member naming another team learns nothing more than "not found".
    const named = await api.call('GET /clusters/{clusterId}', {
      path: '/clusters/beta-1',
      query: { team: 'beta' },
      team: 'alpha',
    });
    expect(named.status).toBe(404);
    expect(JSON.stringify(named.body)).not.toMatch(/READY|beta-user/);

    const mine = await api.call('GET /clusters', { path: '/clusters', team: 'alpha' });
    expect(mine.body.items.map((cluster: { clusterId: string }) => cluster.clusterId)).toEqual(['alpha-1']);
    const everyone = await api.call('GET /clusters', { path: '/clusters', team: 'alpha', admin: true });
    expect(everyone.body.items.map((cluster: { clusterId: string }) => cluster.clusterId).sort()).toEqual([
      'alpha-1',
      'beta-1',
    ]);
  });

  it('never returns the secret name, the owning execution or a password', async () => {
    const api = new Api();
    await api.cluster('plain');
    const reply = await api.call('GET /clusters/{clusterId}', { path: '/clusters/plain' });
    expect(reply.body).not.toHaveProperty('secretName');
    expect(reply.body).not.toHaveProperty('execution');
    expect(JSON.stringify(reply.body)).not.toMatch(/generated-password/);
  });

  it('lists newest first, filters by status, pages with limit and nextToken, and rejects bad queries', async () => {
    const api = new Api();
    for (const [index, id] of ['c1', 'c2', 'c3'].entries()) {
      api.deps.clock.advance(60 * (index + 1));
      await api.cluster(id, id === 'c2' ? 'CREATE_FAILED' : 'READY');
    }
    const first = await api.call('GET /clusters', { path: '/clusters', query: { limit: '2' } });
    expect(first.body.items.map((cluster: { clusterId: string }) => cluster.clusterId)).toEqual(['c3', 'c2']);
    const second = await api.call('GET /clusters', {
      path: '/clusters',
      query: { limit: '2', nextToken: first.body.nextToken },
    });
    expect(second.body.items.map((cluster: { clusterId: string }) => cluster.clusterId)).toEqual(['c1']);
    expect(second.body.nextToken).toBeUndefined();
    const failed = await api.call('GET /clusters', { path: '/clusters', query: { status: 'CREATE_FAILED' } });
    expect(failed.body.items.map((cluster: { clusterId: string }) => cluster.clusterId)).toEqual(['c2']);
    const badQueries: Record<string, string>[] = [
      { limit: '0' },
      { limit: '101' },
      { limit: 'ten' },
      { status: 'RUNNING' },
      { other: 'x' },
    ];
    for (const query of badQueries) {
      expect((await api.call('GET /clusters', { path: '/clusters', query })).status).toBe(400);
    }
  });

  it('answers 404 for ids no cluster can have', async () => {
    const api = new Api();
    expect((await api.call('GET /clusters/{clusterId}', { path: '/clusters/bad_id' })).status).toBe(404);
  });
});

describe('PATCH /clusters/{clusterId}', () => {
  it('starts an update that sends only what changed and keeps every other parameter', async () => {
    const api = new Api();
    await api.cluster('up-1');
    const reply = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/up-1',
      body: { maxDynamicAgents: 7 },
    });

    expect(reply.status).toBe(202);
    expect(reply.body.status).toBe('UPDATING');
    expect(reply.body.parameters.maxDynamicAgents).toBe(5);
    expect(reply.body.pendingParameters.maxDynamicAgents).toBe(7);
    const update = api.deps.workflows.started.find((started) => started.operation === 'update');
    const sent = (update?.input.stack as { parameters: Record<string, unknown>[] }).parameters;
    expect(sent.filter((parameter) => parameter.ParameterValue !== undefined)).toEqual([
      { ParameterKey: 'MaxDynamicAgents', ParameterValue: '7' },
    ]);
    expect(sent.filter((parameter) => parameter.UsePreviousValue === true).length).toBe(sent.length - 1);
  });

  it.each([
    ['an update', 'up-lost', { maxDynamicAgents: 7 }, 'update'],
    ['an upgrade', 'upg-lost', { determinedVersion: '0.38.1' }, 'upgrade'],
  ])(
    'starts %s exactly once when neither StartExecution nor DescribeExecution answers (ADR 0033)',
    async (_name, id, body, operation) => {
      const api = new Api();
      const record = await api.cluster(id);
      if (!record) throw new Error('no record');
      record.parameters = { ...record.parameters, determinedVersion: '0.38.0' };
      const patch = () => api.call('PATCH /clusters/{clusterId}', { path: `/clusters/${id}`, body });
      const ours = () => api.deps.workflows.started.filter((started) => started.operation === operation);

      // Not started: the record is given back as failed-to-start, the stack untouched.
      api.deps.workflows.ambiguousNext = { started: false };
      expect((await patch()).status).toBe(503);
      expect(api.deps.store.record(id)).toMatchObject({ status: 'UPDATE_FAILED' });
      expect(api.deps.store.record(id)?.statusReason).toContain('could not start the');
      expect(api.deps.store.record(id)?.pendingParameters).toBeUndefined();
      expect(ours()).toHaveLength(0);

      // Started and claimed although no answer said so: accepted, one workflow.
      api.deps.workflows.ambiguousNext = {
        started: true,
        onStarted: (name) => api.deps.store.claimed.set(`alpha#${id}`, name),
      };
      const accepted = await patch();
      expect(accepted.status).toBe(202);
      expect(api.deps.store.record(id)?.status).toBe('UPDATING');
      expect(ours()).toHaveLength(1);
      expect(api.deps.store.record(id)?.execution).toBe(ours()[0]?.name);
    },
  );

  it('changes control-plane settings without touching the stack', async () => {
    const api = new Api();
    await api.cluster('up-2');
    // `protected` is the platform team's to set: an admin names the team's cluster with ?team=.
    const reply = await api.call('PATCH /clusters/{clusterId}', {
      path: '/clusters/up-2',
      query: { team: 'alpha' },
      admin: true,
      team: 'platform',
      body: { idleTimeout: '2h', protected: true },
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({
      status: 'READY',
      idle: { idleTimeout: '2h' },
      parameters: { protected: true },
    });
    expect(api.deps.workflows.started.filter((started) => started.operation === 'update')).toHaveLength(0);
  });

  it('refuses changes while a workflow owns the cluster, and bad or empty patches', async () => {
    const api = new Api();
    await api.cluster('busy', 'CREATING');
    expect(
      (
        await api.call('PATCH /clusters/{clusterId}', {
          path: '/clusters/busy',
          body: { maxDynamicAgents: 2 },
        })
      ).status,
    ).toBe(409);
    await api.cluster('ok');
    expect((await api.call('PATCH /clusters/{clusterId}', { path: '/clusters/ok', body: {} })).status).toBe(
      400,
    );
    expect(
      (await api.call('PATCH /clusters/{clusterId}', { path: '/clusters/ok', body: { keypair: 'other' } }))
        .status,
    ).toBe(400);
    expect(
      (await api.call('PATCH /clusters/{clusterId}', { path: '/clusters/ok', body: { spotMaxPrice: '1.2' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await api.call('PATCH /clusters/{clusterId}', {
          path: '/clusters/ok',
          body: { spot: true, spotMaxPrice: '1.2' },
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await api.call('PATCH /clusters/{clusterId}', {
          path: '/clusters/ok',
          body: { maxDynamicAgents: 1 },
          team: 'beta',
        })
      ).status,
    ).toBe(404);
  });
});

describe('DELETE /clusters/{clusterId}', () => {
  it('starts the delete workflow, keeping data unless purge is asked', async () => {
    const api = new Api();
    await api.cluster('del-1');
    await api.cluster('del-2');
    const keep = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/del-1' });
    const purge = await api.call('DELETE /clusters/{clusterId}', {
      path: '/clusters/del-2',
      query: { purge: 'true' },
    });
    expect(keep.status).toBe(202);
    expect(keep.body.status).toBe('DELETING');
    const inputs = api.deps.workflows.started
      .filter((started) => started.operation === 'delete')
      .map((started) => started.input);
    expect(inputs.map((input) => [input.clusterId, input.purge])).toEqual([
      ['del-1', false],
      ['del-2', true],
    ]);
    expect(Number(inputs[0]?.recordTtl)).toBe(Math.floor(api.deps.clock.now().getTime() / 1000) + 30 * 86400);
    expect(purge.body.deleteRequested.purge).toBe(true);
  });

  it('answers 503 and leaves the cluster as it was when the delete workflow does not start (ADR 0033)', async () => {
    const api = new Api();
    await api.cluster('stays');
    const before = api.deps.store.record('stays');
    api.deps.workflows.ambiguousNext = { started: false };
    const reply = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/stays' });
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('5');
    const after = api.deps.store.record('stays');
    expect(after).toMatchObject({ status: 'READY', execution: before?.execution });
    expect(after?.deleteRequested).toBeUndefined();
    expect(after?.statusReason).toBeUndefined();

    const retry = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/stays' });
    expect(retry.status).toBe(202);
    expect(retry.body.status).toBe('DELETING');
  });

  it('starts a delete sent again after the Retry-After of a 503 that could not give the record back: one delete workflow', async () => {
    const api = new Api();
    await api.cluster('stuck');
    api.deps.workflows.ambiguousNext = { started: false };
    const release = jest
      .spyOn(api.deps.store, 'releaseUnclaimed')
      .mockRejectedValueOnce(new DependencyUnavailableError('dynamodb'));
    const first = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/stuck' });
    expect([first.status, first.headers['retry-after']]).toEqual([503, '30']);
    release.mockRestore();
    const stranded = api.deps.store.record('stuck');
    expect(stranded?.status).toBe('DELETING');

    // Too early (a request may still be starting it): answered as any delete in progress.
    api.deps.clock.advance(10);
    const early = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/stuck' });
    expect([early.status, early.body.status]).toEqual([202, 'DELETING']);
    expect(api.deps.workflows.started.filter((started) => started.operation === 'delete')).toHaveLength(0);
    api.deps.clock.advance(20);
    const retry = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/stuck' });
    expect(retry.status).toBe(202);
    const deletes = api.deps.workflows.started.filter((started) => started.operation === 'delete');
    expect(deletes).toHaveLength(1);
    expect(api.deps.store.record('stuck')).toMatchObject({ status: 'DELETING', execution: deletes[0]?.name });
    expect(deletes[0]?.name).not.toBe(stranded?.execution);
    // Sent once more while that workflow runs: accepted, nothing started.
    const again = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/stuck' });
    expect(again.status).toBe(202);
    expect(api.deps.workflows.started.filter((started) => started.operation === 'delete')).toHaveLength(1);
  });

  it('accepts a delete whose workflow claimed the record although neither start nor describe answered', async () => {
    const api = new Api();
    await api.cluster('goes');
    api.deps.workflows.ambiguousNext = {
      started: true,
      onStarted: (name) => api.deps.store.claimed.set('alpha#goes', name),
    };
    const reply = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/goes' });
    expect(reply.status).toBe(202);
    expect(api.deps.store.record('goes')?.status).toBe('DELETING');
  });

  it('during a create, asks the running workflow to delete when done instead of interleaving', async () => {
    const api = new Api();
    await api.cluster('racing', 'CREATING');
    const reply = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/racing' });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ status: 'CREATING', deleteRequested: { purge: false } });
    expect(api.deps.workflows.started.filter((started) => started.operation === 'delete')).toHaveLength(0);
  });

  it('is idempotent while deleting, 409 once deleted, 404 for another team', async () => {
    const api = new Api();
    await api.cluster('gone');
    await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/gone' });
    expect((await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/gone' })).status).toBe(202);
    expect(api.deps.workflows.started.filter((started) => started.operation === 'delete')).toHaveLength(1);
    (api.deps.store.record('gone') as { status: string }).status = 'DELETED';
    expect((await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/gone' })).status).toBe(409);
    await api.cluster('theirs', 'READY', 'beta');
    expect((await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/theirs' })).status).toBe(404);
    expect(
      (
        await api.call('DELETE /clusters/{clusterId}', {
          path: '/clusters/theirs',
          query: { purge: 'maybe' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('POST /clusters/{clusterId}/keepalive', () => {
  it('resets the idle clock and cancels a pending teardown', async () => {
    const api = new Api();
    const record = await api.cluster('idle-1');
    if (record)
      record.idle = {
        idleTimeout: '1h',
        idleSince: '2026-11-28T10:00:00.000Z',
        teardownAt: '2026-11-28T13:00:00.000Z',
        teardownReason: 'idle',
      };
    const reply = await api.call('POST /clusters/{clusterId}/keepalive', {
      path: '/clusters/idle-1/keepalive',
      body: { until: '2026-11-29T00:00:00Z' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.idle).toEqual({ idleTimeout: '1h', keepAliveUntil: '2026-11-29T00:00:00Z' });
    const events = await api.call('GET /clusters/{clusterId}/events', { path: '/clusters/idle-1/events' });
    expect(events.body.items[0]).toMatchObject({ kind: 'keepalive', source: 'control-plane' });
    expect(events.body.items[0].message).toContain('teardown is cancelled');
    expect(
      (
        await api.call('POST /clusters/{clusterId}/keepalive', {
          path: '/clusters/idle-1/keepalive',
          body: { until: '2020-01-01T00:00:00Z' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await api.call('POST /clusters/{clusterId}/keepalive', { path: '/clusters/idle-1/keepalive' })).status,
    ).toBe(200);
  });
});

describe('GET /clusters/{clusterId}/events', () => {
  it('pages the timeline newest first without losing or repeating an entry', async () => {
    const api = new Api();
    await api.cluster('timeline');
    for (let index = 0; index < 5; index++) {
      api.deps.clock.advance(10);
      await api.deps.store.appendEvent(
        { team: 'alpha', clusterId: 'timeline' },
        {
          at: api.deps.clock.now().toISOString(),
          source: 'control-plane',
          kind: 'note',
          message: `n${index}`,
        },
      );
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await api.call('GET /clusters/{clusterId}/events', {
        path: '/clusters/timeline/events',
        query: { limit: '2', ...(token ? { nextToken: token } : {}) },
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((entry: { message: string }) => entry.message));
      token = page.body.nextToken;
    } while (token);
    expect(seen.slice(0, 5)).toEqual(['n4', 'n3', 'n2', 'n1', 'n0']);
    expect(new Set(seen).size).toBe(seen.length);
    expect(
      (
        await api.call('GET /clusters/{clusterId}/events', {
          path: '/clusters/timeline/events',
          query: { nextToken: 'garbage' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('a request that races a workflow write', () => {
  it('reads the record again and succeeds when only the version moved (a workflow recorded its stack id)', async () => {
    const api = new Api();
    await api.cluster('racy');
    const store = api.deps.store;
    const update = store.update.bind(store);
    let bumped = false;
    store.update = async (cluster, expect, changes) => {
      if (!bumped) {
        bumped = true;
        const record = store.record(cluster.clusterId, cluster.team);
        if (record) record.version += 1;
      }
      return update(cluster, expect, changes);
    };
    const reply = await api.call('DELETE /clusters/{clusterId}', { path: '/clusters/racy' });
    expect(reply.status).toBe(202);
    expect(reply.body.status).toBe('DELETING');
  });

  it('gives up with 409 when the record keeps changing', async () => {
    const api = new Api();
    await api.cluster('busy-record');
    const store = api.deps.store;
    const update = store.update.bind(store);
    store.update = async (cluster, expect, changes) => {
      const record = store.record(cluster.clusterId, cluster.team);
      if (record) record.version += 1;
      return update(cluster, expect, changes);
    };
    const reply = await api.call('POST /clusters/{clusterId}/keepalive', {
      path: '/clusters/busy-record/keepalive',
    });
    expect(reply.status).toBe(409);
  });
});
