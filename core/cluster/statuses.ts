/**
 * The contract's cluster statuses, with no dependencies: the API, the workflows' records and the
 * console (bundled for the browser) all read them from here.
 */
export const CLUSTER_STATUSES = [
  'CREATING',
  'READY',
  'UPDATING',
  'STOPPING',
  'STOPPED',
  'STARTING',
  'DELETING',
  'DELETED',
  'CREATE_FAILED',
  'UPDATE_FAILED',
  'STOP_FAILED',
  'START_FAILED',
  'DELETE_FAILED',
] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** A workflow owns the cluster while it is in one of these. */
export const IN_PROGRESS: readonly ClusterStatus[] = [
  'CREATING',
  'UPDATING',
  'STOPPING',
  'STARTING',
  'DELETING',
];

/** Where the cluster rests until someone acts: every status but the in-progress ones. */
export const STABLE_STATUSES: readonly ClusterStatus[] = CLUSTER_STATUSES.filter(
  (status) => !IN_PROGRESS.includes(status),
);
