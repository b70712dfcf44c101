/**
 * The control plane's adapters against the local runtime's emulator, wired as functions/deps.ts
 * wires them on AWS, for emulator tests that run a core operation themselves (create, delete, a
 * reaper run, a settlement) with their own clock or through a fault proxy: the real table, the real
 * workflows, EC2, RDS and EventBridge. Each test takes what it needs and replaces what it fakes.
 */
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Ec2AgentCounter } from '../../adapters/agent-counter.ts';
import { DynamoDocumentClient } from '../../adapters/aws/dynamodb.ts';
import { AwsJsonClient, type ClientOptions } from '../../adapters/aws/json.ts';
import { AwsQueryClient } from '../../adapters/aws/query.ts';
import { EC2, EVENTBRIDGE, RDS, STEP_FUNCTIONS } from '../../adapters/aws/services.ts';
import { DynamoClusterStore } from '../../adapters/cluster-store.ts';
import { RdsDatabaseStates } from '../../adapters/database-states.ts';
import { HttpMasterProbe } from '../../adapters/master-probe.ts';
import { EventBridgeNotifier } from '../../adapters/notifier.ts';
import { PageTokens } from '../../adapters/page-tokens.ts';
import { DynamoSpendLedger } from '../../adapters/spend-ledger.ts';
import { StepFunctionsWorkflows } from '../../adapters/workflows.ts';
import type { ClusterRecord } from '../../core/cluster/model.ts';
import { AGENT_TAG_KEY, agentTag, stackNameOf } from '../../core/cluster/naming.ts';
import type { SpendLedger } from '../../core/cost/ledger.ts';
import { PRICES } from '../../core/cost/price-list.ts';
import type { OperationDeps } from '../../core/operations/deps.ts';
import { systemClock, type Clock, type ClusterStore } from '../../core/ports.ts';
import { LOCAL_STACK } from '../../local/bootstrap.ts';
import { TEST_TIMING } from './fakes.ts';
import { emulator, emulatorUrl } from './local-api.ts';

/** The local runtime's cluster table (local/bootstrap.ts deploys resources/cluster-table.yml). */
export const CLUSTERS_TABLE = `${LOCAL_STACK}-clusters`;

/** The local runtime's state machine of a workflow (local/bootstrap.ts names them). */
export const stateMachineArn = (name: string): string =>
  `arn:aws:states:us-east-1:123456789012:stateMachine:${LOCAL_STACK}-${name}`;

export interface EmulatorDepsOptions {
  /** Default: the system clock (the workflows write their timeline at the emulator's time). */
  clock?: Clock;
  /** Where the clients go: the emulator (default), or a fault proxy in front of it. */
  endpoint?: string;
  /** The AWS clients' own limits (timeout, attempts, backoff). */
  client?: Partial<Pick<ClientOptions, 'timeoutMs' | 'maxAttempts' | 'baseDelayMs'>>;
  settings?: Partial<OperationDeps['settings']>;
  /** How long the reaper waits for a master's answer. */
  masterTimeoutMs?: number;
}

export function emulatorDeps(options: EmulatorDepsOptions = {}) {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const client = { region: 'us-east-1', endpoint: options.endpoint ?? emulatorUrl(), ...options.client };
  const db = new DynamoDocumentClient(client);
  const pageTokens = new PageTokens(async () => Buffer.alloc(32, 5));
  return {
    /** The clients' options, for a test that builds another client the same way. */
    client,
    db,
    clock,
    store: new DynamoClusterStore(db, {
      tableName: CLUSTERS_TABLE,
      deletedRetentionDays: 30,
      now,
      pageTokens,
    }),
    ledger: new DynamoSpendLedger(db, { tableName: CLUSTERS_TABLE, now, pageTokens }),
    workflows: new StepFunctionsWorkflows(
      new AwsJsonClient(STEP_FUNCTIONS, client),
      {
        create: stateMachineArn('create'),
        update: stateMachineArn('update'),
        upgrade: stateMachineArn('upgrade'),
        delete: stateMachineArn('delete'),
        stop: stateMachineArn('stop'),
        start: stateMachineArn('start'),
      },
      () => undefined, // no X-Ray trace to join in a test
    ),
    settings: {
      region: 'us-east-1',
      stackPrefix: '',
      policies: {},
      timing: TEST_TIMING,
      deletedRetentionDays: 30,
      ...options.settings,
    },
    prices: PRICES,
    agents: new Ec2AgentCounter(new AwsQueryClient(EC2, client)),
    databases: new RdsDatabaseStates(new AwsQueryClient(RDS, client)),
    masters: new HttpMasterProbe({ timeoutMs: options.masterTimeoutMs ?? 2000 }),
    notifier: new EventBridgeNotifier(new AwsJsonClient(EVENTBRIDGE, client), 'default'),
  };
}

/**
 * The store with its reaper listing narrowed to the clusters `keep` accepts: other test files share
 * the emulator, and a reaper run here must not act on their clusters.
 */
export function reapingOnly(store: ClusterStore, keep: (cluster: ClusterRecord) => boolean): ClusterStore {
  return Object.assign(Object.create(store) as ClusterStore, {
    listReapable: async (query: Parameters<ClusterStore['listReapable']>[0]) => {
      const page = await store.listReapable(query);
      return { ...page, items: page.items.filter(keep) };
    },
  });
}

/** The ledger with its open clusters narrowed to those `keep` accepts (a settlement of this file's only). */
export function settlingOnly(ledger: SpendLedger, keep: (cluster: ClusterRecord) => boolean): SpendLedger {
  return Object.assign(Object.create(ledger) as SpendLedger, {
    unsettled: async (query: Parameters<SpendLedger['unsettled']>[0]) => {
      const page = await ledger.unsettled(query);
      return { ...page, items: page.items.filter(keep) };
    },
  });
}

/** An agent of the cluster's stack in the emulator's EC2, tagged the way its master tags the agents it launches. */
export async function startAgent(cluster: { stackId: string }): Promise<string> {
  const { Instances = [] } = await emulator.ec2().send(
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      InstanceType: 't2.xlarge',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [{ Key: AGENT_TAG_KEY, Value: agentTag(stackNameOf(cluster.stackId)).value }],
        },
      ],
    }),
  );
  return Instances[0]?.InstanceId ?? '';
}
