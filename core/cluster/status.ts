/** The cluster status model of the contract, and which operations each status admits. */
import { ConflictError } from '../errors.ts';

export { CLUSTER_STATUSES, IN_PROGRESS, type ClusterStatus } from './statuses.ts';
import { IN_PROGRESS, type ClusterStatus } from './statuses.ts';

/** Statuses from which a POST with the same id starts over. */
export const RECREATABLE: readonly ClusterStatus[] = ['DELETED', 'CREATE_FAILED'];

const UPDATABLE: readonly ClusterStatus[] = ['READY', 'UPDATE_FAILED'];
/** A PATCH of control-plane settings only (idle timeout, expiry, protection, schedule) changes no stack. */
const SETTINGS_UPDATABLE: readonly ClusterStatus[] = [...UPDATABLE, 'STOPPED'];
const DELETABLE_NOW: readonly ClusterStatus[] = [
  'READY',
  'STOPPED',
  'CREATE_FAILED',
  'UPDATE_FAILED',
  'STOP_FAILED',
  'START_FAILED',
  'DELETE_FAILED',
];
/**
 * A stop parks a running cluster; a failed stop or start may be stopped again (whatever the failed
 * run left running is stopped), and started again (whatever it left stopped is started).
 */
export const STOPPABLE: readonly ClusterStatus[] = ['READY', 'STOP_FAILED', 'START_FAILED'];
export const STARTABLE: readonly ClusterStatus[] = ['STOPPED', 'START_FAILED', 'STOP_FAILED'];
/** Statuses the idle clock runs in: a stopped cluster costs storage only and is never idle. */
const KEEPALIVE: readonly ClusterStatus[] = ['READY', 'CREATING', 'UPDATING', 'STARTING'];

export function assertUpdatable(
  clusterId: string,
  status: ClusterStatus,
  options: { stackChange: boolean } = { stackChange: true },
): void {
  if (!options.stackChange && SETTINGS_UPDATABLE.includes(status)) return;
  if (!UPDATABLE.includes(status)) {
    const hint =
      status === 'STOPPED'
        ? ' Start it first; while it is stopped only idleTimeout, expiresAt, protected and schedule can change.'
        : '';
    throw new ConflictError(
      `Cluster ${clusterId} is ${status}; it can be changed only when READY or UPDATE_FAILED.${hint}`,
    );
  }
}

export function assertStoppable(clusterId: string, status: ClusterStatus): void {
  if (!STOPPABLE.includes(status)) {
    throw new ConflictError(
      `Cluster ${clusterId} is ${status}; it can be stopped only when READY, STOP_FAILED or START_FAILED.`,
    );
  }
}

export function assertStartable(clusterId: string, status: ClusterStatus): void {
  if (!STARTABLE.includes(status)) {
    throw new ConflictError(
      `Cluster ${clusterId} is ${status}; it can be started only when STOPPED, START_FAILED or STOP_FAILED.`,
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
  if (status === 'DELETING') return 'already-deleting';
  if (IN_PROGRESS.includes(status)) return 'after-current';
  throw new ConflictError(`Cluster ${clusterId} is already deleted.`);
}

export function assertKeepaliveAllowed(clusterId: string, status: ClusterStatus): void {
  if (!KEEPALIVE.includes(status)) {
    throw new ConflictError(`Cluster ${clusterId} is ${status}; only a running cluster can be kept alive.`);
  }
}
