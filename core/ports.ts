/**
 * What the core needs from the outside world. Adapters (adapters/) implement these over AWS;
 * tests pass in-memory or scripted versions.
 */
import type { ResourceChange } from './cluster/replacements.ts';
import type { CfnParameter } from './cluster/stack-parameters.ts';
import type {
  ClusterParameters,
  ClusterRecord,
  DeleteRequest,
  IdleState,
  RetainedData,
  UpgradeRecord,
} from './cluster/model.ts';
import type { ClusterStatus } from './cluster/status.ts';
import type { ClusterRef, Operation } from './cluster/naming.ts';
import type { NewTimelineEntry, TimelineEntry } from './timeline.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface ClusterChanges {
  status?: ClusterStatus;
  statusReason?: string | null;
  parameters?: ClusterParameters;
  pendingParameters?: ClusterParameters | null;
  idle?: IdleState;
  deleteRequested?: DeleteRequest | null;
  retained?: RetainedData | null;
  secretName?: string;
  execution?: string;
  restoredInto?: string;
  upgrade?: UpgradeRecord;
}

/**
 * The cluster records, keyed by team and id (docs/adr/0016-tenancy-by-team.md): two teams may each
 * have a `dev`, and a torn-down cluster's history stays its team's.
 */
export interface ClusterStore {
  get(cluster: ClusterRef): Promise<ClusterRecord | undefined>;
  /**
   * Store a new incarnation of a cluster and, in the same transaction, claim its stack name across
   * teams. `replacing` is the record it supersedes (DELETED or CREATE_FAILED), or undefined for a
   * new id. Throws ConflictError when the id was taken in the meantime, or when a live cluster of
   * another team holds the stack name (a generic answer that says nothing about that cluster), and
   * QuotaExceededError when the team holds `maxClusters` already. The claim is released when the
   * cluster reaches DELETED.
   */
  insert(
    record: ClusterRecord,
    options: { replacing?: ClusterRecord; maxClusters: number; stackName: string },
  ): Promise<void>;
  /** Apply changes if the record still has `version` (and one of `statuses`); else ConflictError. */
  update(
    cluster: ClusterRef,
    expect: { version: number; statuses?: readonly ClusterStatus[] },
    changes: ClusterChanges,
  ): Promise<ClusterRecord>;
  /**
   * Undo a request's hand-over of the record to `execution` (its workflow did not start, or may not
   * have): applied only while the record is in `status`, names `execution`, and that execution has
   * not claimed it (its workflow's first step, statemachines/src/record.ts `claimRecord`). False
   * when the workflow claimed it first: the operation runs, and the request is accepted after all
   * (docs/adr/0033-claimed-workflows.md).
   */
  releaseUnclaimed(
    cluster: ClusterRef,
    expect: { status: ClusterStatus; execution: string },
    changes: ClusterChanges,
  ): Promise<boolean>;
  /**
   * A page of clusters, newest first: one team's, or every team's without `team`. `nextToken` is
   * opaque and bound to the query; a token this store did not issue for it is a ValidationError.
   */
  list(query: {
    team?: string;
    status?: ClusterStatus;
    limit: number;
    nextToken?: string;
  }): Promise<Page<ClusterRecord>>;
  appendEvent(cluster: ClusterRef, entry: NewTimelineEntry): Promise<void>;
  /** Control-plane entries, newest first, strictly after `after` in timeline order. */
  listEvents(
    cluster: ClusterRef,
    query: { limit: number; after?: { at: string; id: string } },
  ): Promise<TimelineEntry[]>;
  /** READY (or STOPPED) clusters, for the reaper (a sparse index: never a scan). */
  listReapable(query: {
    limit: number;
    nextToken?: string;
    status?: 'READY' | 'STOPPED';
  }): Promise<Page<ClusterRecord>>;
}

/**
 * What the create's key-pair check found: `unknown` when EC2 did not answer within the check's
 * short budget; the create workflow's own check then decides (docs/adr/0031-load-and-faults.md).
 */
