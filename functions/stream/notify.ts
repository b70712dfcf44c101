/**
 * The stream consumer's second route: a cluster's status change becomes webhook events for its team
 * (core/notifications/transitions.ts, queued by publishTeamEvents) and, when a workflow moved it on,
 * an audit entry with the actor `workflow` (core/audit/transitions.ts). Event ids come from the record
 * (team, id, status, updatedAt, version), so a retried batch queues the same events again and the
 * queue's deduplication and the delivery log keep each delivery to one.
 */
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { camelCaseOutputs } from '../../adapters/stack-outputs.ts';
import type { AuditEntry, AuditLog } from '../../core/audit/entry.ts';
import { auditFromChange } from '../../core/audit/transitions.ts';
import type { TeamEvent } from '../../core/notifications/events.ts';
import { eventsFromChange, type ClusterImage } from '../../core/notifications/transitions.ts';

type Image = Record<string, AttributeValue> | undefined;

export interface NotifyDeps {
  publish: (events: readonly TeamEvent[]) => Promise<number>;
  audit: Pick<AuditLog, 'append'>;
}

/** The attributes events and audit entries read; nothing else of the record is looked at. */
export function clusterImage(image: Image): (ClusterImage & { execution?: string }) | undefined {
  if (!image || image.sk?.S !== 'CLUSTER') return undefined;
  const text = (name: string) => image[name]?.S;
  const found: Record<string, string | undefined> = {
    team: text('team'),
    clusterId: text('clusterId'),
    owner: text('owner'),
    status: text('status'),
    statusReason: text('statusReason'),
    updatedAt: text('updatedAt'),
    version: image.version?.N,
    execution: text('execution'),
    masterUrl: camelCaseOutputs(text('stackOutputs')).masterUrl,
    determinedVersion: image.parameters?.M?.determinedVersion?.S,
    upgradeSnapshot: image.upgrade?.M?.snapshot?.S,
  };
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined));
}

export async function notify(
  event: DynamoDBStreamEvent,
  deps: NotifyDeps,
): Promise<{ events: number; audits: number }> {
  const events: TeamEvent[] = [];
  const audits: AuditEntry[] = [];
  for (const record of event.Records) {
    const before = clusterImage(record.dynamodb?.OldImage);
    const after = clusterImage(record.dynamodb?.NewImage);
    const change = { ...(before ? { old: before } : {}), ...(after ? { new: after } : {}) };
    events.push(...eventsFromChange(change));
    audits.push(...auditFromChange(change));
  }
  // Both are idempotent: an audit entry is keyed by its content, an event by its id.
  if (audits.length > 0) await deps.audit.append(audits);
  const queued = await deps.publish(events);
  return { events: queued, audits: audits.length };
}
