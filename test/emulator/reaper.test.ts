/**
 * The reaper in the emulator with an injected clock: real table, real EC2 instances tagged as a
 * cluster's agents, the real delete workflow, and a local HTTP server that answers the Determined
 * master's documented endpoints. Runs are scoped to this file's clusters (other test files share
 * the emulator), through a store that lists only them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Ec2AgentCounter } from '../../adapters/agent-counter.ts';
import { DynamoDocumentClient } from '../../adapters/aws/dynamodb.ts';
import { AwsJsonClient } from '../../adapters/aws/json.ts';
import { AwsQueryClient } from '../../adapters/aws/query.ts';
import { EC2, EVENTBRIDGE, SECRETS_MANAGER, STEP_FUNCTIONS } from '../../adapters/aws/services.ts';
import { DynamoClusterStore } from '../../adapters/cluster-store.ts';
import { HttpMasterProbe } from '../../adapters/master-probe.ts';
import { EventBridgeNotifier } from '../../adapters/notifier.ts';
import { SecretsManagerSecrets } from '../../adapters/secrets.ts';
import { StepFunctionsWorkflows } from '../../adapters/workflows.ts';
import { AGENT_TAG_KEY, agentTag } from '../../core/cluster/naming.ts';
import { reap, type ReapDeps } from '../../core/operations/reap.ts';
import type { ClusterStore } from '../../core/ports.ts';
import { FixedClock, TEST_TIMING } from '../support/fakes.ts';
import {
  call,
  DEMO_KEY_PAIR,
  emulator,
  emulatorUrl,
  tokenFor,
  uniqueId,
  waitForStatus,
} from '../support/local-api.ts';

const TABLE = 'det-control-plane-local-clusters';
const MACHINE = (name: string) =>
  `arn:aws:states:us-east-1:123456789012:stateMachine:det-control-plane-local-${name}`;
const GRACE = 600;

/** A Determined master that answers the idle-check endpoints; `work` decides what it reports. */
function fakeMaster(adminPassword: () => string) {
  const state = { work: 'none' as 'none' | 'notebook' | 'experiment' | 'queued', logins: 0, refused: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      const url = new URL(request.url ?? '/', 'http://master');
      if (url.pathname === '/api/v1/auth/login') {
        const credentials = JSON.parse(body) as { username: string; password: string };
        if (credentials.username !== 'admin' || credentials.password !== adminPassword()) {
          state.refused++;
          return send(401, { error: 'invalid credentials' });
        }
        state.logins++;
        return send(200, { token: 'master-token', user: { username: 'admin' } });
      }
      if (request.headers.authorization !== 'Bearer master-token')
        return send(401, { error: 'unauthenticated' });
      if (url.pathname === '/api/v1/tasks/count') {
        return send(200, {
          commands: 0,
          notebooks: state.work === 'notebook' ? 1 : 0,
          shells: 0,
          tensorboards: 0,
        });
      }
      if (url.pathname === '/api/v1/experiments') {
        return send(200, {
          experiments: state.work === 'experiment' ? [{ id: 7, state: 'STATE_ACTIVE' }] : [],
          pagination: {},
        });
      }
      if (url.pathname === '/api/v1/job-queues/stats') {
        return send(200, {
          results: [
            {
              resourcePool: 'gpu-pool',
              stats: { queuedCount: state.work === 'queued' ? 2 : 0, scheduledCount: 0 },
            },
          ],
        });
      }
      return send(404, {});
    });
  });
  return { server, state };
}

