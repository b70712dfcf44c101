/** `det-deploy aws down`: confirm, DELETE, wait until DELETED, and say what was kept. */
import type { Cluster } from '../api-client.ts';
import { info, type Context } from '../context.ts';
import { CliError, EXIT_FAILURE, UsageError } from '../errors.ts';
import type { Command } from '../parse-command.ts';
import { deletedSummary } from '../render.ts';
import { seenEvents, waitFor } from '../wait.ts';

type DownCommand = Extract<Command, { name: 'down' }>;

/** Settled statuses: if the cluster sits in one without a pending delete, the delete never started. */
const SETTLED = ['READY', 'CREATE_FAILED', 'UPDATE_FAILED'];

export async function down(command: DownCommand, context: Context): Promise<number> {
  const { client, io } = context;
  const { clusterId, purge } = command;
  const cluster = await client.getCluster(clusterId);
  if (!cluster) throw new CliError(`no cluster ${clusterId} (or it belongs to another team)`);
  if (command.region && cluster.parameters?.region !== command.region) {
    throw new CliError(
      `cluster ${clusterId} is in ${cluster.parameters?.region ?? 'another region'}, not ${command.region}; nothing was deleted`,
    );
  }
  if (cluster.status === 'DELETED') {
    info(io, `Cluster ${clusterId} is already deleted.`);
    io.stdout.write(`${deletedSummary(cluster, clusterId)}\n`);
    return 0;
  }

  if (!command.yes) {
    if (!io.stdinIsTTY) {
      throw new UsageError('not deleting without confirmation: stdin is not a terminal; pass --yes', 'down');
    }
    const kept = purge
      ? 'Its checkpoint bucket and database are deleted too (--purge); this cannot be undone.'
      : 'Its checkpoint bucket and a final database snapshot are kept.';
    const sharedFs =
      cluster.deploymentType === 'efs' || cluster.deploymentType === 'fsx'
        ? ` Its shared file system (${cluster.deploymentType}) is deleted with the stack.`
        : '';
    const answer = await io.prompt(
      `Delete cluster ${clusterId} (${cluster.deploymentType}, ${cluster.status})? The master, the agents and the stack go away. ${kept}${sharedFs} [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) {
      info(io, 'Aborted; nothing was deleted.');
      return EXIT_FAILURE;
    }
  }

  info(io, `Deleting cluster ${clusterId}${purge ? ' and its data' : ''}...`);
  const seen = await seenEvents(client, clusterId);
  await client.deleteCluster(clusterId, { purge });
  let last: Cluster | undefined = cluster;
  const final = await waitFor(context, {
    clusterId,
    seenEvents: seen,
    done: (current) => {
      if (current) last = current;
      return !current || current.status === 'DELETED';
    },
    failure: (current) => {
      if (!current) return undefined;
      if (current.status === 'DELETE_FAILED') {
        return `cluster ${clusterId} is DELETE_FAILED: ${current.statusReason ?? 'no reason given'}`;
      }
      if (SETTLED.includes(current.status) && !current.deleteRequested) {
        return `the delete of cluster ${clusterId} did not start; it is ${current.status}`;
      }
      return undefined;
    },
  });
  // A 404 at the end (the record expired) still leaves what the last answer said was kept.
  io.stdout.write(`${deletedSummary(final ?? last, clusterId)}\n`);
  return 0;
}
