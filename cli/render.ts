/** Everything the CLI prints about clusters and errors, as plain strings (tested without a terminal). */
import {
  ApiError,
  type Cluster,
  type DryRunResult,
  type TimelineEntry,
  type UpdatePreview,
} from './api-client.ts';
import { flagForField, type RequestFields } from './flags.ts';
import { formatDuration } from './progress.ts';

/** An API problem, with validation errors named by the flag that set the field. */
export function renderApiError(error: ApiError, given: RequestFields = {}): string {
  const { problem, status } = error;
  const lines: string[] = [];
  const errors = problem.errors ?? [];
  if (errors.length > 0) {
    lines.push(`the API rejected the request (${status} ${problem.title ?? 'Invalid request'}):`);
    for (const { field, message } of errors) {
      const flag = flagForField(field);
      const value = (given as Record<string, unknown>)[field];
      const shown = value !== undefined && field !== 'dbPassword' ? ` (given: ${JSON.stringify(value)})` : '';
      lines.push(`  ${flag ?? field}: ${message}${shown}`);
    }
  } else {
    lines.push(
      `${problem.detail ?? problem.title ?? 'the request failed'} (${status}${titleSuffix(problem.title)})`,
    );
  }
  if (status === 401)
    lines.push('  The token was refused: pass a valid one with --token or DET_DEPLOY_TOKEN.');
  if (problem.requestId) lines.push(`  request id: ${problem.requestId}`);
  return lines.join('\n');
}

