/**
 * Names derived from a cluster id. Every id the API accepts (1..64 of [a-zA-Z0-9-], starting with a
 * letter) yields valid names here; AWS-generated names (buckets, roles, groups) are left to
 * CloudFormation, which also keeps a re-created cluster clear of the retained bucket of its predecessor.
 */
export const STACK_MANAGED_BY = 'determined';

export function stackName(clusterId: string): string {
  return clusterId;
}

/**
 * The tag the master puts on the agents it launches. The key is the same for every cluster and the
 * value unique to one (the seed asks for a unique pair): that lets IAM conditions name it in the
 * template, and lets the reaper find the agents of many clusters in one DescribeInstances call.
 */
export const AGENT_TAG_KEY = 'det-cluster';

export function agentTag(clusterId: string): { key: string; value: string } {
  return { key: AGENT_TAG_KEY, value: `det-agent-${clusterId}` };
}

export type Operation = 'create' | 'update' | 'delete';

/**
 * Step Functions execution names are at most 80 characters and must be unique per state machine
 * for 90 days, even when a cluster id is reused: id (<= 64) + operation letter + base-36 time.
 * The name also serves as the CloudFormation ClientRequestToken, so it fits that pattern too.
 */
export function executionName(clusterId: string, operation: Operation, now: Date): string {
  return `${clusterId}-${operation[0]}-${now.getTime().toString(36)}`;
}

/** Secrets Manager name of the secret that holds a cluster's database and admin passwords. */
/** Unique per incarnation of a cluster id (the version grows with every re-create). */
export function secretName(clusterId: string, version: number, now: Date): string {
  return `det-control-plane/clusters/${clusterId}/v${version}-${now.getTime().toString(36)}`;
}
