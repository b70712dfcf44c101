/** The cluster status model of the contract, and which operations each status admits. */
import { ConflictError } from '../errors.ts';

export const CLUSTER_STATUSES = [
  'CREATING',
  'READY',
  'UPDATING',
  'DELETING',
  'DELETED',
  'CREATE_FAILED',
  'UPDATE_FAILED',
  'DELETE_FAILED',
] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** A workflow owns the cluster while it is in one of these. */
export const IN_PROGRESS: readonly ClusterStatus[] = ['CREATING', 'UPDATING', 'DELETING'];

/** Statuses from which a POST with the same id starts over. */
export const RECREATABLE: readonly ClusterStatus[] = ['DELETED', 'CREATE_FAILED'];

const UPDATABLE: readonly ClusterStatus[] = ['READY', 'UPDATE_FAILED'];
const DELETABLE_NOW: readonly ClusterStatus[] = ['READY', 'CREATE_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED'];

export function assertUpdatable(clusterId: string, status: ClusterStatus): void {
  if (!UPDATABLE.includes(status)) {
    throw new ConflictError(
      `Cluster ${clusterId} is ${status}; it can be changed only when READY or UPDATE_FAILED.`,
    );
  }
}

/**
 * What a DELETE does in each status: start the delete workflow now, ask the running workflow to
 * delete when it finishes (operations never interleave), or nothing because it is already deleting.
 */
export function deletePlan(
  clusterId: string,
  status: ClusterStatus,
): 'start' | 'after-current' | 'already-deleting' {
  if (DELETABLE_NOW.includes(status)) return 'start';
  if (status === 'CREATING' || status === 'UPDATING') return 'after-current';
  if (status === 'DELETING') return 'already-deleting';
  throw new ConflictError(`Cluster ${clusterId} is already deleted.`);
}

export function assertKeepaliveAllowed(clusterId: string, status: ClusterStatus): void {
  if (status !== 'READY' && status !== 'CREATING' && status !== 'UPDATING') {
    throw new ConflictError(`Cluster ${clusterId} is ${status}; only a running cluster can be kept alive.`);
  }
}
