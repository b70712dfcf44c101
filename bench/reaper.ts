/**
 * One reaper run over 1,000 READY clusters in the emulator (records written directly; each with a
 * master that answers its unauthenticated /info, and some with running agents): AWS calls made per
 * service and wall time, for 250, 500 and 1,000 clusters, first run (every idle cluster starts its
 * idle clock: one write and one /info probe each) and steady state (nothing changes: reads only).
 * Reads should grow with pages of clusters, not with clusters. No secret is read: the probe sends
 * no credentials (docs/adr/0019-reaper-probe-without-credentials.md).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RunInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Ec2AgentCounter } from '../adapters/agent-counter.ts';
import { DynamoDocumentClient } from '../adapters/aws/dynamodb.ts';
import { AwsJsonClient } from '../adapters/aws/json.ts';
import { AwsQueryClient } from '../adapters/aws/query.ts';
import { EC2, EVENTBRIDGE, RDS, STEP_FUNCTIONS } from '../adapters/aws/services.ts';
import { RdsDatabaseStates } from '../adapters/database-states.ts';
import { DynamoClusterStore, toItem } from '../adapters/cluster-store.ts';
import { DynamoSpendLedger } from '../adapters/spend-ledger.ts';
import { HttpMasterProbe } from '../adapters/master-probe.ts';
import { EventBridgeNotifier } from '../adapters/notifier.ts';
import { PageTokens } from '../adapters/page-tokens.ts';
import { StepFunctionsWorkflows } from '../adapters/workflows.ts';
import type { ClusterRecord } from '../core/cluster/model.ts';
import { PRICES } from '../core/cost/price-list.ts';
import { AGENT_TAG_KEY, agentTag, stackName, stackNameOf } from '../core/cluster/naming.ts';
import { CREATE_DEFAULTS } from '../core/cluster/request.ts';
import { reap } from '../core/operations/reap.ts';
import type { ClusterStore } from '../core/ports.ts';
import { timingFrom } from '../core/workflow/inputs.ts';
import type { BenchSection } from './context.ts';

const SIZES = [250, 500, 1000];
const BUSY_EVERY = 20;
const TABLE = 'det-control-plane-local-clusters';
const STACK_PREFIX = 'detcp-bench-';

/** Counts the calls a client makes through its `call` (JSON and Query clients) or `send` (DynamoDB). */
function countCalls<T extends object>(client: T, counter: { calls: number }): T {
  const methods = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  const name = typeof methods.call === 'function' ? 'call' : 'send';
  const original = methods[name]?.bind(client);
  methods[name] = (...args: unknown[]) => {
    counter.calls++;
    return original?.(...args);
  };
  return client;
}