describe('the reaper in the emulator', () => {
  const clock = new FixedClock(new Date());
  const mine = new Set<string>();
  let token: string;
  let deps: ReapDeps;
  let master: ReturnType<typeof fakeMaster>;
  let masterUrl: string;
  let masterPassword = '';
  const ec2 = () => emulator.ec2();
  const db = () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: emulatorUrl(), region: 'us-east-1' }));

  beforeAll(async () => {
    token = await tokenFor('reaper');
    master = fakeMaster(() => masterPassword);
    await new Promise<void>((resolve) => master.server.listen(0, '127.0.0.1', resolve));
    masterUrl = `http://127.0.0.1:${(master.server.address() as AddressInfo).port}`;
    const config = { endpoint: emulatorUrl(), region: 'us-east-1' };
    const store = new DynamoClusterStore(new DynamoDocumentClient(config), {
      tableName: TABLE,
      deletedRetentionDays: 30,
      now: () => clock.now(),
    });
    const scoped: ClusterStore = Object.assign(Object.create(store) as ClusterStore, {
      listReapable: async (query: { limit: number; nextToken?: string }) => {
        const page = await store.listReapable(query);
        return { ...page, items: page.items.filter((cluster) => mine.has(cluster.clusterId)) };
      },
    });
    deps = {
      store: scoped,
      workflows: new StepFunctionsWorkflows(new AwsJsonClient(STEP_FUNCTIONS, config), {
        create: MACHINE('create'),
        update: MACHINE('update'),
        delete: MACHINE('delete'),
      }),
      clock,
      settings: { region: 'us-east-1', policies: {}, timing: TEST_TIMING, deletedRetentionDays: 30 },
      agents: new Ec2AgentCounter(new AwsQueryClient(EC2, config)),
      masters: new HttpMasterProbe({ timeoutMs: 2000 }),
      secrets: new SecretsManagerSecrets(new AwsJsonClient(SECRETS_MANAGER, config)),
      notifier: new EventBridgeNotifier(new AwsJsonClient(EVENTBRIDGE, config), 'default'),
      reaper: { graceSeconds: GRACE, pageSize: 200, masterConcurrency: 10 },
    };
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => master.server.close(() => resolve()));
  });

  async function readyCluster(prefix: string, extra: Record<string, unknown> = {}) {
    const clusterId = uniqueId(prefix);
    const created = await call('POST', '/clusters', {
      token,
      body: { clusterId, keypair: DEMO_KEY_PAIR, idleTimeout: '1h', ...extra },
    });
    expect(created.status).toBe(202);
    const ready = await waitForStatus(clusterId, token, 'READY');
    mine.add(clusterId);
    return ready.body as { clusterId: string; outputs: Record<string, string> };
  }

  async function startAgent(clusterId: string): Promise<string> {
    const { Instances = [] } = await ec2().send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        InstanceType: 't2.xlarge',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: [{ Key: AGENT_TAG_KEY, Value: agentTag(clusterId).value }] },
        ],
      }),
    );
    return Instances[0]?.InstanceId ?? '';
  }

  const get = async (clusterId: string) => (await call('GET', `/clusters/${clusterId}`, { token })).body;

  it('counts a cluster’s tagged agents, and only its own, in one call for many clusters', async () => {
    const [a, b] = [await readyCluster('reap-count'), await readyCluster('reap-count')];
    const agent = await startAgent(a.clusterId);
    const counter = deps.agents as Ec2AgentCounter;
    const before = counter.calls;
    const counts = await counter.runningAgents([a.clusterId, b.clusterId, 'no-such-cluster']);
    expect(counter.calls - before).toBe(1);
    expect(counts.get(a.clusterId)).toBe(1);
    expect(counts.get(b.clusterId)).toBeUndefined();
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [agent] }));
    mine.delete(a.clusterId);
    mine.delete(b.clusterId);
  }, 60_000);

  it('leaves a busy cluster alone, warns an idle one, tears it down after the grace and keeps its bucket', async () => {
    const busy = await readyCluster('reap-busy');
    const idle = await readyCluster('reap-idle');
    const agent = await startAgent(busy.clusterId);

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
    const agent = await startAgent(woke.clusterId);
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

  it('tears down an expired cluster after its warning even while busy, and never a protected one', async () => {
    const expiring = await readyCluster('reap-exp', {
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    const guarded = await readyCluster('reap-prot', {
      protected: true,
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    const agents = [await startAgent(expiring.clusterId), await startAgent(guarded.clusterId)];

    clock.advance(120);
    await reap(deps, { dryRun: false });
    expect((await get(expiring.clusterId)).idle.teardownReason).toBe('expired');
    clock.advance(GRACE + 1);
    const report = await reap(deps, { dryRun: false });
    expect(report.decisions).toContainEqual({
      clusterId: expiring.clusterId,
      decision: 'teardown',
      detail: expect.stringContaining('expired'),
    });
    await waitForStatus(expiring.clusterId, token, 'DELETED');

    const kept = await get(guarded.clusterId);
    expect(kept.status).toBe('READY');
    expect(kept.idle.teardownAt).toBeUndefined();
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: agents }));
    mine.clear();
  }, 60_000);

  it('asks the master, with the credentials set at creation, whether it has work', async () => {
    const cluster = await readyCluster('reap-master');
    // Point the cluster at the fake master, and give the master the admin password the cluster was created with.
    await db().send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `CLUSTER#${cluster.clusterId}`, sk: 'CLUSTER' },
        UpdateExpression: 'SET stackOutputs = :outputs',
        ExpressionAttributeValues: {
          ':outputs': JSON.stringify([{ OutputKey: 'MasterUrl', OutputValue: masterUrl }]),
        },
      }),
    );
    const stack = (
      await emulator.cloudFormation().send(new DescribeStacksCommand({ StackName: cluster.clusterId }))
    ).Stacks?.[0];
    const secretName =
      stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'ClusterSecretName')
        ?.ParameterValue ?? '';
    masterPassword = (await deps.secrets.readMany([secretName])).get(secretName)?.adminPassword ?? '';
    expect(masterPassword.length).toBeGreaterThan(20);

    for (const work of ['notebook', 'experiment', 'queued'] as const) {
      master.state.work = work;
      await reap(deps, { dryRun: false });
      expect((await get(cluster.clusterId)).idle.idleSince).toBeUndefined();
    }
    master.state.work = 'none';
    await reap(deps, { dryRun: false });
    expect((await get(cluster.clusterId)).idle.idleSince).toBeDefined();
    expect(master.state.logins).toBe(4);
    expect(master.state.refused).toBe(0);

    // A master that refuses the login is "unreachable": the reaper does not take that as work either.
    masterPassword = 'changed';
    const report = await reap(deps, { dryRun: true });
    expect(report.errors).toEqual([]);
    expect(master.state.refused).toBe(1);
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
    const stack = (await emulator.cloudFormation().send(new DescribeStacksCommand({ StackName: second })))
      .Stacks?.[0];
    const parameters = Object.fromEntries(
      (stack?.Parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]),
    );
    expect(parameters.ExistingCheckpointBucket).toBe(deleted.retained.checkpointBucket);
    expect(parameters.DbSnapshotIdentifier).toBe(deleted.retained.dbSnapshot);
    expect((await get(first.clusterId)).restoredInto).toBe(second);
  }, 60_000);
});
