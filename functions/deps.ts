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
  sqsClient,
} from '../adapters/aws-clients.ts';
import { DynamoAuditLog } from '../adapters/audit-log.ts';
import { SqsDeliveryQueue } from '../adapters/delivery-queue.ts';
import { SecretsManagerWebhookSecrets } from '../adapters/webhook-secrets.ts';
import { DynamoWebhookStore } from '../adapters/webhook-store.ts';
import { HttpWebhookTransport } from '../adapters/webhook-transport.ts';
import type { AuditLog } from '../core/audit/entry.ts';
import { teamEvent, type EventType, type TeamEvent } from '../core/notifications/events.ts';
import type { DeliveryQueue, WebhookSecrets, WebhookTransport } from '../core/notifications/ports.ts';
import { publishTeamEvents } from '../core/notifications/publish.ts';
import { TeamNotifier } from '../core/notifications/team-notifier.ts';
import type { UrlPolicy } from '../core/notifications/url-guard.ts';
import { DynamoClusterStore } from '../adapters/cluster-store.ts';
import { RdsDatabaseStates } from '../adapters/database-states.ts';
import { config } from '../adapters/config.ts';
import { DynamoIdempotencyStore } from '../adapters/idempotency-store.ts';
import { Ec2KeyPairs } from '../adapters/key-pairs.ts';
import { DynamoParkedWorkflows } from '../adapters/parked-workflows.ts';
import { HttpMasterProbe } from '../adapters/master-probe.ts';
import { EventBridgeNotifier } from '../adapters/notifier.ts';
import { PageTokens } from '../adapters/page-tokens.ts';
import { SecretsManagerSecrets } from '../adapters/secrets.ts';
import { DynamoSpendLedger } from '../adapters/spend-ledger.ts';
import { CloudFormationStackReader } from '../adapters/stack-reader.ts';
import { CloudFormationChangeSets } from '../adapters/change-sets.ts';
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
  type ChangeSets,
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

let changeSetPreviews: ChangeSets | undefined;
/** What a stack update would change: change sets created, read and deleted (PATCH and its dry run). */
export function changeSets(): ChangeSets {
  return (changeSetPreviews ??= new CloudFormationChangeSets(cloudFormationClient()));
}

let parkedLookup: DynamoParkedWorkflows | undefined;
/** Which workflow is parked on a cluster's stack (the watchdog's lost-event sweep). */
export function parkedWorkflows(): DynamoParkedWorkflows {
  return (parkedLookup ??= new DynamoParkedWorkflows(dynamoClient(), config().clustersTable));
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
    // No request outlives the gateway's limit (core/operations/start-workflow.ts resumeStart).
    requestLifetimeSeconds: current.api.gatewayLimitSeconds + 1,
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

let warningNotifier: TeamNotifier | undefined;
/** Teardown warnings and budget thresholds: EventBridge for operators, publishTeamEvent for the team. */
export function notifier(): Notifier & BudgetNotifier {
  return (warningNotifier ??= new TeamNotifier(
    new EventBridgeNotifier(eventsClient(), config().eventBusName),
    (events) => publishTeamEvent(events),
    () => systemClock.now(),
  ));
}

export const generatePassword = () => randomBytes(24).toString('base64url');
export const clock = systemClock;

let audit: AuditLog | undefined;
/** The audit table (append-only). */
export function auditLog(): AuditLog {
  return (audit ??= new DynamoAuditLog(dynamoClient(), {
    tableName: required(config().notifications.auditTable, 'AUDIT_TABLE'),
    pageTokens: new PageTokens(() => apiKeys().key('page-token')),
  }));
}

let webhookTable: DynamoWebhookStore | undefined;
/** Webhook subscriptions and the delivery log (the cluster table). */
export function webhookStore(): DynamoWebhookStore {
  return (webhookTable ??= new DynamoWebhookStore(dynamoClient(), {
    tableName: config().clustersTable,
    now: () => systemClock.now(),
  }));
}

let webhookSecretStore: WebhookSecrets | undefined;
export function webhookSecrets(): WebhookSecrets {
  return (webhookSecretStore ??= new SecretsManagerWebhookSecrets(secretsClient()));
}

let queue: DeliveryQueue | undefined;
export function deliveryQueue(): DeliveryQueue {
  return (queue ??= new SqsDeliveryQueue(
    sqsClient(),
    required(config().notifications.queueUrl, 'WEBHOOK_QUEUE_URL'),
  ));
}

export function urlPolicy(): UrlPolicy {
  return { allowLoopbackHttp: config().notifications.allowLoopbackHttp };
}

let transport: WebhookTransport | undefined;
export function webhookTransport(): WebhookTransport {
  return (transport ??= new HttpWebhookTransport({
    policy: urlPolicy(),
    timeoutMs: config().notifications.timeoutMs,
  }));
}

/**
 * publishTeamEvent: the single way to emit a team event (decision D7; docs/notifications.md). It
 * queues the event once for every webhook of the team that subscribes to its type.
 * - publishTeamEvent(team, type, data, options): `subject` orders deliveries (a cluster id; defaults
 *   to the team); the event's id, the `webhook-id` receivers deduplicate on, is derived from the type,
 *   team, subject and `dedupeKey` (default: the instant), so a repeated call is a duplicate.
 * - publishTeamEvent(events): events already built by a producer that derives their ids itself (the
 *   table stream's transitions, the reaper's teardown warnings, budget thresholds).
 * Returns how many deliveries were queued.
 */
export function publishTeamEvent(
  team: string,
  type: EventType,
  data: Record<string, unknown>,
  options?: { subject?: string; dedupeKey?: string; at?: Date },
): Promise<number>;
export function publishTeamEvent(events: readonly TeamEvent[]): Promise<number>;
export async function publishTeamEvent(
  teamOrEvents: string | readonly TeamEvent[],
  type?: EventType,
  data: Record<string, unknown> = {},
  options: { subject?: string; dedupeKey?: string; at?: Date } = {},
): Promise<number> {
  if (typeof teamOrEvents !== 'string')
    return publishTeamEvents({ webhooks: webhookStore(), deliveries: deliveryQueue() }, teamOrEvents);
  if (!type) throw new TypeError('publishTeamEvent(team, type, data): the type is missing');
  const event = teamEvent(teamOrEvents, type, data, { ...options, at: options.at ?? systemClock.now() });
  return publishTeamEvent([event]);
}

function required(value: string, name: string): string {
  if (!value) throw new Error(`${name} is not set for this function`);
  return value;
}
