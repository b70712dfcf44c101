/**
 * The workflows' actions, for the audit trail: a cluster leaving CREATING, UPDATING, DELETING,
 * STOPPING or STARTING was moved on by the workflow that owned it (the table stream sees it,
 * functions/stream/). The entry names the operation and the status it ended in.
 */
import type { ClusterImage } from '../notifications/transitions.ts';
import { boundedDetail, type AuditEntry } from './entry.ts';

const OPERATION_OF: Record<string, string> = {
  CREATING: 'create',
  UPDATING: 'update',
  DELETING: 'delete',
  STOPPING: 'stop',
  STARTING: 'start',
};

export function auditFromChange(change: {
  old?: ClusterImage & { execution?: string };
  new?: ClusterImage & { execution?: string };
}): AuditEntry[] {
  const before = change.old;
  const after = change.new;
  if (!before?.status || !after?.status || !after.team || !after.clusterId) return [];
  const operation = OPERATION_OF[before.status];
  if (!operation || after.status === before.status) return [];
  return [
    {
      at: after.updatedAt ?? new Date(0).toISOString(),
      actor: 'workflow',
      team: after.team,
      action: `cluster.${operation}`,
      clusterId: after.clusterId,
      outcome: after.status,
      requestId: before.execution ?? after.execution ?? 'unknown',
      ...(after.status.endsWith('_FAILED') ? boundedDetail(after.statusReason) : {}),
    },
  ];
}
