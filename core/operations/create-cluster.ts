/** POST /clusters: validate, check, record CREATING, store the secret, start the create workflow. */
import { createWorkflowInput } from '../workflow/create-input.ts';
import { SYSTEM_TAGS } from '../names/shared.ts';
import type { ClusterParameters, ClusterRecord } from '../cluster/model.ts';
import {
  executionName,
  secretName,
  stackName,
  STACK_MANAGED_BY,
  type ClusterRef,
} from '../cluster/naming.ts';
import type { CreateClusterRequest } from '../cluster/request.ts';
import { resolveCreate } from '../cluster/resolve.ts';
import { RECREATABLE } from '../cluster/status.ts';
import { toStackParameters, type StackInputs } from '../cluster/stack-parameters.ts';
import { estimateCost, pricedView, type ClusterCost, type PricedClusterView } from '../cost/cluster-cost.ts';
import { openCursor } from '../cost/meter.ts';
import { ConflictError, ServiceUnavailableError, ValidationError } from '../errors.ts';
import { policyFor } from '../policy.ts';
import type { Principal } from '../principal.ts';
import type { ClusterSecret } from '../ports.ts';
import type { OperationDeps } from './deps.ts';
import { assertMayProtect } from './protection.ts';
import { leftInProgress, resumeStart, startClaimedWorkflow } from './start-workflow.ts';
import { assertWithinBudget } from './team-spend.ts';

export const MASKED = '****';

/** A create whose workflow did not start: retryable by sending the same request again. */
const notStarted = {
  status: 'CREATE_FAILED',
  statusReason: 'The control plane could not start the create workflow; create the cluster again.',
} as const;

export type CreateDeps = Pick<
  OperationDeps,
  | 'store'
  | 'workflows'
  | 'secrets'
  | 'keyPairs'
  | 'renderTemplate'
  | 'generatePassword'
  | 'clock'
  | 'settings'
  | 'prices'
  | 'ledger'
>;

export interface DryRunResult {
  template: object;
  parameters: Record<string, string>;
  /** What the cluster would cost (contract: "A dry run returns the same `cost` estimate"). */
  cost: ClusterCost;
}

export async function dryRunCreate(
  deps: CreateDeps,
  principal: Principal,
  request: CreateClusterRequest,
): Promise<DryRunResult> {
  const { parameters, restore } = await checkCreate(deps, principal, request, 'dry-run');
  const stackParameters = toStackParameters(parameters, {
    secretName: MASKED,
    owner: { team: principal.team, clusterId: request.clusterId },
    ...(restore
      ? { restore: { checkpointBucket: restore.checkpointBucket, dbSnapshot: restore.dbSnapshot } }
      : {}),
  });
  return {
    template: deps.renderTemplate(parameters.deploymentType),
    parameters: stackParameters,
    cost: estimateCost(parameters, deps.prices),
  };
}

