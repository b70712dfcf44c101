/**
 * The reaper in the emulator with an injected clock: real table, real EC2 instances tagged as a
 * cluster's agents, the real delete workflow, and a local HTTP server that answers the Determined
 * master's documented endpoints. Runs are scoped to this file's clusters (other test files share
 * the emulator), through a store that lists only them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Ec2AgentCounter } from '../../adapters/agent-counter.ts';
import { clusterPk } from '../../adapters/cluster-store.ts';
import { stackNameOf } from '../../core/cluster/naming.ts';
import { reap, type ReapDeps } from '../../core/operations/reap.ts';
import { CLUSTERS_TABLE, emulatorDeps, reapingOnly, startAgent } from '../support/emulator-deps.ts';
import { FixedClock } from '../support/fakes.ts';
import {
  call,
  DEMO_KEY_PAIR,
  emulator,
  emulatorUrl,
  tokenFor,
  uniqueId,
  waitForStatus,
} from '../support/local-api.ts';

const GRACE = 600;

/**
 * A Determined master at the recorded address, and a second listener elsewhere: the master answers
 * `/info`, or redirects every request to the other listener. Both record every request they get.
 */
function fakeMasters() {
  const seen: {
    server: 'master' | 'elsewhere';
    method: string;
    path: string;
    body: string;
    authorization?: string;
  }[] = [];
  const state = { redirect: false, elsewhere: '' };
  const listener = (name: 'master' | 'elsewhere') =>
    createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({
          server: name,
          method: request.method ?? '',
          path: request.url ?? '',
          body,
          ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        });
        if (name === 'master' && state.redirect) {
          response.writeHead(307, { location: `${state.elsewhere}/api/v1/auth/login` });
          response.end();
        } else {
          response.writeHead(request.url === '/info' ? 200 : 404, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ version: '0.38.1', cluster_id: 'c' }));
        }
      });
    });
  return { master: listener('master'), elsewhere: listener('elsewhere'), seen, state };
}

