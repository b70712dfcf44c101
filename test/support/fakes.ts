/**
 * In-memory versions of the ports for unit tests of the operations and handlers. The store keeps
 * the same rules as the DynamoDB adapter (conditional writes on version and status, team quota),
 * so a test sees the outcomes the real store would give.
 */
import type { CfnParameter } from '../../core/cluster/stack-parameters.ts';
import type { ChangePreview, ChangeSets } from '../../core/ports.ts';
import type { ClusterRecord } from '../../core/cluster/model.ts';
import type { ClusterRef, Operation } from '../../core/cluster/naming.ts';
import type { DeploymentType } from '../../core/cluster/request.ts';
import type { ClusterStatus } from '../../core/cluster/status.ts';
import {
  ConflictError,
  DependencyUnavailableError,
  IdempotencyKeyReusedError,
  QuotaExceededError,
  StaleRecordError,
} from '../../core/errors.ts';
import { PRICES } from '../../core/cost/price-list.ts';
import type { CreateDeps } from '../../core/operations/create-cluster.ts';
import type { OperationDeps } from '../../core/operations/deps.ts';
import { BUILT_IN_POLICY, type PolicyConfig } from '../../core/policy.ts';
import type {
  ClusterChanges,
  ClusterSecret,
  ClusterStore,
  IdempotencyStore,
  KeyPairs,
  KeyPairVerdict,
  Page,
  Secrets,
  StackReader,
  StoredResponse,
  Workflows,
} from '../../core/ports.ts';
import { InMemorySpendLedger } from './fake-ledger.ts';
import { newerFirst, type NewTimelineEntry, type TimelineEntry } from '../../core/timeline.ts';
import type { WorkflowTiming } from '../../core/workflow/inputs.ts';

const clone = <T>(value: T): T => structuredClone(value);

/** The key of a cluster in the fake store: team and id, as in the table. */
export const keyOf = (cluster: ClusterRef) => `${cluster.team}#${cluster.clusterId}`;

export class InMemoryClusterStore implements ClusterStore {
  readonly records = new Map<string, ClusterRecord>();
  readonly events = new Map<string, TimelineEntry[]>();
  readonly quota = new Map<string, number>();
  /** Stack name -> the key of the cluster that claimed it. */
  readonly claims = new Map<string, string>();
  writes = 0;

  /** `now` stamps updatedAt, as the real store stamps it with the table's clock. */
  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Test access: the stored record of a cluster (team 'alpha' unless given). */
  record(clusterId: string, team = 'alpha'): ClusterRecord | undefined {
    return this.records.get(keyOf({ team, clusterId }));
  }

  async get(cluster: ClusterRef) {
    const record = this.records.get(keyOf(cluster));
    return record ? clone(record) : undefined;
  }

  async insert(
    record: ClusterRecord,
    options: { replacing?: ClusterRecord; maxClusters: number; stackName: string },
  ) {
    const existing = this.records.get(keyOf(record));
    const { replacing } = options;
    if (
      replacing ? existing?.status !== replacing.status || existing.version !== replacing.version : existing
    ) {
      throw new ConflictError(`Cluster id ${record.clusterId} is taken.`);
    }
    // The stack name's claim, as adapters/cluster-store.ts keeps it: free when its holder is DELETED or gone.
    const holder = this.claims.get(options.stackName);
    const holderRecord = holder === undefined ? undefined : this.records.get(holder);
    if (
      holder !== undefined &&
      holder !== keyOf(record) &&
      holderRecord &&
      holderRecord.status !== 'DELETED'
    ) {
      throw new ConflictError(`Cluster id ${record.clusterId} is not available; choose another id.`);
    }
    if (!replacing || replacing.status === 'DELETED') {
      const held = this.quota.get(record.team) ?? 0;
      if (held >= options.maxClusters) throw new QuotaExceededError(`Team ${record.team} holds its quota.`);
      this.quota.set(record.team, held + 1);
    }
    this.records.set(keyOf(record), clone(record));
    this.claims.set(options.stackName, keyOf(record));
    this.writes++;
  }

