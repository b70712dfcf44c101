/**
 * Every name and rule that more than one runtime must agree on: the TypeScript core and adapters,
 * the workflows' ASL (statemachines/src) and the CloudFormation templates (templates/src,
 * resources/). Each is defined here once and rendered where needed (format.ts); docs/architecture.md
 * lists them, and test/unit/names checks that the renderings agree for any valid cluster id.
 */
import { NameFormat } from './format.ts';

/** A cluster id: a letter, then letters, digits and hyphens, at most 64 (the API's rule, ADR 0016). */
export const CLUSTER_ID = /^[a-zA-Z][-a-zA-Z0-9]*$/;
export const CLUSTER_ID_MAX = 64;
export const isClusterId = (value: string) => value.length <= CLUSTER_ID_MAX && CLUSTER_ID.test(value);

/** A team, from the token's claim (core/principal.ts). */
export const TEAM = /^[a-zA-Z][a-zA-Z0-9._-]{0,63}$/;

/** The stack prefix a deployment owns: empty locally, `detcp-<stage>-` on AWS (ADR 0017). */
export const STACK_PREFIX = /^(?:[a-zA-Z][-a-zA-Z0-9]{0,30}-)?$/;
export const STACK_PREFIX_MAX = 32;

const STACK_NAME_RULE = /[a-zA-Z][-a-zA-Z0-9]*/;

/** A cluster's stack: `<prefix><clusterId>`, at most 32 + 64 = 96 of CloudFormation's 128. */
export const STACK_NAME = new NameFormat('{prefix}{clusterId}', {
  prefix: STACK_PREFIX,
  clusterId: CLUSTER_ID,
});

/** A stack id, as CloudFormation returns it; its name is read back out of it, never guessed. */
export const STACK_ID = new NameFormat(
  'arn:{partition}:cloudformation:{region}:{account}:stack/{stackName}/{uuid}',
  {
    partition: /aws[-a-z]*/,
    region: /[a-z0-9-]+/,
    account: /[0-9]+/,
    stackName: STACK_NAME_RULE,
    uuid: /[-a-zA-Z0-9]+/,
  },
);

/** The cluster record's key in the cluster table (adapters/cluster-store.ts, every workflow). */
export const CLUSTER_RECORD = {
  pk: new NameFormat('CLUSTER#{team}#{clusterId}', { team: TEAM, clusterId: CLUSTER_ID }),
  sk: 'CLUSTER',
} as const;

/**
 * The tag the master puts on the agents it launches: one key for every cluster, the value unique to
 * one and named after its stack, so IAM conditions in the template can name it and the reaper finds
 * the agents of many clusters in one DescribeInstances call.
 */
export const AGENT_TAG = {
  key: 'det-cluster',
  value: new NameFormat('det-agent-{stackName}', { stackName: STACK_NAME_RULE }),
} as const;

/** Where the create workflow keeps the exact template of one create, read by CloudFormation. */
export const TEMPLATE_OBJECT = new NameFormat('clusters/{stackName}/{execution}.json', {
  stackName: STACK_NAME_RULE,
  execution: /[-a-zA-Z0-9_]+/,
});

/** The statuses the reaper's sparse index (`reapable`, attribute `reapShard`) holds, each its own shard. */
export const REAP_SHARDS = ['READY', 'STOPPED'] as const;
export type ReapShard = (typeof REAP_SHARDS)[number];
export const reapShardOf = (status: string): ReapShard | undefined =>
  (REAP_SHARDS as readonly string[]).find((shard) => shard === status) as ReapShard | undefined;

/** When a DELETED record expires (DynamoDB TTL, epoch seconds): the retention after the delete. */
export function deletedRecordExpiry(now: Date, retentionDays: number): number {
  return Math.floor(now.getTime() / 1000) + retentionDays * 86_400;
}

/** What the control plane writes on every stack (CloudFormation copies them to each resource). */
export const STACK_MANAGED_BY = 'determined';
export const SYSTEM_TAGS = {
  managedBy: 'managed-by',
  deploymentType: 'deployment-type',
  team: 'team',
  owner: 'owner',
  clusterId: 'cluster-id',
  name: 'Name',
} as const;
/** Tag keys the control plane sets itself; a caller may not set them. */
export const RESERVED_TAG_KEYS: readonly string[] = Object.values(SYSTEM_TAGS);