function titleSuffix(title: string | undefined): string {
  return title ? ` ${title}` : '';
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** det-deploy's closing summary: how to point the Determined CLI at the master, the UI, ssh, logs. */
export function readySummary(cluster: Cluster): string {
  const out = cluster.outputs ?? {};
  const key = `${cluster.parameters?.keypair ?? '<keypair>'}.pem`;
  const region = cluster.parameters?.region ?? out.region;
  const lines = [
    `Determined cluster ${cluster.clusterId} is ${cluster.status} (${cluster.deploymentType}${region ? `, ${region}` : ''}).`,
    '',
  ];
  if (cluster.deploymentType === 'secure') {
    const bastion = out.bastionAddress ?? '<bastion-address>';
    const master = out.masterPrivateIp ?? '<master-private-ip>';
    lines.push(
      `The master has no public address; reach it through the bastion host${out.bastionId ? ` ${out.bastionId}` : ''}.`,
      'Open a tunnel and leave it running:',
      `  ssh -i ${key} -N -L 8080:${master}:8080 ubuntu@${bastion}`,
      'Then, in another terminal, point the Determined CLI at the tunnel:',
      'export DET_MASTER=http://localhost:8080',
      'Web UI (through the tunnel): http://localhost:8080',
      `SSH to the master: ssh -i ${key} -o ProxyCommand="ssh -i ${key} -W %h:%p ubuntu@${bastion}" ubuntu@${master}`,
    );
  } else if (out.masterUrl) {
    const host = out.masterAddress ?? hostOf(out.masterUrl);
    lines.push(
      'To use the Determined CLI without --master, run:',
      `export DET_MASTER=${out.masterUrl}`,
      `Web UI: ${out.masterUrl}`,
      `SSH to the master: ssh -i ${key} ubuntu@${host}`,
    );
  } else {
    lines.push('The stack reported no master URL; see det-deploy aws status for its outputs.');
  }
  if (out.logGroup) {
    lines.push(
      `Logs: ${out.logGroup} (aws logs tail ${out.logGroup} --follow${region ? ` --region ${region}` : ''})`,
    );
  }
  if (out.checkpointBucket) lines.push(`Checkpoints: s3://${out.checkpointBucket}`);
  return lines.join('\n');
}

/** A parked cluster: what it still costs, and how to get it back. */
export function stoppedSummary(cluster: Cluster): string {
  return [
    `Cluster ${cluster.clusterId} is ${cluster.status}: its agents are terminated, its master and database stopped.`,
    'It costs only its storage (volumes, database storage, checkpoint bucket, addresses) until it is started;',
    `the same master comes back at the same URL${cluster.outputs?.masterUrl ? ` (${cluster.outputs.masterUrl})` : ''} with: det-deploy aws start --cluster-id ${cluster.clusterId}`,
  ].join('\n');
}

export function deletedSummary(cluster: Cluster | undefined, clusterId: string): string {
  const lines = [`Cluster ${clusterId} is deleted.`];
  const retained = cluster?.retained;
  if (retained?.checkpointBucket || retained?.dbSnapshot) {
    lines.push('Kept (your data):');
    if (retained.checkpointBucket) lines.push(`  checkpoint bucket: s3://${retained.checkpointBucket}`);
    if (retained.dbSnapshot) lines.push(`  database snapshot: ${retained.dbSnapshot}`);
    lines.push(
      `Restore them into a new cluster with: det-deploy aws up --cluster-id NEW_ID --keypair KEY --restore-from ${clusterId}`,
    );
  } else if (cluster?.status === 'DELETED') {
    lines.push('No data was kept (purged).');
  }
  return lines.join('\n');
}

/** Dollars as people read them: a tenth of a cent below $10 an hour, cents above. */
export function dollars(value: number): string {
  return `$${value < 10 ? value.toFixed(3) : value.toFixed(2)}`;
}

/** `up`'s line before it creates: what the cluster costs now, and with every dynamic agent running. */
export function estimateLine(result: DryRunResult): string | undefined {
  if (!result.cost) return undefined;
  const agents = 2 * Number(result.parameters.MaxDynamicAgents ?? 0);
  return `estimated ${dollars(result.cost.hourly)}/h now, up to ${dollars(result.cost.hourlyMax)}/h with ${agents} agents`;
}

export function dryRunText(result: DryRunResult): string {
  return `${JSON.stringify({ parameters: result.parameters, template: result.template }, null, 2)}\n`;
}

/**
 * `up --dry-run` on an existing cluster: what the PATCH would change, from the API's dry run (the
 * change set CloudFormation computed): each resource changed, replaced or not, and the data at risk.
 */
export function updatePreviewText(preview: UpdatePreview): string {
  const lines: string[] = [];
  if (preview.upgrade) lines.push(`Upgrade: Determined ${preview.upgrade.from} -> ${preview.upgrade.to}`);
  lines.push(
    `Stack parameters that change: ${preview.changedParameters.join(', ') || 'none (control-plane settings only)'}`,
  );
  if (preview.changes.length > 0) {
    lines.push('Resources CloudFormation would change:');
    for (const change of preview.changes) {
      const how =
        change.action === 'Modify' ? `, ${REPLACEMENT[change.replacement ?? ''] ?? 'in place'}` : '';
      const what = change.properties.length > 0 ? `: ${change.properties.join(', ')}` : '';
      lines.push(`  ${change.logicalId} (${change.type}) ${change.action}${how}${what}`);
    }
  } else if (preview.changedParameters.length > 0) {
    lines.push('Resources CloudFormation would change: none');
  }
  lines.push(
    preview.dataAtRisk.length === 0
      ? 'Data at risk: none (the database, checkpoint bucket and shared file system stay)'
      : 'Data at risk:',
  );
  for (const risk of preview.dataAtRisk)
    lines.push(`  ${risk.resource}: ${risk.logicalId} (${risk.type}) would be ${risk.how}`);
  lines.push(`Estimated ${dollars(preview.cost.hourly)}/h now, up to ${dollars(preview.cost.hourlyMax)}/h`);
  return `${lines.join('\n')}\n`;
}

const REPLACEMENT: Record<string, string> = {
  True: 'replaced',
  Conditional: 'maybe replaced',
  False: 'in place',
};

/** One timeline entry on one line, oldest details first. */
export function eventLine(entry: TimelineEntry): string {
  const time = entry.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z');
  if (entry.resource) {
    const { logicalId, type, status, reason } = entry.resource;
    return `${time}  ${logicalId} (${type}) ${status}${reason ? `: ${reason}` : ''}`;
  }
  // A stack's own entries already name their status in the message; the control plane's do not.
  const status = entry.source === 'control-plane' && entry.status ? `${entry.status}: ` : '';
  return `${time}  ${status}${entry.message}`;
}

/**
 * Worth interrupting the progress line for: what the control plane did, and which resources failed
 * (the control plane's own failure entry repeats the status reason the CLI ends with).
 */
export function noteworthy(entry: TimelineEntry): boolean {
  if (entry.source === 'control-plane') return !(entry.status ?? '').endsWith('_FAILED');
  return (entry.resource?.status ?? entry.status ?? '').endsWith('_FAILED');
}

export function listTable(clusters: Cluster[], now: number): string {
  if (clusters.length === 0) return 'No clusters.';
  const teams = new Set(clusters.map((cluster) => cluster.team));
  const header = [
    'CLUSTER ID',
    ...(teams.size > 1 ? ['TEAM'] : []),
    'TYPE',
    'STATUS',
    'MASTER URL',
    'COST/H',
    'THIS MONTH',
    'AGE',
  ];
  const rows = clusters.map((cluster) => [
    cluster.clusterId,
    ...(teams.size > 1 ? [cluster.team] : []),
    cluster.deploymentType,
    cluster.status,
    cluster.outputs?.masterUrl ?? '-',
    cluster.cost ? dollars(cluster.cost.hourly) : '-',
    cluster.cost ? dollars(cluster.cost.monthToDate) : '-',
    age(cluster.createdAt, now),
  ]);
  return table([header, ...rows]);
}

export function statusText(cluster: Cluster, events: TimelineEntry[], now: number): string {
  const p = cluster.parameters;
  const rows: [string, string][] = [
    ['Cluster', cluster.clusterId],
    ['Team / owner', `${cluster.team} / ${cluster.owner}`],
    ['Type', `${cluster.deploymentType}${p?.region ? ` in ${p.region}` : ''}`],
    ['Status', cluster.status],
  ];
  if (cluster.statusReason) rows.push(['Reason', cluster.statusReason]);
  if (cluster.progress) {
    const { stackStatus, resourcesDone, resourcesTotal } = cluster.progress;
    rows.push(['Stack', `${stackStatus}, ${resourcesDone}/${resourcesTotal} resources`]);
  }
  if (cluster.outputs?.masterUrl) rows.push(['Master URL', cluster.outputs.masterUrl]);
  if (cluster.cost) {
    const { hourly, hourlyMax, monthToDate } = cluster.cost;
    rows.push([
      'Cost',
      `${dollars(hourly)}/h now, up to ${dollars(hourlyMax)}/h; ${dollars(monthToDate)} this month (UTC)`,
    ]);
    rows.push(['Cost basis', cluster.cost.basis]);
  }
  rows.push(['Created', `${cluster.createdAt} (${age(cluster.createdAt, now)} ago)`]);
  rows.push(['Updated', `${cluster.updatedAt} (${age(cluster.updatedAt, now)} ago)`]);
  const idle = cluster.idle;
  if (idle) {
    const parts = [`timeout ${idle.idleTimeout}`];
    if (idle.idleSince) parts.push(`idle since ${idle.idleSince}`);
    if (idle.expiresAt) parts.push(`expires at ${idle.expiresAt}`);
    if (idle.teardownAt) parts.push(`teardown at ${idle.teardownAt}`);
    rows.push(['Idle', parts.join('; ')]);
  }
  if (cluster.retained?.checkpointBucket) rows.push(['Kept bucket', cluster.retained.checkpointBucket]);
  if (cluster.retained?.dbSnapshot) rows.push(['Kept snapshot', cluster.retained.dbSnapshot]);

  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
  if (p) {
    lines.push('', 'Parameters:');
    for (const [key, value] of Object.entries(p)) lines.push(`  ${key}: ${formatValue(value)}`);
  }
  const outputs = Object.entries(cluster.outputs ?? {});
  if (outputs.length > 0) {
    lines.push('', 'Outputs:');
    for (const [key, value] of outputs) lines.push(`  ${key}: ${value}`);
  }
  lines.push('', events.length > 0 ? 'Recent events (newest first):' : 'No events.');
  for (const entry of events) lines.push(`  ${eventLine(entry)}`);
  return lines.join('\n');
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function age(instant: string, now: number): string {
  const at = Date.parse(instant);
  if (Number.isNaN(at)) return '-';
  const ms = Math.max(0, now - at);
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)}d`;
  return formatDuration(ms)
    .replace(/^(\d+h)\d+m$/, '$1')
    .replace(/^(\d+m)\d+s$/, '$1');
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