  async update(
    cluster: ClusterRef,
    expect: { version: number; statuses?: readonly ClusterStatus[] },
    changes: ClusterChanges,
  ) {
    const current = this.records.get(keyOf(cluster));
    if (
      !current ||
      current.version !== expect.version ||
      (expect.statuses && !expect.statuses.includes(current.status))
    ) {
      throw new StaleRecordError(`Cluster ${cluster.clusterId} changed while this request ran.`);
    }
    const removed = new Set(
      Object.entries(changes).flatMap(([field, value]) => (value === null ? [field] : [])),
    );
    const set = Object.entries(changes).filter(([, value]) => value !== undefined && value !== null);
    const next = {
      ...Object.fromEntries(Object.entries(current).filter(([field]) => !removed.has(field))),
      ...clone(Object.fromEntries(set)),
      version: current.version + 1,
      updatedAt: this.now().toISOString(),
    };
    this.records.set(keyOf(cluster), next as unknown as ClusterRecord);
    this.writes++;
    return clone(next as unknown as ClusterRecord);
  }

  /** Workflows that claimed their record (the fake's side of statemachines/src/record.ts claimRecord). */
  readonly claimed = new Map<string, string>();

  async releaseUnclaimed(
    cluster: ClusterRef,
    expect: { status: ClusterStatus; execution: string },
    changes: ClusterChanges,
  ) {
    const current = this.records.get(keyOf(cluster));
    if (
      !current ||
      current.status !== expect.status ||
      current.execution !== expect.execution ||
      this.claimed.get(keyOf(cluster)) === expect.execution
    ) {
      return false;
    }
    await this.update(cluster, { version: current.version }, changes);
    return true;
  }

  async list(query: {
    team?: string;
    status?: ClusterStatus;
    limit: number;
    nextToken?: string;
  }): Promise<Page<ClusterRecord>> {
    const all = [...this.records.values()]
      .filter((record) => query.team === undefined || record.team === query.team)
      .filter((record) => (query.status ? record.status === query.status : record.status !== 'DELETED'))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    const start = query.nextToken ? Number(query.nextToken) : 0;
    const items = all.slice(start, start + query.limit).map(clone);
    return { items, ...(start + query.limit < all.length ? { nextToken: String(start + query.limit) } : {}) };
  }

  async appendEvent(cluster: ClusterRef, entry: NewTimelineEntry) {
    const list = this.events.get(keyOf(cluster)) ?? [];
    list.push({ ...entry, id: `e${list.length}` });
    this.events.set(keyOf(cluster), list);
    this.writes++;
  }

  async listEvents(cluster: ClusterRef, query: { limit: number; after?: { at: string; id: string } }) {
    const sorted = [...(this.events.get(keyOf(cluster)) ?? [])].sort(newerFirst);
    const after = query.after;
    return sorted.filter((entry) => !after || newerFirst(after, entry) < 0).slice(0, query.limit);
  }

  async listReapable(query: { limit: number; nextToken?: string; status?: 'READY' | 'STOPPED' }) {
    return this.list({ ...query, status: query.status ?? 'READY' });
  }
}

export class RecordingWorkflows implements Workflows {
  readonly started: { operation: Operation; name: string; input: Record<string, unknown> }[] = [];
  failNext = false;
  /** The next start happens, but its answer is lost (a timeout after Step Functions took it). */
  loseNextAnswer = false;
  /** The next start times out (503) whether or not it happened, and DescribeExecution cannot answer either. */
  ambiguousNext: { started: boolean; onStarted?: (name: string) => void } | undefined;

  async start(operation: Operation, executionName: string, input: object) {
    const ambiguous = this.ambiguousNext;
    if (ambiguous) {
      this.ambiguousNext = undefined;
      if (ambiguous.started) {
        this.started.push({ operation, name: executionName, input: input as Record<string, unknown> });
        ambiguous.onStarted?.(executionName);
      }
      this.describeFails = true;
      throw new DependencyUnavailableError('states');
    }
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      this.started.push({ operation, name: executionName, input: input as Record<string, unknown> });
      throw new Error('TimeoutError: the answer of StartExecution did not arrive');
    }
    if (this.failNext) {
      this.failNext = false;
      throw new Error(
        'StartExecution failed: arn:aws:states:us-east-1:123456789012:stateMachine:internal-name',
      );
    }
    this.started.push({ operation, name: executionName, input: input as Record<string, unknown> });
  }

  private describeFails = false;

  async exists(_operation: Operation, executionName: string) {
    if (this.describeFails) {
      this.describeFails = false;
      throw new DependencyUnavailableError('states');
    }
    return this.started.some((entry) => entry.name === executionName);
  }
}