export async function createCluster(
  deps: CreateDeps,
  principal: Principal,
  request: CreateClusterRequest,
): Promise<PricedClusterView> {
  const { parameters, existing, restore } = await checkCreate(deps, principal, request, 'create');
  await assertWithinBudget(deps, principal.team, 'a new cluster');
  const now = deps.clock.now();
  const version = (existing?.version ?? 0) + 1;
  const ref: ClusterRef = { team: principal.team, clusterId: request.clusterId };
  const record: ClusterRecord = {
    clusterId: request.clusterId,
    team: principal.team,
    owner: principal.sub,
    deploymentType: parameters.deploymentType,
    status: 'CREATING',
    parameters,
    outputs: {},
    secretName: secretName(ref, version, now),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version,
    idle: idleFrom(parameters, now),
    execution: executionName(ref, 'create', now),
    ...(parameters.restoreFrom ? { restoredFrom: parameters.restoreFrom } : {}),
    spend: spendCursorFor(existing, now),
  };
  const policy = policyFor(deps.settings.policies, principal.team);
  const stack = stackName(deps.settings.stackPrefix, record.clusterId);
  try {
    await deps.store.insert(record, {
      replacing: existing,
      maxClusters: policy.maxClusters,
      stackName: stack,
    });
  } catch (error) {
    if (error instanceof ServiceUnavailableError && !(await abandonIfWritten(deps, record)))
      throw leftInProgress(deps, error);
    throw error;
  }
  if (restore) await claimRestoreSource(deps, record, restore.source);

  try {
    const secret: ClusterSecret = restore
      ? await deps.secrets.read(restore.secretName)
      : { dbPassword: request.dbPassword ?? deps.generatePassword(), adminPassword: deps.generatePassword() };
    await deps.secrets.create(record.secretName ?? '', secret, {
      [SYSTEM_TAGS.managedBy]: STACK_MANAGED_BY,
      [SYSTEM_TAGS.team]: record.team,
      [SYSTEM_TAGS.clusterId]: record.clusterId,
    });
  } catch (error) {
    // No workflow exists yet: leave the record in a state the user can act on (re-create or delete).
    await deps.store.releaseUnclaimed(
      record,
      { status: 'CREATING', execution: record.execution ?? '' },
      notStarted,
    );
    throw error;
  }
  const inputs: StackInputs = {
    secretName: record.secretName ?? '',
    owner: ref,
    ...(restore
      ? { restore: { checkpointBucket: restore.checkpointBucket, dbSnapshot: restore.dbSnapshot } }
      : {}),
  };
  // A failed earlier incarnation may still hold the stack name; the workflow may remove that
  // stack (and only that one, by its recorded id) before it creates the new one.
  const previousStackId = existing?.status === 'CREATE_FAILED' ? existing.stackId : undefined;
  const input = createWorkflowInput(record, {
    stackName: stack,
    template: deps.renderTemplate(parameters.deploymentType),
    inputs,
    timing: deps.settings.timing,
    ...(previousStackId ? { previousStackId } : {}),
  });
  await startClaimedWorkflow(deps, {
    operation: 'create',
    execution: record.execution ?? '',
    input,
    cluster: record,
    inProgress: 'CREATING',
    release: notStarted,
    // Take back the passwords no stack will ever read; kept while the workflow may still run.
    afterRelease: () => deps.secrets.remove(record.secretName ?? ''),
  });
  // The workflow runs: the create is accepted whatever happens to this timeline entry, which a
  // busy table may refuse (answering 503 now would send the client to a 409 on its retry).
  await deps.store
    .appendEvent(record, {
      at: now.toISOString(),
      source: 'control-plane',
      kind: 'create-requested',
      status: 'CREATING',
      message: `${principal.sub} requested a ${parameters.deploymentType} cluster`,
    })
    .catch((error: unknown) => {
      if (!(error instanceof ServiceUnavailableError)) throw error;
    });
  return pricedView(record, deps.prices, now);
}

/**
 * An insert that ran out of time may still have been written (DynamoDB took it, the answer was
 * late). A record of this request with no workflow would stay CREATING for ever: mark it
 * CREATE_FAILED, which the same request, sent again after Retry-After, re-creates. False when AWS
 * does not answer this either (docs/adr/0031-load-and-faults.md, 0033).
 */
async function abandonIfWritten(deps: CreateDeps, record: ClusterRecord): Promise<boolean> {
  try {
    const current = await deps.store.get({ team: record.team, clusterId: record.clusterId });
    if (!current || current.execution !== record.execution || current.status !== 'CREATING') return true;
    await deps.store.update(
      current,
      { version: current.version, statuses: ['CREATING'] },
      {
        status: 'CREATE_FAILED',
        statusReason: 'AWS was busy and the create did not start; create the cluster again.',
      },
    );
    return true;
  } catch {
    // Still busy: the record may be left CREATING; the retry's Retry-After outlasts this request.
    return false;
  }
}

/**
 * Where the new incarnation's spend starts: a fresh cursor, or the one of the incarnation it
 * replaces while that one is not settled to its end (the timeline is the same, so the rest of the
 * old incarnation's cost is charged before the new one's).
 */
function spendCursorFor(existing: ClusterRecord | undefined, now: Date) {
  if (!existing?.spend || existing.spend.status === 'DELETED') return openCursor(now);
  const { budgetStopAt: _stop, ...previous } = existing.spend;
  return { ...previous, monthUsd: 0 };
}

/** One bucket and database serve one cluster: the torn-down source is claimed by its successor. */
async function claimRestoreSource(
  deps: CreateDeps,
  record: ClusterRecord,
  source: ClusterRecord,
): Promise<void> {
  try {
    await deps.store.update(
      source,
      { version: source.version, statuses: ['DELETED'] },
      { restoredInto: record.clusterId },
    );
  } catch (error) {
    await deps.store.update(
      record,
      { version: record.version, statuses: ['CREATING'] },
      {
        status: 'CREATE_FAILED',
        statusReason: `Cluster ${source.clusterId} was restored by another request at the same time.`,
      },
    );
    throw error instanceof ConflictError
      ? new ConflictError(`Cluster ${source.clusterId} is being restored by another request.`)
      : error;
  }
}

interface CheckedCreate {
  parameters: ClusterParameters;
  existing: ClusterRecord | undefined;
  restore:
    { checkpointBucket: string; dbSnapshot: string; secretName: string; source: ClusterRecord } | undefined;
}

/**
 * Everything that can reject a create, before anything is written. Only the caller's team is
 * consulted: another team's clusters (ids, statuses) never decide the answer, except that a live
 * one holding the stack name makes the insert a generic 409. The key pair is checked here, and
 * again by the workflow's first step (docs/adr/0018-key-pair-check-in-the-request.md).
 */
