/**
 * The record of each function's AWS calls (scripts/check-aws/function-roles.ts), which check:aws
 * holds the function roles against, kept true to the code: a handler that starts using another
 * adapter, or an adapter that starts making another call, fails here until the record says so.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ADAPTER_CALLS,
  FUNCTION_CALLS,
  functionRoles,
  type Adapter,
} from '../../../scripts/check-aws/function-roles.ts';
import { ROOT } from '../../../scripts/check-aws/control-plane.ts';

/** functions/deps.ts exports -> the adapters they build (the rest make no AWS call). */
const DEPS_EXPORTS: Record<string, Adapter[]> = {
  clusterStore: ['clusterStore'],
  workflows: ['workflows'],
  secrets: ['secrets'],
  stacks: ['stacks'],
  changeSets: ['changeSets'],
  agents: ['agents'],
  // Teardown warnings and budget thresholds go to EventBridge and to the team's webhooks (publishTeamEvent).
  notifier: ['notifier', 'webhookStore', 'deliveryQueue'],
  auditLog: ['auditLog'],
  webhookStore: ['webhookStore'],
  webhookSecrets: ['webhookSecrets'],
  deliveryQueue: ['deliveryQueue'],
  publishTeamEvent: ['webhookStore', 'deliveryQueue'],
  idempotencyDeps: ['idempotencyDeps', 'apiKeys'],
  apiKeys: ['apiKeys'],
  ledger: ['ledger'],
  parkedWorkflows: ['parkedWorkflows'],
};
/** Document-client commands -> the DynamoDB actions IAM authorizes them by. */
const DYNAMO_COMMANDS: Record<string, string[]> = {
  GetCommand: ['GetItem'],
  PutCommand: ['PutItem'],
  UpdateCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  QueryCommand: ['Query'],
  TransactWriteCommand: ['PutItem', 'UpdateItem'],
};

const source = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');

function adaptersOf(handlerFile: string): Set<Adapter> {
  const text = source(handlerFile);
  const used = new Set<Adapter>();
  for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(?:\.\.\/)+deps\.ts'/g))
    for (const name of (match[1] ?? '').split(',').map((part) => part.trim()))
      for (const adapter of DEPS_EXPORTS[name] ?? []) used.add(adapter);
  // Wiring shared by a few handlers next to them (e.g. functions/http/clusters/budgeted-deps.ts).
  for (const match of text.matchAll(/from\s*'\.\/([\w-]+-deps\.ts)'/g))
    for (const adapter of adaptersOf(join(dirname(handlerFile), match[1] ?? ''))) used.add(adapter);
  if (text.includes('new StepFunctionsExecutions(')) used.add('executions');
  if (text.includes("sqsClient().call('ChangeMessageVisibility'")) used.add('deliveryVisibility');
  return used;
}

function operationsOf(adapter: Adapter): string[] {
  const { file, service } = ADAPTER_CALLS[adapter];
  if (service === 'lambda') return [];
  const text = source(file);
  // SendMessageBatch is authorized as SendMessage, one per entry.
  const called = [...text.matchAll(/\.call\(\s*'(\w+)'/g)].map(
    (match) => `${service}:${match[1] === 'SendMessageBatch' ? 'SendMessage' : match[1]}`,
  );
  const commands = [...text.matchAll(/new (\w+Command)\(/g)].flatMap((match) =>
    (DYNAMO_COMMANDS[match[1] ?? ''] ?? []).map((action) => `dynamodb:${action}`),
  );
  const stackReads = [...text.matchAll(/this\.result\('(\w+)'/g)].map(
    (match) => `cloudformation:${match[1]}`,
  );
  return [...new Set([...called, ...commands, ...stackReads])];
}

describe('the recorded AWS calls of the functions', () => {
  const functions = functionRoles();

  it.each(Object.keys(functions))('%s: the adapters its handler builds are the ones on record', (name) => {
    const recorded = new Set(
      (FUNCTION_CALLS[name] ?? []).map((call) => call.adapter).filter((adapter) => adapter !== 'lambda'),
    );
    const built = adaptersOf(functions[name]?.handler ?? '');
    // The store builds page tokens with the API key: a store-only function may read the key too.
    // So does the audit log (GET /audit pages).
    if ((built.has('clusterStore') || built.has('auditLog')) && recorded.has('apiKeys')) built.add('apiKeys');
    expect([...recorded].sort()).toEqual([...built].sort());
  });

  it.each(Object.keys(ADAPTER_CALLS) as Adapter[])(
    '%s: every call the adapter makes is on record',
    (adapter) => {
      const recorded = new Set(
        Object.values(FUNCTION_CALLS)
          .flat()
          .filter((call) => call.adapter === adapter)
          .map((call) => call.action),
      );
      expect(operationsOf(adapter).filter((action) => !recorded.has(action))).toEqual([]);
    },
  );
});