export class InMemorySecrets implements Secrets {
  readonly secrets = new Map<string, ClusterSecret>();

  async create(name: string, secret: ClusterSecret) {
    if (this.secrets.has(name)) throw new Error(`secret ${name} exists`);
    this.secrets.set(name, clone(secret));
    return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
  }

  async remove(secretId: string) {
    this.secrets.delete(secretId);
  }

  async read(secretId: string) {
    const secret = this.secrets.get(secretId);
    if (!secret) throw new Error(`no secret ${secretId}`);
    return clone(secret);
  }
}

/** Key pairs by name, each with the team it is tagged for (or none); `failing` plays an EC2 outage. */
export class KnownKeyPairs implements KeyPairs {
  failing = false;
  readonly asked: string[] = [];
  constructor(readonly pairs: Record<string, string | undefined> = { 'demo-key': undefined }) {}
  async usableBy(name: string, team: string): Promise<KeyPairVerdict> {
    this.asked.push(name);
    if (this.failing) return 'unknown';
    if (!(name in this.pairs)) return 'unusable';
    const owner = this.pairs[name];
    return owner === undefined || owner === team ? 'usable' : 'unusable';
  }
}

export class NoStacks implements StackReader {
  async status() {
    return undefined;
  }
  async events() {
    return { items: [] };
  }
  async resources() {
    return undefined;
  }
}

/** Change sets whose answer a test sets (`next`); every preview is recorded. */
export class ScriptedChangeSets implements ChangeSets {
  next: ChangePreview = { status: 'ready', changes: [] };
  readonly previews: { stackId: string; parameters: CfnParameter[]; name: string }[] = [];
  async preview(stackId: string, parameters: CfnParameter[], name: string) {
    this.previews.push({ stackId, parameters, name });
    return this.next;
  }
}

export const TEST_TIMING: WorkflowTiming = {
  pollSeconds: 1,
  pollIncrementSeconds: 0,
  maxPollSeconds: 1,
  fastPath: false,
  fallbackPollSeconds: 600,
  budgetSeconds: { create: 3600, update: 3600, delete: 3600, stop: 1800, start: 1800 },
};

export class FixedClock {
  constructor(public current = new Date('2026-11-28T12:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export type FakeDeps = OperationDeps &
  CreateDeps & {
    store: InMemoryClusterStore;
    ledger: InMemorySpendLedger;
    workflows: RecordingWorkflows;
    secrets: InMemorySecrets;
    keyPairs: KnownKeyPairs;
    clock: FixedClock;
    changeSets: ScriptedChangeSets;
  };

/** A full set of fake dependencies; `renderTemplate` returns a small template naming the type. */
export function fakeDeps(options: { policies?: PolicyConfig; region?: string } = {}): FakeDeps {
  let passwords = 0;
  const clock = new FixedClock();
  const store = new InMemoryClusterStore(() => clock.now());
  return {
    store,
    ledger: new InMemorySpendLedger(store),
    workflows: new RecordingWorkflows(),
    secrets: new InMemorySecrets(),
    keyPairs: new KnownKeyPairs(),
    stacks: new NoStacks(),
    changeSets: new ScriptedChangeSets(),
    renderTemplate: (type: DeploymentType) => ({
      Description: type,
      Resources: { MasterInstance: { Type: 'AWS::EC2::Instance' } },
    }),
    generatePassword: () => `generated-password-${++passwords}`,
    clock,
    prices: PRICES,
    settings: {
      region: options.region ?? 'us-east-1',
      stackPrefix: 'detcp-test-',
      policies: options.policies ?? { defaults: { ...BUILT_IN_POLICY, maxClusters: 3 } },
      timing: TEST_TIMING,
      deletedRetentionDays: 30,
    },
  };
}

export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly entries = new Map<string, { fingerprint: string; response?: StoredResponse }>();

  async claim(key: string, fingerprint: string) {
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { fingerprint });
      return undefined;
    }
    if (entry.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError('reused');
    if (!entry.response) throw new ConflictError('in progress');
    return entry.response;
  }

  async complete(key: string, response: StoredResponse) {
    const entry = this.entries.get(key);
    if (entry) entry.response = response;
  }

  async release(key: string) {
    this.entries.delete(key);
  }
}
