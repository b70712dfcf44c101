/** One reaper run over many clusters with fakes: batching, conditional writes, warnings, teardown, dry run. */
import { reap, type ReapDeps } from '../../../core/operations/reap.ts';
import type { AgentCounter, DatabaseStates, MasterProbe, TeardownWarning } from '../../../core/ports.ts';
import { Api } from '../api/harness.ts';

/** Agents by the stack they belong to (the agent tag is named after the stack). */
class CountingAgents implements AgentCounter {
  calls: string[][] = [];
  constructor(public running: Record<string, number> = {}) {}
  async runningAgents(stacks: string[]) {
    this.calls.push(stacks);
    return new Map(
      stacks.flatMap((stack) => (this.running[stack] ? [[stack, this.running[stack] as number]] : [])),
    );
  }
}

/** The probe's whole interface is a URL: it has no way to send credentials. */
class ScriptedMasters implements MasterProbe {
  asked: string[] = [];
  constructor(public answers: Record<string, 'reachable' | 'unreachable'> = {}) {}
  async reachable(masterUrl: string) {
    this.asked.push(masterUrl);
    return this.answers[masterUrl] ?? 'reachable';
  }
}

/** Database statuses by identifier; asked once per page of stopped clusters. */
class ScriptedDatabases implements DatabaseStates {
  calls: string[][] = [];
  constructor(public states: Record<string, string> = {}) {}
  async statuses(ids: string[]) {
    this.calls.push(ids);
    return new Map(ids.flatMap((id) => (this.states[id] ? [[id, this.states[id] as string]] : [])));
  }
}

/** The stack of a cluster the harness made (test/unit/api/harness.ts records its id). */
const stackOf = (clusterId: string) => `detcp-test-${clusterId}`;

async function setup(count: number, options: { idleTimeout?: string } = {}) {
  const api = new Api();
  api.deps.settings.policies = { defaults: { maxClusters: 10_000 } };
  for (let index = 0; index < count; index++) {
    const id = `c${String(index).padStart(4, '0')}`;
    const record = await api.cluster(id);
    if (record) {
      record.idle = { idleTimeout: options.idleTimeout ?? '1h' };
      record.outputs = { masterUrl: `http://master-${id}:8080` };
    }
  }
  const agents = new CountingAgents();
  const masters = new ScriptedMasters();
  const databases = new ScriptedDatabases();
  const warnings: TeardownWarning[] = [];
  const deps: ReapDeps = {
    ...api.deps,
    agents,
    databases,
    masters,
    notifier: { teardownWarnings: async (batch) => void warnings.push(...batch) },
    reaper: { graceSeconds: 600, pageSize: 200, masterConcurrency: 10 },
  };
  return { api, deps, agents, masters, databases, warnings };
}

