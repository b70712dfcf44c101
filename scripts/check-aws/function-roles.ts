/**
 * check:aws, part "function roles": each Lambda function's role (serverless.yml `role:`) against
 * the AWS calls its handler makes. The calls are recorded here, per function, from the adapters its
 * handler builds (functions/deps.ts); test/unit/fidelity/function-calls.test.ts keeps this record
 * true to the code (the adapters each handler imports, the operations each adapter makes).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ACCOUNT, arn, controlPlaneRole, REGION, ROOT, SERVICE, STAGE } from './control-plane.ts';
import { decide, fitArn } from './simulate.ts';
import type { RoleCheck } from './stack-role.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- YAML

/** What each functions/deps.ts export calls: service operations, on what. */
export const ADAPTER_CALLS = {
  clusterStore: { file: 'adapters/cluster-store.ts', service: 'dynamodb' },
  idempotencyDeps: { file: 'adapters/idempotency-store.ts', service: 'dynamodb' },
  workflows: { file: 'adapters/workflows.ts', service: 'states' },
  secrets: { file: 'adapters/secrets.ts', service: 'secretsmanager' },
  stacks: { file: 'adapters/stack-reader.ts', service: 'cloudformation' },
  /** What a PATCH would change: change sets created, read and deleted, never executed (ADR 0034). */
  changeSets: { file: 'adapters/change-sets.ts', service: 'cloudformation' },
  agents: { file: 'adapters/agent-counter.ts', service: 'ec2' },
  notifier: { file: 'adapters/notifier.ts', service: 'events' },
  /** The control plane's own key: page tokens and idempotency fingerprints (functions/deps.ts apiKeys). */
  apiKeys: { file: 'functions/deps.ts', service: 'secretsmanager' },
  executions: { file: 'adapters/executions.ts', service: 'states' },
  /** The task token a workflow parks on a cluster record (the watchdog's lost-event sweep). */
  parkedWorkflows: { file: 'adapters/parked-workflows.ts', service: 'dynamodb' },
  /** Each team's spend per month and the clusters whose spend is open (docs/adr/0027-cost-and-budgets.md). */
  ledger: { file: 'adapters/spend-ledger.ts', service: 'dynamodb' },
  auditLog: { file: 'adapters/audit-log.ts', service: 'dynamodb' },
  webhookStore: { file: 'adapters/webhook-store.ts', service: 'dynamodb' },
  webhookSecrets: { file: 'adapters/webhook-secrets.ts', service: 'secretsmanager' },
  deliveryQueue: { file: 'adapters/delivery-queue.ts', service: 'sqs' },
  /** The delivery worker's backoff: the visibility of the message it failed (functions/webhooks/deliver.ts). */
  deliveryVisibility: { file: 'functions/webhooks/deliver.ts', service: 'sqs' },
  /** Lambda itself, with the function's role: a stream's records, a failed run's destination, traces. */
  lambda: { file: 'serverless.yml', service: 'lambda' },
} as const;
export type Adapter = keyof typeof ADAPTER_CALLS;

const table = arn.table;
const index = (name: string) => `${table}/index/${name}`;
const clusterSecret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:det-control-plane/clusters/0123456789/x/v1-abc-AbCdEf`;
const stack = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/detcp-${STAGE}-0123456789-x/0d5b3c1e-8a6f-4a53-9d0e-1f2a3b4c5d6e`;

export interface FunctionCall {
  adapter: Adapter;
  action: string;
  resource: string;
  context?: Record<string, string>;
}

const apiKey: FunctionCall = {
  adapter: 'apiKeys',
  action: 'secretsmanager:GetSecretValue',
  resource: arn.apiKeySecret,
};
const idempotency: FunctionCall[] = ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'].map((operation) => ({
  adapter: 'idempotencyDeps',
  action: `dynamodb:${operation}`,
  resource: table,
}));
/** `Query@by-team` is a Query on that index; `UpdateItem` one on the table. */
const onTable =
  (adapter: Adapter) =>
  (...operations: string[]): FunctionCall[] =>
    operations.map((operation) => {
      const [action = '', on] = operation.split('@');
      return { adapter, action: `dynamodb:${action}`, resource: on ? index(on) : table };
    });
