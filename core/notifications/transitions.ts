/**
 * Which webhook events a change to a cluster record makes (the table stream, functions/stream/):
 * READY after CREATING is `cluster.ready`, after STARTING `cluster.started`, after an update that
 * changed the Determined version `cluster.upgraded`; STOPPED, DELETED and every *_FAILED have their own.
 * Writes that leave the status alone make none.
 */
import { eventId, type EventType, type TeamEvent } from './events.ts';

/** The attributes of a cluster record the events read (adapters/cluster-store.ts has the layout). */
export interface ClusterImage {
  team?: string;
  clusterId?: string;
  owner?: string;
  status?: string;
  statusReason?: string;
  updatedAt?: string;
  version?: string;
  masterUrl?: string;
  determinedVersion?: string;
  /** The latest upgrade's pre-upgrade database snapshot (docs/adr/0030-in-place-upgrades.md). */
  upgradeSnapshot?: string;
}

function typeOf(before: ClusterImage | undefined, after: ClusterImage): EventType | undefined {
  const status = after.status ?? '';
  if (status.endsWith('_FAILED')) return 'cluster.failed';
  switch (status) {
    case 'DELETED':
      return 'cluster.deleted';
    case 'STOPPED':
      return 'cluster.stopped';
    case 'READY':
      if (before?.status === 'CREATING') return 'cluster.ready';
      if (before?.status === 'STARTING') return 'cluster.started';
      if (
        before?.status === 'UPDATING' &&
        before.determinedVersion !== undefined &&
        after.determinedVersion !== undefined &&
        before.determinedVersion !== after.determinedVersion
      )
        return 'cluster.upgraded';
      return undefined;
    default:
      return undefined;
  }
}

export function eventsFromChange(change: { old?: ClusterImage; new?: ClusterImage }): TeamEvent[] {
  const after = change.new;
  const before = change.old;
  if (!after?.team || !after.clusterId || !after.status || after.status === before?.status) return [];
  const type = typeOf(before, after);
  if (!type) return [];
  const timestamp = after.updatedAt ?? new Date(0).toISOString();
  const data: Record<string, unknown> = {
    clusterId: after.clusterId,
    team: after.team,
    status: after.status,
    ...(before?.status ? { previousStatus: before.status } : {}),
    ...(after.owner ? { owner: after.owner } : {}),
  };
  if (type === 'cluster.failed') {
    data.operation = after.status.replace(/_FAILED$/, '').toLowerCase();
    data.reason = after.statusReason ?? 'no reason was recorded';
  }
  if ((type === 'cluster.ready' || type === 'cluster.started') && after.masterUrl)
    data.masterUrl = after.masterUrl;
  if (type === 'cluster.upgraded') {
    data.fromVersion = before?.determinedVersion;
    data.toVersion = after.determinedVersion;
    if (after.upgradeSnapshot) data.snapshot = after.upgradeSnapshot;
  }
  if (type === 'cluster.deleted' && after.statusReason) data.reason = after.statusReason;
  return [
    {
      id: eventId([after.team, after.clusterId, after.status, timestamp, after.version ?? '']),
      team: after.team,
      type,
      timestamp,
      subject: after.clusterId,
      data,
    },
  ];
}
