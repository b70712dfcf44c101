/**
 * Names derived from a cluster's team and id. Every id the API accepts (1..64 of [a-zA-Z0-9-],
 * starting with a letter) yields valid names here; AWS-generated names (buckets, roles, groups) are
 * left to CloudFormation, which also keeps a re-created cluster clear of the retained bucket of its
 * predecessor. Cluster ids are unique within a team only (docs/adr/0016-tenancy-by-team.md): the
 * stack name is claimed across teams while its cluster lives; the other names that must be unique
 * in the account carry the team or a hash of it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AGENT_TAG, STACK_ID, STACK_NAME, SYSTEM_TAGS } from '../names/shared.ts';

export { STACK_MANAGED_BY, STACK_PREFIX, STACK_PREFIX_MAX } from '../names/shared.ts';

/** The stack tags that say whose a stack is; a workflow refuses a stack whose tags do not match. */
export const OWNERSHIP_TAGS = {
  managedBy: SYSTEM_TAGS.managedBy,
  team: SYSTEM_TAGS.team,
  clusterId: SYSTEM_TAGS.clusterId,
} as const;

/** A cluster is named by its team and its id (two teams may each have a `dev`). */
export interface ClusterRef {
  team: string;
  clusterId: string;
}

/** Fixed-length, name-safe stand-in for a team: 10 hex digits of its SHA-256 (secret names). */
export const TEAM_KEY_LENGTH = 10;
export function teamKey(team: string): string {
  return createHash('sha256').update(team, 'utf8').digest('hex').slice(0, TEAM_KEY_LENGTH);
}

/**
 * The stack prefix a deployment owns (adapters/config.ts validates it): empty (the local default),
 * or a letter, then letters, digits and hyphens, ending in a hyphen, at most 32 characters in all
 * (`detcp-<stage>-` on AWS, serverless.yml). A cluster's stack is `<prefix><clusterId>` (at most
 * 32 + 64 = 96 of CloudFormation's 128), so on AWS no cluster id can name a stack outside the prefix,
 * which is all the roles may touch (docs/adr/0017-stack-ownership.md). Stack names are global in an
 * account and region while cluster ids are unique per team only: a live stack name is claimed in the
 * cluster table (STACK_NAME_CLAIM) by the cluster that holds it (docs/adr/0016-tenancy-by-team.md).
 */
export function stackName(prefix: string, clusterId: string): string {
  return STACK_NAME.format({ prefix, clusterId });
}

/**
 * The claim on a live stack name, one item in the cluster table: pk `STACKNAME#<stack name>`,
 * sk `STACKNAME`, and `claimedBy` = the pk of the cluster record that holds it. Written in the
 * transaction that inserts the record (adapters/cluster-store.ts), removed by the delete workflow
 * when the cluster reaches DELETED (statemachines/src/record.ts releaseStackName). A claim whose
 * holder is DELETED or gone is free (the store takes it over), so a release that failed never
 * locks an id.
 */
export const STACK_NAME_CLAIM = { pkPrefix: 'STACKNAME#', sk: 'STACKNAME', holder: 'claimedBy' } as const;

/** The name in a stack id (arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>). */
export function stackNameOf(stackId: string): string {
  return STACK_ID.parse(stackId)?.stackName ?? '';
}

/**
 * The tag the master puts on the agents it launches. The key is the same for every cluster and the
 * value unique to one, named after its stack (the seed asks for a unique pair; the templates write
 * `det-agent-${AWS::StackName}`): that lets IAM conditions name it in the template, and lets the
 * reaper find the agents of many clusters in one DescribeInstances call.
 */
export const AGENT_TAG_KEY = AGENT_TAG.key;

export function agentTag(stack: string): { key: string; value: string } {
  return { key: AGENT_TAG.key, value: AGENT_TAG.value.format({ stackName: stack }) };
}

export type Operation = 'create' | 'update' | 'upgrade' | 'delete' | 'stop' | 'start';

/** The letter of each operation in its execution names ("p" for stop: park). */
const OPERATION_LETTER: Record<Operation, string> = {
  create: 'c',
  update: 'u',
  upgrade: 'v',
  delete: 'd',
  stop: 'p',
  start: 's',
};

/**
 * The tag a master's boot writes on its own instance once Determined answers `GET /info` with the
 * stack's version ("answered <version>"), or "failed: <reason>"; the start workflow removes it
 * before it starts the master and waits for it (docs/adr/0026-stop-and-start.md).
 */
export const MASTER_BOOT_TAG = 'det-master-boot';

/** Step Functions' limit on execution names; the create's hand-over to delete appends "-d". */
const EXECUTION_NAME_MAX = 80 - 2;
const READABLE_ID_MAX = 54;

/**
 * Step Functions execution names are at most 80 characters and must be unique per state machine
 * for 90 days, even when a cluster id is reused or another team has the same id: the id (cut to 54
 * characters, to stay readable), a hash of team and id, the operation's letter and base-36 time.
 * The name also serves as the CloudFormation ClientRequestToken, so it fits that pattern too.
 */
export function executionName(cluster: ClusterRef, operation: Operation, now: Date): string {
  const owner = createHash('sha256')
    .update(`${cluster.team}\u0000${cluster.clusterId}`, 'utf8')
    .digest('hex')
    .slice(0, 10);
  const name = `${cluster.clusterId.slice(0, READABLE_ID_MAX)}-${owner}-${OPERATION_LETTER[operation]}-${now.getTime().toString(36)}`;
  return name.slice(0, EXECUTION_NAME_MAX);
}

/**
 * The change set a PATCH creates to see what its stack update would do (created, read, deleted:
 * adapters/change-sets.ts): `det-preview-<cluster id>-<time>-<random>`. The cluster id makes it
 * readable in the stack's history, the random part keeps two concurrent previews of one cluster
 * apart; within CloudFormation's rule (a letter first, letters, digits, hyphens, at most 128).
 */
export function previewChangeSetName(cluster: Pick<ClusterRef, 'clusterId'>, now: Date): string {
  return `det-preview-${cluster.clusterId}-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * The database snapshot an upgrade takes first: `det-upgrade-<team key>-<cluster id>-<to>-<time>`,
 * within RDS's rules for snapshot identifiers (a letter first, letters, digits and single hyphens,
 * no hyphen at the end, at most 255 characters), whatever the cluster id.
 */
export function upgradeSnapshotName(cluster: ClusterRef, toVersion: string, now: Date): string {
  const id = cluster.clusterId.replace(/-+/g, '-').replace(/-$/, '');
  const version = toVersion.replace(/\./g, '-');
  return `det-upgrade-${teamKey(cluster.team)}-${id}-${version}-${now.getTime().toString(36)}`;
}

/** Secrets Manager name of the secret that holds a cluster's database and admin passwords. */
/** Unique per incarnation of a cluster (the version grows with every re-create). */
export function secretName(cluster: ClusterRef, version: number, now: Date): string {
  return `det-control-plane/clusters/${teamKey(cluster.team)}/${cluster.clusterId}/v${version}-${now.getTime().toString(36)}`;
}