describe('the reaper in the emulator', () => {
  const clock = new FixedClock(new Date());
  const mine = new Set<string>();
  let token: string;
  let admin: string;
  let deps: ReapDeps;
  let masters: ReturnType<typeof fakeMasters>;
  let masterUrl: string;
  const ec2 = () => emulator.ec2();
  const db = () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: emulatorUrl(), region: 'us-east-1' }));

  beforeAll(async () => {
    token = await tokenFor('reaper');
    admin = await tokenFor('reaper', { admin: true });
    masters = fakeMasters();
    for (const server of [masters.master, masters.elsewhere])
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    masterUrl = `http://127.0.0.1:${(masters.master.address() as AddressInfo).port}`;
    masters.state.elsewhere = `http://127.0.0.1:${(masters.elsewhere.address() as AddressInfo).port}`;
    const emulated = emulatorDeps({
      clock,
      // The teardown path; parking idle clusters (the default idleAction) is stop-start.test.ts's.
      settings: { policies: { defaults: { idleAction: 'delete' } } },
    });
    deps = {
      ...emulated,
      store: reapingOnly(emulated.store, (cluster) => mine.has(cluster.clusterId)),
      reaper: { graceSeconds: GRACE, pageSize: 200, masterConcurrency: 10 },
    };
  });

  afterAll(async () => {
    for (const server of [masters.master, masters.elsewhere])
      await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function readyCluster(prefix: string, extra: Record<string, unknown> = {}, as = token) {
    const clusterId = uniqueId(prefix);
    const created = await call('POST', '/clusters', {
      token: as,
      body: { clusterId, keypair: DEMO_KEY_PAIR, idleTimeout: '1h', ...extra },
    });
    expect(created.status).toBe(202);
    const ready = await waitForStatus(clusterId, token, 'READY');
    mine.add(clusterId);
    return ready.body as { clusterId: string; stackId: string; outputs: Record<string, string> };
  }

  const get = async (clusterId: string) => (await call('GET', `/clusters/${clusterId}`, { token })).body;

  it('counts a cluster’s tagged agents, and only its own, in one call for many clusters', async () => {
    const [a, b] = [await readyCluster('reap-count'), await readyCluster('reap-count')];
    const agent = await startAgent(a);
    const counter = deps.agents as Ec2AgentCounter;
    const before = counter.calls;
    const [stackA, stackB] = [stackNameOf(a.stackId), stackNameOf(b.stackId)];
    const counts = await counter.runningAgents([stackA, stackB, 'no-such-stack']);
    expect(counter.calls - before).toBe(1);
    expect(counts.get(stackA)).toBe(1);
    expect(counts.get(stackB)).toBeUndefined();
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [agent] }));
    mine.delete(a.clusterId);
    mine.delete(b.clusterId);
  }, 60_000);

  it('leaves a busy cluster alone, warns an idle one, tears it down after the grace and keeps its bucket', async () => {
    const busy = await readyCluster('reap-busy');
    const idle = await readyCluster('reap-idle');
    const agent = await startAgent(busy);

    await reap(deps, { dryRun: false });
    expect((await get(idle.clusterId)).idle.idleSince).toBeDefined();
    clock.advance(3601);
    await reap(deps, { dryRun: false });
    const warned = await get(idle.clusterId);
    expect(warned.idle).toMatchObject({
      teardownReason: 'idle',
      teardownAt: new Date(clock.now().getTime() + GRACE * 1000).toISOString(),
    });
    clock.advance(GRACE + 1);
    await reap(deps, { dryRun: false });

    await waitForStatus(idle.clusterId, token, 'DELETED');
    const deleted = await get(idle.clusterId);
    expect(deleted.retained.checkpointBucket).toBe(idle.outputs.checkpointBucket);
    await expect(
      emulator.s3().send(new HeadBucketCommand({ Bucket: idle.outputs.checkpointBucket })),
    ).resolves.toBeDefined();
    const events = (
      await call('GET', `/clusters/${idle.clusterId}/events?limit=100`, { token })
    ).body.items.map((entry: { kind: string }) => entry.kind);
    expect(events).toEqual(expect.arrayContaining(['idle', 'teardown-warning', 'delete-requested']));

    const untouched = await get(busy.clusterId);
    expect(untouched).toMatchObject({ status: 'READY' });
    expect(untouched.idle.idleSince).toBeUndefined();
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [agent] }));
    mine.clear();
  }, 60_000);

  it('cancels the teardown on keepalive, and when the cluster becomes busy during the grace', async () => {
    const kept = await readyCluster('reap-keep');
    const woke = await readyCluster('reap-woke');
    await reap(deps, { dryRun: false });
    clock.advance(3601);
    await reap(deps, { dryRun: false });
    for (const id of [kept.clusterId, woke.clusterId]) expect((await get(id)).idle.teardownAt).toBeDefined();

    expect((await call('POST', `/clusters/${kept.clusterId}/keepalive`, { token })).status).toBe(200);
    const agent = await startAgent(woke);
    clock.advance(GRACE + 1);
    await reap(deps, { dryRun: false });

    for (const id of [kept.clusterId, woke.clusterId]) {
      const cluster = await get(id);
      expect(cluster.status).toBe('READY');
      expect(cluster.idle.teardownAt).toBeUndefined();
    }
    const events = (await call('GET', `/clusters/${woke.clusterId}/events?limit=100`, { token })).body.items;
    expect(events.map((entry: { kind: string }) => entry.kind)).toContain('teardown-cancelled');
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [agent] }));
    mine.clear();
  }, 60_000);

  it('tears down an expired cluster after its warning even while busy or protected; spares a protected idle one', async () => {
    const expiresAt = new Date(clock.now().getTime() + 60_000).toISOString();
    const expiring = await readyCluster('reap-exp', { expiresAt });
    // Only the platform team may protect a cluster (finding 6).
    const guarded = await readyCluster('reap-prot', { protected: true, expiresAt }, admin);
    const sheltered = await readyCluster('reap-shelter', { protected: true, idleTimeout: '1m' }, admin);
    const agents = [await startAgent(expiring), await startAgent(guarded)];

    clock.advance(120);
    await reap(deps, { dryRun: false });
    for (const cluster of [expiring, guarded])
      expect((await get(cluster.clusterId)).idle.teardownReason).toBe('expired');
    clock.advance(GRACE + 1);
    const report = await reap(deps, { dryRun: false });
    for (const cluster of [expiring, guarded])
      expect(report.decisions).toContainEqual({
        team: 'reaper',
        clusterId: cluster.clusterId,
        decision: 'teardown',
        detail: expect.stringContaining('expired'),
      });
    await waitForStatus(expiring.clusterId, token, 'DELETED');
    await waitForStatus(guarded.clusterId, token, 'DELETED');

    const kept = await get(sheltered.clusterId);
    expect(kept.status).toBe('READY');
    expect(kept.idle.teardownAt).toBeUndefined();
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: agents }));
    mine.clear();
  }, 90_000);

  it('probes the recorded master without credentials, follows no redirect, and judges by agents (finding 3)', async () => {
    const cluster = await readyCluster('reap-master');
    // Point the cluster at the fake master (its recorded address).
    await db().send(
      new UpdateCommand({
        TableName: CLUSTERS_TABLE,
        Key: { pk: clusterPk({ team: 'reaper', clusterId: cluster.clusterId }), sk: 'CLUSTER' },
        UpdateExpression: 'SET stackOutputs = :outputs',
        ExpressionAttributeValues: {
          ':outputs': JSON.stringify([{ OutputKey: 'MasterUrl', OutputValue: masterUrl }]),
        },
      }),
    );
    masters.seen.length = 0;
    masters.state.redirect = true;
    const first = await reap(deps, { dryRun: false });
    expect(first.errors).toEqual([]);
    expect((await get(cluster.clusterId)).idle.idleSince).toBeDefined();
    // One GET /info to the recorded address; the 307 to elsewhere was not followed.
    expect(masters.seen).toEqual([{ server: 'master', method: 'GET', path: '/info', body: '' }]);
    const events = (await call('GET', `/clusters/${cluster.clusterId}/events?limit=100`, { token })).body
      .items;
    expect(events.map((entry: { message: string }) => entry.message)).toContain(
      'The cluster is idle (no agents); its master did not answer at its recorded address.',
    );

    // Every run asks again while no agent runs: still one bare GET to the recorded address, and a
    // warning says the master does not answer. Nothing but a GET ever went anywhere.
    clock.advance(3601);
    await reap(deps, { dryRun: false });
    expect(masters.seen).toEqual([
      { server: 'master', method: 'GET', path: '/info', body: '' },
      { server: 'master', method: 'GET', path: '/info', body: '' },
    ]);
    expect((await get(cluster.clusterId)).idle.teardownReason).toBe('idle');
    expect(JSON.stringify(masters.seen)).not.toMatch(/password|admin|authorization/i);
    masters.state.redirect = false;
    mine.clear();
  }, 60_000);

  it('restores a torn-down cluster onto its bucket and final snapshot', async () => {
    const first = await readyCluster('reap-restore');
    mine.clear();
    expect((await call('DELETE', `/clusters/${first.clusterId}`, { token })).status).toBe(202);
    const deleted = (await waitForStatus(first.clusterId, token, 'DELETED')).body;
    expect(deleted.retained).toMatchObject({
      checkpointBucket: first.outputs.checkpointBucket,
      dbSnapshot: expect.any(String),
    });

    const second = uniqueId('reap-restored');
    const created = await call('POST', '/clusters', {
      token,
      body: { clusterId: second, keypair: DEMO_KEY_PAIR, restoreFrom: first.clusterId },
    });
    expect(created.status).toBe(202);
    const ready = (await waitForStatus(second, token, 'READY')).body;
    expect(ready.outputs.checkpointBucket).toBe(first.outputs.checkpointBucket);
    const stack = (
      await emulator.cloudFormation().send(new DescribeStacksCommand({ StackName: ready.stackId }))
    ).Stacks?.[0];
    const parameters = Object.fromEntries(
      (stack?.Parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]),
    );
    expect(parameters.ExistingCheckpointBucket).toBe(deleted.retained.checkpointBucket);
    expect(parameters.DbSnapshotIdentifier).toBe(deleted.retained.dbSnapshot);
    expect((await get(first.clusterId)).restoredInto).toBe(second);
  }, 60_000);
});
