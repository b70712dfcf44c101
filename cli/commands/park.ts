/**
 * `det-deploy aws stop` and `det-deploy aws start`: POST /clusters/{id}/stop or /start, then wait
 * with the same progress line as up and down. Asking for what is already happening (or done) is not
 * an error: the command waits for it, or says so and succeeds.
 */
import type { Cluster } from '../api-client.ts';
import { info, type Context } from '../context.ts';
import { CliError } from '../errors.ts';
import type { Command } from '../parse-command.ts';
import { readySummary, stoppedSummary } from '../render.ts';
import { seenEvents, waitFor } from '../wait.ts';

type ParkCommand = Extract<Command, { name: 'stop' | 'start' }>;

interface Transition {
  verb: string;
  /** The status the operation works in, the one it ends in, and its failure. */
  inProgress: string;
  done: string;
  failed: string;
  request: (context: Context, clusterId: string) => Promise<Cluster>;
  summary: (cluster: Cluster) => string;
}

const TRANSITIONS: Record<ParkCommand['name'], Transition> = {
  stop: {
    verb: 'Stopping',
    inProgress: 'STOPPING',
    done: 'STOPPED',
    failed: 'STOP_FAILED',
    request: (context, clusterId) => context.client.stopCluster(clusterId),
    summary: stoppedSummary,
  },
  start: {
    verb: 'Starting',
    inProgress: 'STARTING',
    done: 'READY',
    failed: 'START_FAILED',
    request: (context, clusterId) => context.client.startCluster(clusterId),
    summary: readySummary,
  },
};

export async function park(command: ParkCommand, context: Context): Promise<number> {
  const { client, io } = context;
  const { clusterId } = command;
  const transition = TRANSITIONS[command.name];
  const cluster = await client.getCluster(clusterId);
  if (!cluster) throw new CliError(`no cluster ${clusterId} (or it belongs to another team)`);
  if (cluster.status === transition.done) {
    info(io, `Cluster ${clusterId} is already ${transition.done}.`);
    io.stdout.write(`${transition.summary(cluster)}\n`);
    return 0;
  }
  const seen = await seenEvents(client, clusterId);
  if (cluster.status !== transition.inProgress) {
    info(io, `${transition.verb} cluster ${clusterId}...`);
    await transition.request(context, clusterId);
  } else info(io, `Cluster ${clusterId} is already ${transition.inProgress}; waiting for it.`);
  const final = await waitFor(context, {
    clusterId,
    seenEvents: seen,
    done: (current) => current?.status === transition.done,
    failure: (current) => {
      if (!current) return `cluster ${clusterId} no longer exists`;
      if (current.status === transition.failed) {
        return `cluster ${clusterId} is ${transition.failed}: ${current.statusReason ?? 'no reason given'}`;
      }
      if (current.status !== transition.inProgress) {
        return `cluster ${clusterId} is ${current.status}; the ${command.name} did not complete`;
      }
      return undefined;
    },
  });
  io.stdout.write(`${transition.summary(final ?? cluster)}\n`);
  return 0;
}
