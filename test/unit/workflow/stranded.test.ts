/**
 * The watchdog's stranded-record sweep (core/workflow/stranded.ts): an in-progress record whose
 * execution is not running is released to its operation's retryable *_FAILED status, after a grace
 * period, without overriding a workflow that claimed the record and still runs.
 */
import type { ClusterRecord } from '../../../core/cluster/model.ts';
import { StaleRecordError } from '../../../core/errors.ts';
import { releaseStranded, STRANDED_GRACE_SECONDS } from '../../../core/workflow/stranded.ts';
import { restartDelete } from '../../../core/operations/delete-cluster.ts';
import { fakeDeps, InMemoryClusterStore, keyOf } from '../../support/fakes.ts';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

function record(clusterId: string, changes: Partial<ClusterRecord>): ClusterRecord {
  return {
    clusterId,
    team: 'alpha',
    owner: 'ada',
    deploymentType: 'simple',
    status: 'CREATING',
    parameters: {} as ClusterRecord['parameters'],
    outputs: {},
    createdAt: minutesAgo(30),
    updatedAt: minutesAgo(10),
    version: 1,
    idle: { idleTimeout: 'never' },
    execution: `${clusterId}-x`,
    ...changes,
  };
}

function sweep(
  store: InMemoryClusterStore,
  running: string[] = [],
  restart?: (entry: ClusterRecord) => Promise<void>,
) {
  return releaseStranded({
    ...(restart ? { restartDelete: restart } : {}),
    inProgress: async () =>
      [...store.records.values()].filter((entry) =>
        ['CREATING', 'DELETING', 'UPDATING', 'STOPPING', 'STARTING'].includes(entry.status),
      ),
    running: new Set(running),
    releaseUnclaimed: (entry, expect, changes) => store.releaseUnclaimed(entry, expect, changes),
    markOnVersion: async (entry, changes) => {
      try {
        await store.update(entry, { version: entry.version, statuses: [entry.status] }, changes);
        return true;
      } catch (error) {
        if (error instanceof StaleRecordError) return false;
        throw error;
      }
    },
    now: NOW,
  });
}

describe('stranded records', () => {
  it('moves each in-progress record without a running workflow to its retryable *_FAILED status', async () => {
    const store = new InMemoryClusterStore();
    for (const [id, status] of [
      ['c', 'CREATING'],
      ['d', 'DELETING'],
      ['u', 'UPDATING'],
      ['p', 'STOPPING'],
      ['s', 'STARTING'],
    ] as const)
      store.records.set(keyOf({ team: 'alpha', clusterId: id }), record(id, { status }));

    const report = await sweep(store);

    expect(report.errors).toBe(0);
    expect(
      Object.fromEntries([...store.records.values()].map((entry) => [entry.clusterId, entry.status])),
    ).toEqual({
      c: 'CREATE_FAILED',
      d: 'DELETE_FAILED',
      u: 'UPDATE_FAILED',
      p: 'STOP_FAILED',
      s: 'START_FAILED',
    });
    expect(store.record('c')?.statusReason).toBe(
      'The create workflow did not run to its end (it never started, or stopped without recording an outcome); create the cluster again (or delete it).',
    );
    expect(store.record('d')?.statusReason).toContain('retry the delete');
  });

  it('leaves a record whose workflow runs, and one that changed within the grace period', async () => {
    const store = new InMemoryClusterStore();
    store.records.set(
      keyOf({ team: 'alpha', clusterId: 'busy' }),
      record('busy', { updatedAt: minutesAgo(40) }),
    );
    store.records.set(
      keyOf({ team: 'alpha', clusterId: 'fresh' }),
      record('fresh', {
        updatedAt: new Date(NOW.getTime() - (STRANDED_GRACE_SECONDS - 30) * 1000).toISOString(),
      }),
    );
    store.records.set(keyOf({ team: 'alpha', clusterId: 'ready' }), record('ready', { status: 'READY' }));

    const report = await sweep(store, ['busy-x']);

    expect(report.released).toEqual([]);
    expect(store.record('busy')?.status).toBe('CREATING');
    expect(store.record('fresh')?.status).toBe('CREATING');
    expect(store.record('ready')?.status).toBe('READY');
  });

  it('marks a claimed record whose workflow ended without an outcome, but not one that changed meanwhile', async () => {
    const store = new InMemoryClusterStore();
    store.records.set(keyOf({ team: 'alpha', clusterId: 'ended' }), record('ended', {}));
    store.claimed.set('alpha#ended', 'ended-x');
    const report = await sweep(store);
    expect(report.released).toEqual([
      { clusterId: 'ended', team: 'alpha', from: 'CREATING', to: 'CREATE_FAILED' },
    ]);

    const moving = new InMemoryClusterStore();
    moving.records.set(keyOf({ team: 'alpha', clusterId: 'moving' }), record('moving', {}));
    moving.claimed.set('alpha#moving', 'moving-x');
    const stale = { ...record('moving', {}) };
    const raced = await releaseStranded({
      inProgress: async () => [stale],
      running: new Set(),
      releaseUnclaimed: (entry, expect, changes) => moving.releaseUnclaimed(entry, expect, changes),
      markOnVersion: async () => {
        // The workflow wrote READY between the listing and this write: the version no longer matches.
        throw new StaleRecordError('changed');
      },
      now: NOW,
    });
    expect(raced).toEqual({ released: [], restarted: [], errors: 1 });
    expect(moving.record('moving')?.status).toBe('CREATING');
  });

  it('starts again a delete whose workflow never started, as it was asked; not one that ran and ended', async () => {
    const deps = fakeDeps();
    const { store } = deps;
    const deleting = { status: 'DELETING' as const, deleteRequested: { purge: true, recordTtl: 1 } };
    store.records.set(keyOf({ team: 'alpha', clusterId: 'lost' }), record('lost', deleting));
    store.records.set(keyOf({ team: 'alpha', clusterId: 'ran' }), record('ran', deleting));
    store.claimed.set('alpha#ran', 'ran-x');

    const report = await sweep(store, [], (entry) => restartDelete(deps, entry));

    expect(report.restarted).toEqual([{ clusterId: 'lost', team: 'alpha' }]);
    const [again, ...more] = deps.workflows.started;
    expect(more).toEqual([]);
    expect(again).toMatchObject({ operation: 'delete', input: { clusterId: 'lost', purge: true } });
    expect(store.record('lost')).toMatchObject({ status: 'DELETING', execution: again?.name });
    expect(store.record('ran')?.status).toBe('DELETE_FAILED');
  });
});