describe('a reaper run', () => {
  it('reads agents once per page of 200 clusters, not once per cluster', async () => {
    const { deps, agents } = await setup(450);
    const report = await reap(deps, { dryRun: true });
    expect(report.examined).toBe(450);
    expect(report.pages).toBe(4); // three of READY clusters, one (empty) of STOPPED ones
    expect(agents.calls.map((batch) => batch.length)).toEqual([200, 200, 50]);
  });

  it('takes an idle cluster from idle, to warned, to stopped under the default policy, over runs', async () => {
    const { api, deps, warnings } = await setup(1);
    api.deps.settings.policies = { defaults: { maxClusters: 10_000 } }; // idleAction: stop (built in)
    await reap(deps, { dryRun: false });
    expect(api.deps.store.record('c0000')?.idle.idleSince).toBe(api.deps.clock.now().toISOString());

    api.deps.clock.advance(3600);
    await reap(deps, { dryRun: false });
    const warned = api.deps.store.record('c0000');
    expect(warned?.idle.teardownReason).toBe('idle');
    expect(warnings).toEqual([
      expect.objectContaining({
        clusterId: 'c0000',
        team: 'alpha',
        reason: 'idle',
        message: expect.stringContaining('will be stopped'),
      }),
    ]);

    api.deps.clock.advance(600);
    await reap(deps, { dryRun: false });
    const stopping = api.deps.store.record('c0000');
    expect(stopping?.status).toBe('STOPPING');
    expect(stopping?.statusReason).toContain('reaper');
    // The idle clock starts afresh: a started cluster is not idle from before it was parked.
    expect(stopping?.idle).toEqual({ idleTimeout: '1h' });
    const started = api.deps.workflows.started.find((entry) => entry.operation === 'stop');
    expect(started?.input).toMatchObject({ team: 'alpha', clusterId: 'c0000' });
    expect(api.deps.workflows.started.some((entry) => entry.operation === 'delete')).toBe(false);
    const kinds = (api.deps.store.events.get('alpha#c0000') ?? []).map((entry) => entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['idle', 'teardown-warning', 'stop-requested']));
  });

  it('tears an idle cluster down with its data kept when the team policy says idleAction delete', async () => {
    const { api, deps } = await setup(1);
    api.deps.settings.policies = { defaults: { maxClusters: 10_000, idleAction: 'delete' } };
    await reap(deps, { dryRun: false });
    api.deps.clock.advance(3600);
    await reap(deps, { dryRun: false });
    api.deps.clock.advance(600);
    await reap(deps, { dryRun: false });
    const deleting = api.deps.store.record('c0000');
    expect(deleting?.status).toBe('DELETING');
    expect(deleting?.statusReason).toContain('reaper');
    const started = api.deps.workflows.started.find((entry) => entry.operation === 'delete');
    expect(started?.input).toMatchObject({ clusterId: 'c0000', purge: false });
    const kinds = (api.deps.store.events.get('alpha#c0000') ?? []).map((entry) => entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['idle', 'teardown-warning', 'delete-requested']));
  });

  it('judges by agents, and only asks an idle cluster’s master whether it answers, with no credentials', async () => {
    const { deps, agents, masters, api } = await setup(3);
    agents.running = { [stackOf('c0000')]: 2 };
    masters.answers = { 'http://master-c0001:8080': 'unreachable' };
    const report = await reap(deps, { dryRun: false });
    expect([...masters.asked].sort()).toEqual(['http://master-c0001:8080', 'http://master-c0002:8080']);
    expect(report.decisions).toHaveLength(2);
    expect(report.decisions).toEqual(
      expect.arrayContaining([
        {
          team: 'alpha',
          clusterId: 'c0001',
          decision: 'track',
          detail: expect.stringContaining('did not answer'),
        },
        { team: 'alpha', clusterId: 'c0002', decision: 'track', detail: 'The cluster is idle (no agents).' },
      ]),
    );
    expect(api.deps.store.record('c0000')?.idle.idleSince).toBeUndefined();
    expect(api.deps.store.record('c0001')?.idle.idleSince).toBe(api.deps.clock.now().toISOString());
  });

  it('tells two teams’ clusters apart by their stacks: one team’s agents never keep the other’s busy', async () => {
    const { deps, agents, api } = await setup(0);
    for (const [team, clusterId] of [
      ['alpha', 'dev'],
      ['beta', 'web'],
    ] as const) {
      const record = await api.cluster(clusterId, 'READY', team);
      if (record) record.idle = { idleTimeout: '1h' };
    }
    agents.running = { [stackOf('dev')]: 1 };
    const report = await reap(deps, { dryRun: false });
    expect(agents.calls).toEqual([expect.arrayContaining([stackOf('dev'), stackOf('web')])]);
    expect(report.decisions).toEqual([
      expect.objectContaining({ team: 'beta', clusterId: 'web', decision: 'track' }),
    ]);
    expect(api.deps.store.record('dev', 'alpha')?.idle.idleSince).toBeUndefined();
    expect(api.deps.store.record('web', 'beta')?.idle.idleSince).toBeDefined();
  });

  it('tears down an expired cluster even when it is protected (finding 6)', async () => {
    const { deps, api, agents } = await setup(1);
    const record = api.deps.store.record('c0000');
    if (record) {
      record.parameters.protected = true;
      record.idle = { idleTimeout: 'never', expiresAt: '2026-11-28T11:00:00.000Z' };
    }
    agents.running = { [stackOf('c0000')]: 3 };
    await reap(deps, { dryRun: false });
    expect(api.deps.store.record('c0000')?.idle.teardownReason).toBe('expired');
    api.deps.clock.advance(600);
    await reap(deps, { dryRun: false });
    expect(api.deps.store.record('c0000')?.status).toBe('DELETING');
    expect(api.deps.store.record('c0000')?.statusReason).toContain('expired');
  });

  it('skips a cluster that changed between the read and the write (conditional write)', async () => {
    const { deps, api } = await setup(1);
    const real = api.deps.store.listReapable.bind(api.deps.store);
    api.deps.store.listReapable = async (query) => {
      const page = await real(query);
      // A keepalive lands after the reaper read the page.
      const record = api.deps.store.record('c0000');
      if (record) record.version += 1;
      return page;
    };
    const report = await reap(deps, { dryRun: false });
    expect(report.decisions).toHaveLength(1);
    expect(report.errors).toEqual([]);
    expect(api.deps.store.record('c0000')?.idle.idleSince).toBeUndefined();
  });

  it('reports in dry-run mode what it would do, and changes nothing', async () => {
    const { deps, api } = await setup(2);
    for (const id of ['c0000', 'c0001']) {
      const record = api.deps.store.record(id);
      if (record)
        record.idle = {
          idleTimeout: '1h',
          idleSince: '2026-11-28T09:00:00.000Z',
          teardownAt: '2026-11-28T11:00:00.000Z',
          teardownReason: 'idle',
        };
    }
    const writes = api.deps.store.writes;
    const report = await reap(deps, { dryRun: true });
    expect(report.decisions.map((entry) => entry.decision)).toEqual(['teardown', 'teardown']);
    expect(report.decisions[0]?.detail).toContain('idle since');
    expect(api.deps.store.writes).toBe(writes);
    expect(api.deps.workflows.started.filter((entry) => entry.operation === 'delete')).toHaveLength(0);
  });

  describe('stopped clusters', () => {
    async function stopped(count: number) {
      const context = await setup(0);
      for (let index = 0; index < count; index++) {
        const id = `s${index}`;
        const record = await context.api.cluster(id, 'STOPPED');
        if (record) {
          record.outputs = { ...record.outputs, databaseInstanceId: `db-${id}` };
          record.stoppedAt = context.api.deps.clock.now().toISOString();
          record.idle = { idleTimeout: '1h' };
        }
      }
      return context;
    }

    it('stops a database that AWS started again, asking RDS once for the whole page', async () => {
      const { api, deps, databases } = await stopped(3);
      databases.states = { 'db-s0': 'stopped', 'db-s1': 'available', 'db-s2': 'starting' };
      const report = await reap(deps, { dryRun: false });
      expect(databases.calls.map((batch) => [...batch].sort())).toEqual([['db-s0', 'db-s1', 'db-s2']]);
      expect(report.decisions.map((entry) => [entry.clusterId, entry.decision]).sort()).toEqual([
        ['s1', 'restop'],
        ['s2', 'restop'],
      ]);
      expect(api.deps.store.record('s0')?.status).toBe('STOPPED');
      const s1 = api.deps.store.record('s1');
      expect(s1?.status).toBe('STOPPING');
      expect(s1?.statusReason).toContain('after 7 days stopped');
      const stops = api.deps.workflows.started.filter((entry) => entry.operation === 'stop');
      expect(stops.map((entry) => entry.input.clusterId).sort()).toEqual(['s1', 's2']);
    });

    it('warns about and then deletes a cluster stopped longer than stoppedTeardownAfter, data kept', async () => {
      const { api, deps, warnings } = await stopped(1);
      api.deps.settings.policies = { defaults: { maxClusters: 10_000, stoppedTeardownAfter: '48h' } };
      api.deps.clock.advance(47 * 3600);
      expect((await reap(deps, { dryRun: false })).decisions).toEqual([]);
      api.deps.clock.advance(3600);
      await reap(deps, { dryRun: false });
      expect(api.deps.store.record('s0')?.idle.teardownReason).toBe('stopped');
      expect(warnings).toEqual([expect.objectContaining({ clusterId: 's0', reason: 'stopped' })]);
      api.deps.clock.advance(600);
      await reap(deps, { dryRun: false });
      const deleting = api.deps.store.record('s0');
      expect(deleting?.status).toBe('DELETING');
      expect(deleting?.statusReason).toContain('stoppedTeardownAfter 48h');
      expect(api.deps.workflows.started.filter((entry) => entry.operation !== 'create')).toEqual([
        expect.objectContaining({ operation: 'delete', input: expect.objectContaining({ purge: false }) }),
      ]);
    });

    it('deletes an expired stopped cluster after the grace', async () => {
      const { api, deps } = await stopped(1);
      const record = api.deps.store.record('s0');
      if (record) record.idle = { idleTimeout: '1h', expiresAt: api.deps.clock.now().toISOString() };
      api.deps.clock.advance(1);
      await reap(deps, { dryRun: false });
      expect(api.deps.store.record('s0')?.idle.teardownReason).toBe('expired');
      api.deps.clock.advance(600);
      await reap(deps, { dryRun: false });
      expect(api.deps.store.record('s0')?.status).toBe('DELETING');
    });

    it('a start during the grace withdraws a stopped-too-long warning', async () => {
      const { api, deps } = await stopped(1);
      api.deps.settings.policies = { defaults: { maxClusters: 10_000, stoppedTeardownAfter: '1h' } };
      api.deps.clock.advance(3600);
      await reap(deps, { dryRun: false });
      expect(api.deps.store.record('s0')?.idle.teardownAt).toBeDefined();
      const started = await api.call('POST /clusters/{clusterId}/start', { path: '/clusters/s0/start' });
      expect(started.status).toBe(202);
      expect(api.deps.store.record('s0')?.idle).toEqual({ idleTimeout: '1h' });
    });
  });

  describe('schedules', () => {
    const schedule = { timezone: 'UTC', autostop: '0 19 * * *', autostart: '0 8 * * *' };

    it('stops at autostop and starts at autostart, and leaves a cluster started by hand alone until the next autostop', async () => {
      const { api, deps } = await setup(1, { idleTimeout: 'never' });
      const record = api.deps.store.record('c0000');
      if (record) {
        record.parameters = { ...record.parameters, schedule };
        record.idle = { idleTimeout: 'never', scheduleCheckedAt: api.deps.clock.now().toISOString() };
      }
      // 12:00 -> 19:01: autostop fired.
      api.deps.clock.advance(7 * 3600 + 60);
      const evening = await reap(deps, { dryRun: false });
      expect(evening.decisions).toEqual([
        expect.objectContaining({
          clusterId: 'c0000',
          decision: 'schedule-stop',
          detail: expect.stringContaining('autostop'),
        }),
      ]);
      const stopping = api.deps.store.record('c0000');
      expect(stopping?.status).toBe('STOPPING');
      expect(stopping?.statusReason).toContain('As scheduled');
      expect(stopping?.idle.scheduleCheckedAt).toBe(api.deps.clock.now().toISOString());

      // The stop workflow ends; the next morning autostart fires.
      if (stopping) stopping.status = 'STOPPED';
      expect((await reap(deps, { dryRun: false })).decisions).toEqual([]);
      api.deps.clock.advance(13 * 3600);
      const morning = await reap(deps, { dryRun: false });
      expect(morning.decisions).toEqual([expect.objectContaining({ decision: 'schedule-start' })]);
      expect(api.deps.store.record('c0000')?.status).toBe('STARTING');
      expect(
        api.deps.workflows.started
          .filter((entry) => entry.operation !== 'create')
          .map((entry) => entry.operation),
      ).toEqual(['stop', 'start']);
    });

    it('notes a firing that finds the cluster as asked, without a workflow', async () => {
      const { api, deps } = await setup(1, { idleTimeout: 'never' });
      const record = api.deps.store.record('c0000');
      if (record) {
        record.parameters = { ...record.parameters, schedule };
        record.idle = { idleTimeout: 'never', scheduleCheckedAt: api.deps.clock.now().toISOString() };
      }
      // 12:00 -> 08:01 next day: autostop (19:00) then autostart (08:00) fired; the later one, start, finds it READY.
      api.deps.clock.advance(20 * 3600 + 60);
      const report = await reap(deps, { dryRun: false });
      expect(report.decisions).toEqual([expect.objectContaining({ decision: 'schedule-noted' })]);
      expect(api.deps.store.record('c0000')?.status).toBe('READY');
      expect(api.deps.workflows.started.filter((entry) => entry.operation !== 'create')).toEqual([]);
    });
  });
});
