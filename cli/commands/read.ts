/** `det-deploy aws list` and `det-deploy aws status`: read-only views. */
import type { TimelineEntry } from '../api-client.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import type { Command } from '../parse-command.ts';
import { listTable, statusText } from '../render.ts';

const STATUS_EVENTS = 10;

export async function list(command: Extract<Command, { name: 'list' }>, context: Context): Promise<number> {
  const { client, io } = context;
  const clusters = await client.allClusters();
  io.stdout.write(
    command.json ? `${JSON.stringify(clusters, null, 2)}\n` : `${listTable(clusters, io.now())}\n`,
  );
  return 0;
}

export async function status(
  command: Extract<Command, { name: 'status' }>,
  context: Context,
): Promise<number> {
  const { client, io } = context;
  const cluster = await client.getCluster(command.clusterId);
  if (!cluster) throw new CliError(`no cluster ${command.clusterId} (or it belongs to another team)`);
  let events: TimelineEntry[] = [];
  try {
    events = (await client.listEvents(command.clusterId, { limit: STATUS_EVENTS })).items;
  } catch {
    // the cluster is the answer; its timeline is extra
  }
  io.stdout.write(
    command.json
      ? `${JSON.stringify({ cluster, events }, null, 2)}\n`
      : `${statusText(cluster, events, io.now())}\n`,
  );
  return 0;
}