async function checkCreate(
  deps: CreateDeps,
  principal: Principal,
  request: CreateClusterRequest,
  mode: 'create' | 'dry-run',
): Promise<CheckedCreate> {
  assertMayProtect(principal, request.protected, false);
  const policy = policyFor(deps.settings.policies, principal.team);
  const parameters = resolveCreate(request, { policy, region: deps.settings.region, now: deps.clock.now() });

  let existing = await deps.store.get({ team: principal.team, clusterId: request.clusterId });
  if (mode === 'create' && existing?.status === 'CREATING' && isRetryOf(existing, principal, parameters)) {
    const stranded = existing;
    const resumed = await resumeStart(deps, stranded, {
      operation: 'create',
      release: notStarted,
      afterRelease: () => deps.secrets.remove(stranded.secretName ?? ''),
    });
    if (resumed.abandoned) existing = resumed.record;
  }
  if (existing && !RECREATABLE.includes(existing.status)) {
    throw new ConflictError(
      `Cluster id ${request.clusterId} is taken (${existing.status}); choose another id or delete the existing cluster.`,
    );
  }

  const restore = request.restoreFrom
    ? await restorable(
        deps,
        principal,
        request.restoreFrom,
        existing?.status === 'CREATE_FAILED' ? existing : undefined,
      )
    : undefined;
  await assertKeyPairUsable(deps, principal, parameters, mode);
  return { parameters, existing, restore };
}

/**
 * The key pair exists and is not another team's: one answer for both, so a request cannot tell a
 * missing key pair from another team's. When EC2 does not answer in time a create is accepted and
 * its workflow's first step checks the same rule (docs/adr/0031-load-and-faults.md); a dry run has
 * no later step, so it asks to be sent again.
 */
async function assertKeyPairUsable(
  deps: CreateDeps,
  principal: Principal,
  parameters: ClusterParameters,
  mode: 'create' | 'dry-run',
): Promise<void> {
  const verdict = await deps.keyPairs.usableBy(parameters.keypair, principal.team);
  if (verdict === 'usable' || (verdict === 'unknown' && mode === 'create')) return;
  if (verdict === 'unknown')
    throw new ServiceUnavailableError('EC2 did not answer the key-pair check; retry shortly.');
  throw new ValidationError([
    {
      field: 'keypair',
      message: `no EC2 key pair named "${parameters.keypair}" that team ${principal.team} may use in ${parameters.region}`,
    },
  ]);
}

/**
 * A torn-down cluster of the caller's own team: retained data never crosses teams. A source already
 * claimed by `failed`, a create of this same id that failed, may be restored into it again.
 */
async function restorable(
  deps: CreateDeps,
  principal: Principal,
  sourceId: string,
  failed: ClusterRecord | undefined,
) {
  const source = await deps.store.get({ team: principal.team, clusterId: sourceId });
  const invalid = (message: string) => new ValidationError([{ field: 'restoreFrom', message }]);
  if (!source) throw invalid(`no cluster ${sourceId} in team ${principal.team}`);
  if (source.status !== 'DELETED')
    throw invalid(`cluster ${sourceId} is ${source.status}; only a torn-down cluster can be restored`);
  if (source.restoredInto && source.restoredInto !== failed?.clusterId)
    throw invalid(
      `cluster ${sourceId} was already restored into ${source.restoredInto}; restore from that one once it is torn down`,
    );
  const { checkpointBucket, dbSnapshot, secretName } = source.retained ?? {};
  if (!checkpointBucket || !dbSnapshot || !secretName)
    throw invalid(`cluster ${sourceId} was purged; it kept no data to restore`);
  return { checkpointBucket, dbSnapshot, secretName, source };
}

/**
 * The same create sent again by the same caller (a retry after a 503): the same parameters once
 * resolved. A `ttl` resolves against the clock, so only whether an expiry was asked is compared.
 */
function isRetryOf(record: ClusterRecord, principal: Principal, parameters: ClusterParameters): boolean {
  if (record.owner !== principal.sub) return false;
  const { expiresAt: recorded, ...left } = record.parameters;
  const { expiresAt: asked, ...right } = parameters;
  return (recorded === undefined) === (asked === undefined) && canonicalJson(left) === canonicalJson(right);
}

/** JSON with object keys sorted and undefined fields left out, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : 1)))
      : field,
  );
}

function idleFrom(parameters: ClusterParameters, now: Date) {
  return {
    idleTimeout: parameters.idleTimeout,
    ...(parameters.expiresAt ? { expiresAt: parameters.expiresAt } : {}),
    // A schedule applies from now on: no firing before the request counts.
    ...(parameters.schedule ? { scheduleCheckedAt: now.toISOString() } : {}),
  };
}
