/**
 * `det-deploy aws up`: create the cluster, or update it in place when it exists (det-deploy's update
 * path). Unlike det-deploy, an update changes only the flags given: omitted flags keep their
 * current value instead of reverting to the template default. A new --det-version upgrades
 * Determined in place (docs/adr/0030-in-place-upgrades.md), on its own.
 */
import { IN_PROGRESS, RECREATABLE } from '../../core/cluster/status.ts';
import type { CreateClusterRequest, UpdateClusterRequest } from '../../core/cluster/request.ts';
import type { Cluster } from '../api-client.ts';
import { info, type Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { FIELD_FLAGS, type FieldFlag, type RequestFields } from '../flags.ts';
import type { Command } from '../parse-command.ts';
import { dryRunText, estimateLine, readySummary, updatePreviewText } from '../render.ts';
import { seenEvents, waitFor } from '../wait.ts';

type UpCommand = Extract<Command, { name: 'up' }>;

export async function up(command: UpCommand, context: Context): Promise<number> {
  const { client, io } = context;
  const { clusterId } = command;
  let existing = await client.getCluster(clusterId);

  if (command.dryRun) return dryRun(command, context, existing);

  if (existing && IN_PROGRESS.includes(existing.status)) {
    // det-deploy would fail on a busy stack; waiting for it is kinder and ends in the same place.
    info(io, `Cluster ${clusterId} is ${existing.status}; waiting for that to finish first.`);
    existing = await waitFor(context, {
      clusterId,
      done: (cluster) => !cluster || !IN_PROGRESS.includes(cluster.status),
      failure: () => undefined,
    });
  }

  if (!existing || RECREATABLE.includes(existing.status)) return create(command, context, existing);
  if (existing.status === 'DELETE_FAILED') {
    throw new CliError(
      `cluster ${clusterId} is DELETE_FAILED: ${existing.statusReason ?? 'no reason given'}\n` +
        `Retry the delete with det-deploy aws down --cluster-id ${clusterId}, or choose another --cluster-id.`,
    );
  }
  return update(command, context, existing);
}

/** Flags that matter only on an update, given to a create. */
function noteCreateOnly(command: UpCommand, { io }: Context): void {
  if (command.allowReplacement.length > 0)
    info(io, 'Note: --allow-replacement applies only when a cluster is updated; ignored.');
}

async function create(command: UpCommand, context: Context, previous: Cluster | undefined): Promise<number> {
  const { client, io } = context;
  noteCreateOnly(command, context);
  const body = createBody(command.fields);
  info(
    io,
    `Creating cluster ${body.clusterId} (${body.deploymentType ?? 'simple'}) with key pair ${body.keypair}` +
      `${previous ? `, replacing the ${previous.status} record` : ''}...`,
  );
  // The cost before anything is created (contract, "CLI"): the API's dry run of the same body.
  const estimate = estimateLine(await client.dryRun(body));
  if (estimate) info(io, estimate);
  const seen = previous ? await seenEvents(client, body.clusterId) : new Set<string>();
  await client.createCluster(body);
  const ready = await waitFor(context, {
    clusterId: body.clusterId,
    seenEvents: seen,
    done: (cluster) => cluster?.status === 'READY',
    failure: (cluster) => failedTowardsReady(body.clusterId, cluster),
  });
  if (ready) io.stdout.write(`${readySummary(ready)}\n`);
  return 0;
}

async function update(command: UpCommand, context: Context, current: Cluster): Promise<number> {
  const { client, io } = context;
  const { clusterId } = command;
  const plan = planUpdate(current, command.fields);
  if (plan.conflicts.length > 0) {
    throw new CliError(
      `cluster ${clusterId} exists, and these flags cannot change on an existing cluster:\n` +
        plan.conflicts.map((line) => `  ${line}`).join('\n') +
        `\nLeave them out to update the cluster, or tear it down first (det-deploy aws down --cluster-id ${clusterId}).`,
    );
  }
  for (const flag of plan.ignored) info(io, `Note: ${flag} applies only when a cluster is created; ignored.`);
  if (command.allowReplacement.length > 0 && plan.changes.length > 0) {
    plan.patch.allowReplacement = command.allowReplacement;
    info(io, `The update may replace: ${command.allowReplacement.join(', ')} (--allow-replacement).`);
  }

  if (plan.changes.length === 0) {
    info(io, `No updates are to be performed: cluster ${clusterId} already has the values given.`);
    if (current.status === 'UPDATE_FAILED') {
      info(
        io,
        `Note: its last update failed (${current.statusReason ?? 'no reason given'}); it runs with the values shown by det-deploy aws status.`,
      );
    }
    io.stdout.write(`${readySummary(current)}\n`);
    return 0;
  }

  const upgradeTo = plan.patch.determinedVersion;
  if (upgradeTo !== undefined && plan.changes.length > 1) {
    // The API upgrades Determined on its own (a snapshot first, then the new master): one change at a time.
    throw new CliError(
      `--det-version upgrades Determined and cannot change together with other flags:\n` +
        plan.changes.map((line) => `  ${line}`).join('\n') +
        `\nRun up with --det-version ${upgradeTo} alone first, then with the other flags.`,
    );
  }
  if (upgradeTo !== undefined) {
    info(
      io,
      `Upgrading Determined on cluster ${clusterId} from ${current.parameters.determinedVersion} to ${upgradeTo}: ` +
        `work is paused, the database is snapshotted, then the new master boots (a failure rolls back to ${current.parameters.determinedVersion}).`,
    );
  } else {
    info(io, `Updating cluster ${clusterId}:\n${plan.changes.map((line) => `  ${line}`).join('\n')}`);
  }
  const seen = await seenEvents(client, clusterId);
  await client.updateCluster(clusterId, plan.patch);
  const ready = await waitFor(context, {
    clusterId,
    seenEvents: seen,
    done: (cluster) => cluster?.status === 'READY',
    failure: (cluster) => failedTowardsReady(clusterId, cluster),
  });
  if (ready) io.stdout.write(`${readySummary(ready)}\n`);
  return 0;
}

async function dryRun(command: UpCommand, context: Context, existing: Cluster | undefined): Promise<number> {
  const { client, io } = context;
  if (existing && !RECREATABLE.includes(existing.status)) {
    const plan = planUpdate(existing, command.fields);
    if (plan.conflicts.length > 0) {
      throw new CliError(
        `cluster ${command.clusterId} exists; these cannot change: ${plan.conflicts.join('; ')}`,
      );
    }
    if (plan.changes.length === 0) {
      info(io, `Dry run: cluster ${command.clusterId} exists and already has the values given; no update.`);
      return 0;
    }
    const allowed = command.allowReplacement.length > 0 ? { allowReplacement: command.allowReplacement } : {};
    // The API's dry run: the update's own checks, then CloudFormation's change set (ADR 0034).
    const preview = await client.previewUpdate(command.clusterId, { ...plan.patch, ...allowed });
    info(
      io,
      `Dry run: cluster ${command.clusterId} exists (${existing.status}); nothing was changed. up would update:\n` +
        plan.changes.map((line) => `  ${line}`).join('\n'),
    );
    io.stdout.write(updatePreviewText(preview));
    if (preview.refusal) {
      // The API's refusal names its JSON field; say it with the flag.
      const refused = preview.dataAtRisk.filter((risk) => !command.allowReplacement.includes(risk.resource));
      const names = [...new Set(refused.map((risk) => risk.resource))];
      throw new CliError(
        `up would be refused: the update would replace or remove ${names.join(', ')} (Data at risk, above).\n` +
          `To replace it anyway, run up again with --allow-replacement ${[...command.allowReplacement, ...names].join(',')}.`,
      );
    }
    return 0;
  }
  noteCreateOnly(command, context);
  const result = await client.dryRun(createBody(command.fields));
  const estimate = estimateLine(result);
  if (estimate) info(io, estimate);
  info(io, 'Dry run: nothing was created. The stack parameters and the template that would be deployed:');
  io.stdout.write(dryRunText(result));
  return 0;
}

/** The POST body: exactly the flags given ("never" expiry means none on a create). */
export function createBody(fields: RequestFields): CreateClusterRequest {
  const body = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
  return body as CreateClusterRequest;
}

export interface UpdatePlan {
  patch: UpdateClusterRequest;
  /** Human lines: what changes, from what to what. */
  changes: string[];
  /** Flags PATCH cannot apply whose value differs from the cluster's. */
  conflicts: string[];
  /** Flags that matter only at creation. */
  ignored: string[];
}

/** The PATCH body: the flags given whose value differs from the cluster's current one. */
export function planUpdate(current: Cluster, fields: RequestFields): UpdatePlan {
  const plan: UpdatePlan = { patch: {}, changes: [], conflicts: [], ignored: [] };
  const patch = plan.patch as Record<string, unknown>;
  const now = current.parameters as unknown as Record<string, unknown>;
  for (const spec of FIELD_FLAGS as readonly FieldFlag[]) {
    const given = (fields as Record<string, unknown>)[spec.field];
    if (given === undefined || spec.field === 'clusterId') continue;
    const currentValue = spec.field === 'deploymentType' ? current.deploymentType : now[spec.field];
    if (!spec.patchable) {
      if (spec.field === 'dbPassword' || spec.field === 'restoreFrom') plan.ignored.push(`--${spec.flag}`);
      else if (!same(given, currentValue)) {
        plan.conflicts.push(`--${spec.flag} ${show(given)} (the cluster has ${show(currentValue)})`);
      }
      continue;
    }
    if (same(given, currentValue)) continue;
    patch[spec.field] = given;
    plan.changes.push(`--${spec.flag}: ${show(currentValue)} -> ${show(given)}`);
  }
  return plan;
}

function failedTowardsReady(clusterId: string, cluster: Cluster | undefined): string | undefined {
  if (!cluster) return `cluster ${clusterId} no longer exists`;
  if (cluster.status.endsWith('_FAILED')) {
    return `cluster ${clusterId} is ${cluster.status}: ${cluster.statusReason ?? 'no reason given'}`;
  }
  if (cluster.status === 'DELETING' || cluster.status === 'DELETED') {
    return `cluster ${clusterId} is ${cluster.status}: it is being torn down${cluster.statusReason ? ` (${cluster.statusReason})` : ''}`;
  }
  return undefined;
}

function same(given: unknown, current: unknown): boolean {
  // "never" (null) clears an expiry; a cluster without one already matches.
  if (given === null) return current === undefined || current === null;
  return JSON.stringify(sorted(given)) === JSON.stringify(sorted(current));
}

function sorted(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (value === null) return 'never';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
