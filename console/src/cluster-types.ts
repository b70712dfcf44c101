/** The cluster resource as the API returns it (contract, "Cluster resource"); only what the console reads. */
import type { Cost } from './format.ts';

export interface Cluster {
  clusterId: string;
  team: string;
  owner: string;
  deploymentType: string;
  status: string;
  statusReason?: string;
  parameters: Record<string, unknown>;
  outputs: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  idle?: { idleTimeout?: string; idleSince?: string; expiresAt?: string; teardownAt?: string };
  cost?: Cost;
  progress?: { stackStatus: string; resourcesDone: number; resourcesTotal: number };
  retained?: Record<string, unknown>;
  restoredInto?: string;
  restoredFrom?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** When the cluster goes away by itself, if ever: the idle teardown or the hard expiry, whichever is first. */
export function endsAt(cluster: Cluster): { at: string; why: string } | undefined {
  const { teardownAt, expiresAt } = cluster.idle ?? {};
  if (teardownAt && (!expiresAt || teardownAt < expiresAt)) return { at: teardownAt, why: 'idle' };
  if (expiresAt) return { at: expiresAt, why: 'expires' };
  return undefined;
}

/** With no teardown scheduled yet: what will end the cluster. */
export function idleRule(cluster: Cluster): string {
  const timeout = cluster.idle?.idleTimeout;
  // Only a running or stopped cluster is reaped; a failed one waits for its owner.
  if (cluster.status !== 'READY' && cluster.status !== 'STOPPED') return '—';
  return timeout && timeout !== 'never' ? `after ${timeout} idle` : 'not scheduled';
}
