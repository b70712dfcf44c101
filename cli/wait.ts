/**
 * Waiting for a cluster: poll GET /clusters/{id} about once a second, draw the progress line, and
 * now and then show new timeline entries worth a line of their own.
 */
import { ApiError, ApiUnreachableError, type ApiClient, type Cluster } from './api-client.ts';
import type { Context } from './context.ts';
import { CliError, EXIT_FAILURE, EXIT_INTERRUPTED } from './errors.ts';
import { ProgressLine } from './progress.ts';
import { eventLine, noteworthy } from './render.ts';

export interface WaitSpec {
  clusterId: string;
  /** True when waiting is over (the cluster is undefined once the API answers 404). */
  done(cluster: Cluster | undefined): boolean;
  /** Why waiting cannot succeed any more, or undefined to keep waiting. */
  failure(cluster: Cluster | undefined): string | undefined;
  /** Timeline entries already shown or older than this wait. */
  seenEvents?: Set<string>;
}

/** Timeline reads cost the API a DescribeStackEvents call: do one every this many polls. */
const EVENTS_EVERY = 5;

export async function waitFor(context: Context, spec: WaitSpec): Promise<Cluster | undefined> {
  const { client, io } = context;
  const line = new ProgressLine(io.stderr);
  const started = io.now();
  const seen = spec.seenEvents ?? new Set<string>();
  try {
    for (let poll = 0; ; poll += 1) {
      if (io.signal?.aborted) throw interrupted(spec.clusterId);
      const cluster = await client.getCluster(spec.clusterId);
      if (cluster) {
        line.update({
          status: cluster.status,
          elapsedMs: io.now() - started,
          ...(cluster.progress ? { progress: cluster.progress } : {}),
        });
      }
      if (spec.done(cluster)) return cluster;
      const reason = spec.failure(cluster);
      if (reason !== undefined) throw new CliError(reason, EXIT_FAILURE);
      if (cluster && poll % EVENTS_EVERY === 0) await showEvents(client, spec.clusterId, seen, line);
      await io.sleep(io.pollIntervalMs ?? 1000);
    }
  } catch (error) {
    if (io.signal?.aborted) throw interrupted(spec.clusterId);
    if (error instanceof ApiUnreachableError) {
      throw new CliError(
        `${error.message}\nThe operation goes on in the control plane; follow it with det-deploy aws status --cluster-id ${spec.clusterId}.`,
      );
    }
    throw error;
  } finally {
    line.finish();
  }
}

/** The ids of the entries already on the timeline, so that only new ones are shown. */
export async function seenEvents(client: ApiClient, clusterId: string): Promise<Set<string>> {
  try {
    const page = await client.listEvents(clusterId, { limit: 50 });
    return new Set(page.items.map((entry) => entry.id));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return new Set();
    throw error;
  }
}

async function showEvents(client: ApiClient, clusterId: string, seen: Set<string>, line: ProgressLine) {
  let items;
  try {
    ({ items } = await client.listEvents(clusterId, { limit: 20 }));
  } catch {
    return; // the timeline is a nicety; the status poll decides
  }
  const fresh = items.filter((entry) => !seen.has(entry.id)).reverse();
  for (const entry of fresh) {
    seen.add(entry.id);
    if (noteworthy(entry)) line.note(`  ${eventLine(entry)}`);
  }
}

function interrupted(clusterId: string): CliError {
  return new CliError(
    `stopped waiting; the operation goes on in the control plane. Follow it with det-deploy aws status --cluster-id ${clusterId}.`,
    EXIT_INTERRUPTED,
  );
}
