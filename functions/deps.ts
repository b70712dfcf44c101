/**
 * Production wiring: one function per adapter, built on first use and kept for the container's
 * life. Each handler asks only for what it uses, so its bundle holds only those clients.
 */
import { randomBytes } from 'node:crypto';
import { Ec2AgentCounter } from '../adapters/agent-counter.ts';
import { ApiKeys } from '../adapters/api-key.ts';
import {
  cloudFormationClient,
  dynamoClient,
  ec2Client,
  eventsClient,
  rdsClient,
  secretsClient,
  sfnClient,
} from '../adapters/aws-clients.ts';
import { DynamoClusterStore } from '../adapters/cluster-store.ts';
import { RdsDatabaseStates } from '../adapters/database-states.ts';
import { config } from '../adapters/config.ts';
import { DynamoIdempotencyStore } from '../adapters/idempotency-store.ts';
import { Ec2KeyPairs } from '../adapters/key-pairs.ts';
import { HttpMasterProbe } from '../adapters/master-probe.ts';
import { EventBridgeNotifier } from '../adapters/notifier.ts';
import { PageTokens } from '../adapters/page-tokens.ts';
import { SecretsManagerSecrets } from '../adapters/secrets.ts';
import { DynamoSpendLedger } from '../adapters/spend-ledger.ts';
import { CloudFormationStackReader } from '../adapters/stack-reader.ts';
import { StepFunctionsWorkflows } from '../adapters/workflows.ts';
import type { SpendLedger } from '../core/cost/ledger.ts';
import type { BudgetNotifier } from '../core/cost/notifications.ts';
import type { OperationDeps } from '../core/operations/deps.ts';
import type { IdempotencyDeps } from './http/middleware/idempotency.ts';
import {
  systemClock,
  type AgentCounter,
  type ClusterStore,
  type DatabaseStates,
  type IdempotencyStore,
  type KeyPairs,
  type MasterProbe,
  type Notifier,
  type Secrets,
  type StackReader,
  type Workflows,
} from '../core/ports.ts';
import { timingFrom } from '../core/workflow/inputs.ts';

let keys: ApiKeys | undefined;
/** The control plane's secret key, read on first use (a list page or an Idempotency-Key needs it). */
export function apiKeys(): ApiKeys {
  const source = config().apiKey;
  return (keys ??= new ApiKeys(async () => {
    if ('value' in source) return source.value;
    const { SecretString } = await secretsClient().call('GetSecretValue', { SecretId: source.secretId });
    return SecretString ?? '';
  }));
}

let store: ClusterStore | undefined;
export function clusterStore(): ClusterStore {
  return (store ??= new DynamoClusterStore(dynamoClient(), {
    tableName: config().clustersTable,
    deletedRetentionDays: config().retention.deletedDays,
    now: () => systemClock.now(),
    pageTokens: new PageTokens(() => apiKeys().key('page-token')),
  }));
}

let spendLedger: SpendLedger | undefined;
/** Each team's spend per month and the clusters whose spend is open (docs/adr/0027-cost-and-budgets.md). */
export function ledger(): SpendLedger {
  return (spendLedger ??= new DynamoSpendLedger(dynamoClient(), {
    tableName: config().clustersTable,
    now: () => systemClock.now(),
    pageTokens: new PageTokens(() => apiKeys().key('page-token')),
  }));
}

let workflowStarter: Workflows | undefined;
export function workflows(): Workflows {
  return (workflowStarter ??= new StepFunctionsWorkflows(sfnClient(), config().stateMachines));
}

let secretStore: Secrets | undefined;
export function secrets(): Secrets {
  return (secretStore ??= new SecretsManagerSecrets(secretsClient()));
}

let keyPairChecker: KeyPairs | undefined;
export function keyPairs(): KeyPairs {
  return (keyPairChecker ??= new Ec2KeyPairs(ec2Client()));
}

let stackReader: StackReader | undefined;
export function stacks(): StackReader {
  return (stackReader ??= new CloudFormationStackReader(cloudFormationClient()));
}

let idempotency: IdempotencyStore | undefined;
export function idempotencyStore(): IdempotencyStore {
  return (idempotency ??= new DynamoIdempotencyStore(dynamoClient(), {
    tableName: config().clustersTable,
    ttlHours: config().retention.idempotencyHours,
    now: () => systemClock.now(),
  }));
}

/** Idempotency-Key handling for the mutating routes: the record store and the fingerprint key. */
export const idempotencyDeps: IdempotencyDeps = {
  store: idempotencyStore,
  fingerprintKey: () => apiKeys().key('idempotency-fingerprint'),
};

export function settings(): OperationDeps['settings'] {
  const current = config();
  return {
    region: current.region,
    stackPrefix: current.stackPrefix,
    policies: current.policies,
    timing: timingFrom(current.workflow),
    deletedRetentionDays: current.retention.deletedDays,
    upgradeDrainSeconds: current.workflow.upgradeDrainMinutes * 60,
  };
}

let agentCounter: AgentCounter | undefined;
export function agents(): AgentCounter {
  return (agentCounter ??= new Ec2AgentCounter(ec2Client()));
}

let databaseStates: DatabaseStates | undefined;
export function databases(): DatabaseStates {
  return (databaseStates ??= new RdsDatabaseStates(rdsClient()));
}

let masterProbe: MasterProbe | undefined;
export function masters(): MasterProbe {
  return (masterProbe ??= new HttpMasterProbe({ timeoutMs: config().reaper.masterTimeoutMs }));
}

let warningNotifier: EventBridgeNotifier | undefined;
export function notifier(): Notifier & BudgetNotifier {
  return (warningNotifier ??= new EventBridgeNotifier(eventsClient(), config().eventBusName));
}

export const generatePassword = () => randomBytes(24).toString('base64url');
export const clock = systemClock;
