/**
 * A typed vocabulary for Amazon States Language (JSONPath flavour). The workflows are composed from
 * shared blocks in TypeScript and rendered to statemachines/*.asl.json, which Step Functions, the
 * emulator and the tests all run (docs/adr/0006-workflows-as-code.md).
 */
import { CLUSTER_RECORD } from '../../core/names/shared.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type State = { [key: string]: Json };
export type States = Record<string, State>;

export interface StateMachine {
  Comment: string;
  StartAt: string;
  States: States;
}

/** Placeholders filled in by CloudFormation's DefinitionSubstitutions (or the local runtime). */
export const TABLE = '${ClustersTable}';
export const DELETE_MACHINE = '${DeleteStateMachineArn}';
/** The bucket of rendered templates, and its regional domain name (for TemplateURL). */
export const TEMPLATES_BUCKET = '${TemplatesBucket}';
export const TEMPLATES_DOMAIN = '${TemplatesBucketDomain}';
/** The role CloudFormation assumes to build cluster stacks (the workflows only pass it). */
export const STACK_ROLE = '${StackRoleArn}';

export const sdk = (service: string, action: string) => `arn:aws:states:::aws-sdk:${service}:${action}`;
export const DDB_UPDATE = 'arn:aws:states:::dynamodb:updateItem';
export const DDB_PUT = 'arn:aws:states:::dynamodb:putItem';
export const DDB_GET = 'arn:aws:states:::dynamodb:getItem';
export const DDB_DELETE = 'arn:aws:states:::dynamodb:deleteItem';

/**
 * Transient AWS errors (throttling, 5xx) are retried with backoff and jitter. Service errors have
 * no portable names (the emulator spells them differently), so every task failure is retried a
 * few times; rules listed before this one exempt the errors that must not be retried.
 */
export const TRANSIENT_RETRY: Json = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 20,
  JitterStrategy: 'FULL',
};

/**
 * Writes to the cluster record outlast an AWS outage of 30 s and more (issue 12): a status that
 * is not written leaves the cluster in progress, and a stack id not recorded leaves a stack the
 * cluster does not know. No jitter, so the wait is bounded below: 2+4+8+16+30+30 = 90 s.
 */
export const RECORD_RETRY: Json = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
};

/** The cluster record's key (adapters/cluster-store.ts): every workflow input carries team and id. */
export const CLUSTER_PK = CLUSTER_RECORD.pk.asl({ team: '$.team', clusterId: '$.clusterId' });
export const clusterKey: Json = {
  pk: { 'S.$': CLUSTER_PK },
  sk: { S: CLUSTER_RECORD.sk },
};

export function merge(...groups: States[]): States {
  const merged: States = {};
  for (const group of groups) {
    for (const [name, state] of Object.entries(group)) {
      if (name in merged) throw new Error(`two blocks define state ${name}`);
      merged[name] = state;
    }
  }
  return merged;
}
