/** The cluster as the control plane records it, and as the API shows it. */
import type { CreateClusterRequest, DeploymentType } from './request.ts';
import type { Schedule } from './schedule.ts';
import type { ClusterStatus } from './status.ts';
import type { SpendCursor } from '../cost/meter.ts';

/** The request after defaults and team policy, without the clusterId and without any secret. */
export interface ClusterParameters {
  keypair: string;
  deploymentType: DeploymentType;
  masterInstanceType: string;
  cpuAgentInstanceType: string;
  gpuAgentInstanceType: string;
  inboundCidr: string;
  region: string;
  maxCpuContainersPerAgent: number;
  maxIdleAgentPeriod: string;
  maxDynamicAgents: number;
  spot: boolean;
  spotMaxPrice?: string;
  determinedVersion: string;
  idleTimeout: string;
  expiresAt?: string;
  /** Stop and start at these times (cron in an IANA zone); applied by the reaper. */
  schedule?: Schedule;
  protected: boolean;
  tags: Record<string, string>;
  restoreFrom?: string;
}

// Every request field but the secret and the id has a place in the parameters.
type Covered = keyof ClusterParameters | 'clusterId' | 'dbPassword';
export type UncoveredRequestFields = Exclude<keyof CreateClusterRequest, Covered>;
const everyFieldCovered: UncoveredRequestFields extends never ? true : false = true;
void everyFieldCovered;

export interface IdleState {
  idleTimeout: string;
  idleSince?: string;
  expiresAt?: string;
  /** Set when a teardown warning has been given; the reaper deletes the cluster at this instant. */
  teardownAt?: string;
  teardownReason?: string;
  /** Set by a keepalive with `until`: the cluster counts as busy until then. */
  keepAliveUntil?: string;
  /** Until when the reaper has applied the cluster's schedule (firings after it are still due). */
  scheduleCheckedAt?: string;
}

/** What a delete was asked to do; `recordTtl` is when the DELETED record may expire (epoch seconds). */
export interface DeleteRequest {
  purge: boolean;
  recordTtl: number;
}

export interface RetainedData {
  checkpointBucket?: string;
  dbSnapshot?: string;
  /** Secrets Manager secret holding the database and admin passwords of the retained database. */
  secretName?: string;
}

/** What the cluster record keeps of its latest upgrade (GET /clusters/{id} shows it). */
export interface UpgradeRecord {
  from: string;
  to: string;
  /** The pre-upgrade database snapshot (RDS), kept after the upgrade. */
  snapshot: string;
  requestedAt: string;
  requestedBy: string;
  /** When the snapshot was available (the upgrade workflow writes it). */
  snapshotTakenAt?: string;
}

export interface ClusterRecord {
  clusterId: string;
  team: string;
  owner: string;
  deploymentType: DeploymentType;
  status: ClusterStatus;
  statusReason?: string;
  parameters: ClusterParameters;
  /** The parameters a running update will apply; they replace `parameters` when it succeeds. */
  pendingParameters?: ClusterParameters;
  outputs: Record<string, string>;
  stackId?: string;
  /** Secrets Manager name of the cluster's passwords (never the passwords themselves). */
  secretName?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  idle: IdleState;
  /** A DELETE that arrived while another operation ran; that workflow hands over to delete. */
  deleteRequested?: DeleteRequest;
  retained?: RetainedData;
  /** When the cluster last reached STOPPED (the stop workflow writes it); the reaper tears down a cluster left stopped too long. */
  stoppedAt?: string;
  restoredFrom?: string;
  /** Set on a torn-down cluster once a new cluster took over its retained data. */
  restoredInto?: string;
  execution?: string;
  /** The latest in-place upgrade of Determined: versions and the pre-upgrade database snapshot. */
  upgrade?: UpgradeRecord;
  /** How far the team's monthly spend holds this cluster's cost (core/cost/meter.ts); the reaper moves it. */
  spend?: SpendCursor;
}

/** The cluster resource of the API (contract, "Cluster resource"): the record without internals. */
export type ClusterView = Omit<ClusterRecord, 'secretName' | 'execution' | 'retained' | 'spend'> & {
  retained?: Omit<RetainedData, 'secretName'>;
};

export function toView(record: ClusterRecord): ClusterView {
  const { secretName: _secret, execution: _execution, retained, spend: _spend, ...rest } = record;
  const view: ClusterView = { ...rest };
  if (retained) {
    const { secretName: _retainedSecret, ...visible } = retained;
    view.retained = visible;
  }
  return view;
}