export const reaper: BenchSection = {
  name: 'reaper',
  async run(context) {
    const local = await context.local();
    const config = {
      endpoint: local.emulatorUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const clientOptions = { endpoint: local.emulatorUrl, region: 'us-east-1' };
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    let probes = 0;
    const master = createServer((request, response) => {
      probes++;
      response.writeHead(request.url === '/info' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ version: '0.38.1' }));
    });
    await new Promise<void>((resolve) => master.listen(0, '127.0.0.1', resolve));
    const masterUrl = `http://127.0.0.1:${(master.address() as AddressInfo).port}`;

    const db = DynamoDBDocumentClient.from(new DynamoDBClient(config));
    const ec2 = new EC2Client(config);
    const prefix = `bench-reap-${Date.now().toString(36)}`;
    const all: ClusterRecord[] = [];
    const now = new Date();
    for (let index = 0; index < Math.max(...SIZES); index++) {
      const clusterId = `${prefix}-${String(index).padStart(4, '0')}`;
      const stack = stackName(STACK_PREFIX, clusterId);
      all.push({
        clusterId,
        team: 'bench',
        owner: 'bench',
        deploymentType: 'simple',
        status: 'READY',
        parameters: {
          ...CREATE_DEFAULTS,
          keypair: 'demo-key',
          region: 'us-east-1',
          idleTimeout: '1h',
          tags: {},
        },
        outputs: { masterUrl },
        stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${stack}/bench`,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        version: 1,
        idle: { idleTimeout: '1h' },
      });
    }
    const writeAll = async () => {
      for (let start = 0; start < all.length; start += 25) {
        const batch = all
          .slice(start, start + 25)
          .map((record) => ({ PutRequest: { Item: toItem(record) } }));
        await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: batch } }));
      }
    };
    const busy = all.filter((_, index) => index % BUSY_EVERY === 0);
    // One tagged agent for each busy cluster.
    for (const record of busy) {
      await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12345678',
          InstanceType: 't2.xlarge',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [{ Key: AGENT_TAG_KEY, Value: agentTag(stackNameOf(record.stackId ?? '')).value }],
            },
          ],
        }),
      );
    }

    const results: Record<string, unknown> = {};
    try {
      for (const size of SIZES) {
        // Every size starts from fresh records: no idle clock yet.
        await writeAll();
        const members = new Set(all.slice(0, size).map((record) => record.clusterId));
        const counters = {
          dynamodb: { calls: 0 },
          eventBridge: { calls: 0 },
          stepFunctions: { calls: 0 },
        };
        const store = new DynamoClusterStore(
          countCalls(new DynamoDocumentClient(clientOptions), counters.dynamodb),
          {
            tableName: TABLE,
            deletedRetentionDays: 30,
            now: () => new Date(),
            pageTokens: new PageTokens(async () => Buffer.alloc(32, 1)),
          },
        );
        const scoped: ClusterStore = Object.assign(Object.create(store) as ClusterStore, {
          listReapable: async (query: { limit: number; nextToken?: string }) => {
            const page = await store.listReapable(query);
            return { ...page, items: page.items.filter((record) => members.has(record.clusterId)) };
          },
        });
        const agents = new Ec2AgentCounter(new AwsQueryClient(EC2, clientOptions));
        const deps = {
          store: scoped,
          workflows: new StepFunctionsWorkflows(
            countCalls(new AwsJsonClient(STEP_FUNCTIONS, clientOptions), counters.stepFunctions),
            {
              create: '',
              update: '',
              delete: '',
              stop: '',
              start: '',
              upgrade: '',
            },
          ),
          clock: { now: () => new Date() },
          settings: {
            region: 'us-east-1',
            stackPrefix: STACK_PREFIX,
            policies: {},
            timing: timingFrom({
              pollSeconds: 1,
              pollIncrementSeconds: 0,
              maxPollSeconds: 1,
              fastPath: false,
              fallbackPollSeconds: 600,
              timeoutMinutes: { create: 60, update: 60, delete: 60, stop: 30, start: 30 },
            }),
            deletedRetentionDays: 30,
          },
          agents,
          databases: new RdsDatabaseStates(new AwsQueryClient(RDS, clientOptions)),
          masters: new HttpMasterProbe({ timeoutMs: 3000 }),
          notifier: new EventBridgeNotifier(
            countCalls(new AwsJsonClient(EVENTBRIDGE, clientOptions), counters.eventBridge),
            'default',
          ),
          prices: PRICES,
          ledger: new DynamoSpendLedger(new DynamoDocumentClient(clientOptions), {
            tableName: TABLE,
            now: () => new Date(),
            pageTokens: new PageTokens(async () => Buffer.alloc(32, 1)),
          }),
          reaper: { graceSeconds: 3600, pageSize: 200, masterConcurrency: 25 },
        };
        const runs: Record<string, unknown> = {};
        for (const run of ['first', 'steady'] as const) {
          for (const counter of Object.values(counters)) counter.calls = 0;
          agents.calls = 0;
          probes = 0;
          const started = performance.now();
          const report = await reap(deps, { dryRun: false });
          runs[run] = {
            seconds: Math.round((performance.now() - started) / 10) / 100,
            examined: report.examined,
            pagesOfTable: report.pages,
            decisions: report.decisions.length,
            awsCalls: {
              dynamodb: counters.dynamodb.calls,
              ec2: agents.calls,
              eventBridge: counters.eventBridge.calls,
              stepFunctions: counters.stepFunctions.calls,
            },
            masterProbes: probes,
          };
        }
        results[`clusters${size}`] = runs;
      }
    } finally {
      await new Promise<void>((resolve) => master.close(() => resolve()));
    }
    return { busyClusters: `1 in ${BUSY_EVERY}`, ...results };
  },
};