export type KeyPairVerdict = 'usable' | 'unusable' | 'unknown';

/** EC2 key pairs, for the create's check in the request (docs/adr/0018-key-pair-check-in-the-request.md). */
export interface KeyPairs {
  /** Whether the key pair exists in the region and is not tagged `team` with another team's name. */
  usableBy(name: string, team: string): Promise<KeyPairVerdict>;
}

export interface Workflows {
  start(operation: Operation, executionName: string, input: object): Promise<void>;
  /** Whether an execution of that name was started (a StartExecution whose answer was lost). */
  exists(operation: Operation, executionName: string): Promise<boolean>;
}

export interface ClusterSecret {
  dbPassword: string;
  /** Password of Determined's built-in admin and determined users (security.initial_user_password). */
  adminPassword: string;
}

export interface Secrets {
  create(name: string, secret: ClusterSecret, tags: Record<string, string>): Promise<string>;
  read(secretId: string): Promise<ClusterSecret>;
  /** Delete at once, without a recovery window (for a secret nothing ever used). */
  remove(secretId: string): Promise<void>;
}

export interface StackReader {
  /** Stack events, newest first, as timeline entries (one page of CloudFormation's). */
  events(stackId: string, nextToken?: string): Promise<Page<TimelineEntry>>;
  /** The stack's status and the status of each resource it has started on. */
  resources(stackId: string): Promise<{ stackStatus: string; resourceStatuses: string[] } | undefined>;
  /** The stack's status alone; undefined when CloudFormation no longer knows the stack. */
  status(stackId: string): Promise<string | undefined>;
}

/** What an update would change, from a CloudFormation change set (core/cluster/replacements.ts). */
export type ChangePreview =
  | { status: 'ready'; changes: ResourceChange[] }
  /** CloudFormation found nothing to change. */
  | { status: 'no-changes' }
  | { status: 'failed'; reason: string };

export interface ChangeSets {
  /**
   * Create a change set of the stack with these parameters (previous template), read it once it is
   * ready and delete it: nothing is executed. Throws a 503 when it is not ready within the budget.
   */
  preview(stackId: string, parameters: CfnParameter[], name: string): Promise<ChangePreview>;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Idempotency-Key records (contract, "Idempotency and concurrency"). */
export interface IdempotencyStore {
  /**
   * Claim a key for a request with this fingerprint. Returns the stored response when the same
   * request already completed; throws IdempotencyKeyReusedError (422) for another request under the
   * same key, ConflictError (409) while the first one is still running.
   */
  claim(key: string, fingerprint: string): Promise<StoredResponse | undefined>;
  complete(key: string, response: StoredResponse): Promise<void>;
  /** Forget a claim whose request failed, so that a retry can run. */
  release(key: string): Promise<void>;
}

/** Dynamic agents per cluster stack, found by the agent tag (named after the stack) for many at once. */
export interface AgentCounter {
  runningAgents(stackNames: string[]): Promise<Map<string, number>>;
}

/**
 * RDS instance statuses by identifier, for many at once: AWS starts a database again by itself after
 * seven days stopped, and the reaper stops it again.
 */
export interface DatabaseStates {
  statuses(identifiers: string[]): Promise<Map<string, string>>;
}

/**
 * Whether a cluster's master answers at its recorded address. No credentials are ever sent and no
 * redirect is followed (docs/adr/0019-reaper-probe-without-credentials.md).
 */
export interface MasterProbe {
  reachable(masterUrl: string): Promise<'reachable' | 'unreachable'>;
}

export interface TeardownWarning {
  clusterId: string;
  team: string;
  owner: string;
  /** Idle (then stopped or deleted per the team's idleAction), expired, or stopped too long (deleted). */
  reason: 'idle' | 'expired' | 'stopped';
  teardownAt: string;
  message: string;
}

/** Tells the world a cluster is about to be torn down (EventBridge on AWS). */
export interface Notifier {
  teardownWarnings(warnings: TeardownWarning[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