/** The budget check of a create or a cost-raising change: the team's month and its open clusters. */
const teamSpend = (): FunctionCall[] => onTable('ledger')('GetItem', 'Query@by-team');
const store = onTable('clusterStore');
const webhookSecret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:det-control-plane/webhooks/bars/chat-AbCdEf`;
const deliveryQueueArn = arn.queue('WebhookDeliveryQueue');
/** Every accepted state-changing request, workflow and reaper action (the audit table, put only). */
const audit: FunctionCall = { adapter: 'auditLog', action: 'dynamodb:PutItem', resource: arn.auditTable };
const webhooks = onTable('webhookStore');
const enqueue: FunctionCall = {
  adapter: 'deliveryQueue',
  action: 'sqs:SendMessage',
  resource: deliveryQueueArn,
};
/** publishTeamEvents: the team's webhooks, then one message per subscribed webhook. */
const publish: FunctionCall[] = [...webhooks('Query'), enqueue];

/**
 * The calls of each function (serverless.yml `functions:`), from the store methods its operations
 * use (core/operations) and the adapters its handler builds. A TransactWriteItems is authorized item
 * by item (PutItem, UpdateItem), so it appears as those.
 */
export const FUNCTION_CALLS: Record<string, FunctionCall[]> = {
  createCluster: [
    ...store('GetItem', 'PutItem', 'UpdateItem'),
    ...teamSpend(),
    ...idempotency,
    apiKey,
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('CreateClusterStateMachine'),
    },
    // A StartExecution whose answer was lost: did the execution start? (ADR 0031)
    {
      adapter: 'workflows',
      action: 'states:DescribeExecution',
      resource: `${arn.stateMachine('CreateClusterStateMachine').replace(':stateMachine:', ':execution:')}:run-1`,
    },
    { adapter: 'secrets', action: 'secretsmanager:CreateSecret', resource: clusterSecret },
    { adapter: 'secrets', action: 'secretsmanager:TagResource', resource: clusterSecret },
    // A create whose workflow cannot start takes its passwords back (core/operations/create-cluster.ts).
    { adapter: 'secrets', action: 'secretsmanager:DeleteSecret', resource: clusterSecret },
    // A restore carries the torn-down cluster's database password over.
    { adapter: 'secrets', action: 'secretsmanager:GetSecretValue', resource: clusterSecret },
    audit,
  ],
  listClusters: [...store('GetItem', 'Query@by-team', 'Query@by-created'), apiKey],
  getCluster: [
    ...store('GetItem'),
    { adapter: 'stacks', action: 'cloudformation:DescribeStacks', resource: stack },
    { adapter: 'stacks', action: 'cloudformation:ListStackResources', resource: stack },
  ],
  updateCluster: [
    ...store('GetItem', 'PutItem', 'UpdateItem'),
    ...teamSpend(),
    ...idempotency,
    apiKey,
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('UpdateClusterStateMachine'),
    },
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('UpgradeClusterStateMachine'),
    },
    { adapter: 'changeSets', action: 'cloudformation:CreateChangeSet', resource: stack },
    { adapter: 'changeSets', action: 'cloudformation:DescribeChangeSet', resource: stack },
    { adapter: 'changeSets', action: 'cloudformation:DeleteChangeSet', resource: stack },
    // CloudFormation uses the stack's service role for the change set; the caller passes it.
    { adapter: 'changeSets', action: 'iam:PassRole', resource: arn.role('ClusterStackRole') },
    audit,
  ],
  deleteCluster: [
    ...store('GetItem', 'PutItem', 'UpdateItem'),
    ...idempotency,
    apiKey,
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('DeleteClusterStateMachine'),
    },
    audit,
  ],
  stopCluster: [
    ...store('GetItem', 'PutItem', 'UpdateItem'),
    ...idempotency,
    apiKey,
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('StopClusterStateMachine'),
    },
    audit,
  ],
  startCluster: [
    ...store('GetItem', 'PutItem', 'UpdateItem'),
    ...teamSpend(),
    ...idempotency,
    apiKey,
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('StartClusterStateMachine'),
    },
    audit,
  ],
  keepalive: [...store('GetItem', 'UpdateItem', 'PutItem'), audit],
  clusterEvents: [
    ...store('GetItem', 'Query'),
    { adapter: 'stacks', action: 'cloudformation:DescribeStackEvents', resource: stack },
  ],
  getTeam: [...store('Query@by-team'), apiKey, ...teamSpend()],
  openapi: [],
  health: [],
  // Serves the console from its own bundle: no AWS call.
  console: [],
  putWebhook: [
    ...webhooks('GetItem', 'Query', 'PutItem'),
    ...['CreateSecret', 'TagResource', 'PutSecretValue'].map((operation): FunctionCall => ({
      adapter: 'webhookSecrets',
      action: `secretsmanager:${operation}`,
      resource: webhookSecret,
    })),
    audit,
  ],
  listWebhooks: webhooks('Query'),
  deleteWebhook: [
    ...webhooks('GetItem', 'DeleteItem'),
    { adapter: 'webhookSecrets', action: 'secretsmanager:DeleteSecret', resource: webhookSecret },
    audit,
  ],
  testWebhook: [...webhooks('GetItem'), enqueue, audit],
  readAudit: [
    { adapter: 'auditLog', action: 'dynamodb:Query', resource: arn.auditTable },
    { adapter: 'auditLog', action: 'dynamodb:Query', resource: `${arn.auditTable}/index/by-cluster` },
    { adapter: 'auditLog', action: 'dynamodb:Query', resource: `${arn.auditTable}/index/by-time` },
    apiKey,
  ],
  deliverWebhooks: [
    ...webhooks('GetItem', 'PutItem'),
    { adapter: 'webhookSecrets', action: 'secretsmanager:GetSecretValue', resource: webhookSecret },
    { adapter: 'deliveryVisibility', action: 'sqs:ChangeMessageVisibility', resource: deliveryQueueArn },
    ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action): FunctionCall => ({
      adapter: 'lambda',
      action,
      resource: deliveryQueueArn,
    })),
  ],
  reaper: [
    ...store('Query@reapable', 'GetItem', 'UpdateItem', 'PutItem'),
    // Spend settlement (a TransactWriteItems of UpdateItems) and the budget check.
    ...onTable('ledger')('Query@unsettled', 'Query@by-team', 'Query', 'GetItem', 'UpdateItem', 'PutItem'),
    apiKey,
    { adapter: 'agents', action: 'ec2:DescribeInstances', resource: '*' },
    {
      adapter: 'notifier',
      action: 'events:PutEvents',
      resource: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
    },
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('DeleteClusterStateMachine'),
    },
    // idleAction stop, autostop and autostart (core/operations/reap.ts).
    ...['StopClusterStateMachine', 'StartClusterStateMachine'].map((machine): FunctionCall => ({
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine(machine),
    })),
    { adapter: 'lambda', action: 'sqs:SendMessage', resource: arn.queue('AsyncFailuresQueue') },
    audit,
    ...publish,
  ],
  streamMetrics: [
    ...['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map(
      (action): FunctionCall => ({ adapter: 'lambda', action, resource: arn.tableStream }),
    ),
    { adapter: 'lambda', action: 'dynamodb:ListStreams', resource: '*' },
    { adapter: 'lambda', action: 'sqs:SendMessage', resource: arn.queue('StreamDeadLetterQueue') },
    audit,
    ...publish,
  ],
  watchdog: [
    ...['CreateClusterStateMachine', 'UpdateClusterStateMachine', 'DeleteClusterStateMachine'].map(
      (machine): FunctionCall => ({
        adapter: 'executions',
        action: 'states:ListExecutions',
        resource: arn.stateMachine(machine),
      }),
    ),
    // The lost-event sweep (core/workflow/lost-events.ts).
    {
      adapter: 'executions',
      action: 'states:DescribeExecution',
      resource:
        arn.stateMachine('CreateClusterStateMachine').replace(':stateMachine:', ':execution:') + ':run-1',
    },
    { adapter: 'executions', action: 'states:SendTaskSuccess', resource: '*' },
    { adapter: 'parkedWorkflows', action: 'dynamodb:GetItem', resource: table },
    // The stranded-record sweep (core/workflow/stranded.ts), and a delete that never started, started
    // again (core/operations/delete-cluster.ts restartDelete).
    ...store('Query@by-created', 'UpdateItem', 'GetItem', 'PutItem'),
    {
      adapter: 'workflows',
      action: 'states:StartExecution',
      resource: arn.stateMachine('DeleteClusterStateMachine'),
    },
    {
      adapter: 'workflows',
      action: 'states:DescribeExecution',
      resource:
        arn.stateMachine('DeleteClusterStateMachine').replace(':stateMachine:', ':execution:') + ':run-1',
    },
    { adapter: 'stacks', action: 'cloudformation:DescribeStacks', resource: stack },
    { adapter: 'lambda', action: 'sqs:SendMessage', resource: arn.queue('AsyncFailuresQueue') },
  ],
};

/** X-Ray: every function traces (serverless.yml provider.tracing). */
const TRACING: FunctionCall[] = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => ({
  adapter: 'lambda',
  action,
  resource: '*',
}));

/** serverless.yml: each function's handler file and role. */
export function functionRoles(): Record<string, { handler: string; role: string }> {
  const config = parse(readFileSync(`${ROOT}serverless.yml`, 'utf8'), {
    customTags: ['!GetAtt', '!Ref', '!Sub'].map((tag) => ({ tag, resolve: (value: string) => value })),
  }) as Json;
  return Object.fromEntries(
    Object.entries<Json>(config.functions).map(([name, fn]) => [
      name,
      { handler: `${String(fn.handler).replace(/\.handler$/, '')}.ts`, role: fn.role },
    ]),
  );
}

export async function checkFunctionRoles(): Promise<RoleCheck & { functions: number }> {
  const denied: string[] = [];
  let checked = 0;
  const roles = functionRoles();
  for (const [name, { role }] of Object.entries(roles)) {
    const calls = FUNCTION_CALLS[name];
    if (!calls) {
      denied.push(`${name}: no calls on record in scripts/check-aws/function-roles.ts`);
      continue;
    }
    const principal = controlPlaneRole(role);
    const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${SERVICE}-${STAGE}-${name}:log-stream:2026/01/01/[$LATEST]abc`;
    for (const call of [
      ...calls,
      ...TRACING,
      { adapter: 'lambda', action: 'logs:CreateLogStream', resource: logGroup },
      { adapter: 'lambda', action: 'logs:PutLogEvents', resource: logGroup },
    ]) {
      const resource =
        call.resource === '*' ? '*' : await fitArn(call.action, call.resource, REGION, ACCOUNT);
      checked += 1;
      const decision = await decide(principal.principal, ACCOUNT, principal.policies, { ...call, resource });
      if (!decision.allowed)
        denied.push(
          `${role} denies ${call.action} on ${resource} (function ${name}, ${call.adapter}): ${decision.detail}`,
        );
    }
  }
  return { checked, denied, unknownActions: [], functions: Object.keys(roles).length };
}
