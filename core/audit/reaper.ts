/**
 * The reaper's actions, for the audit trail: each warning it gave and each teardown it started
 * (tracking idleness and cancelling a warning change no cluster). A dry run records nothing.
 */
import type { ReapReport } from '../operations/reap.ts';
import { boundedDetail, type AuditEntry } from './entry.ts';

const ACTIONS: Record<string, string> = { warn: 'cluster.teardown-warning', teardown: 'cluster.delete' };

export function reaperAudit(report: ReapReport, run: { at: Date; runId: string }): AuditEntry[] {
  if (report.dryRun) return [];
  const failed = new Map(report.errors.map((error) => [`${error.team}#${error.clusterId}`, error.error]));
  return report.decisions.flatMap((decision) => {
    const action = ACTIONS[decision.decision];
    if (!action) return [];
    const error = failed.get(`${decision.team}#${decision.clusterId}`);
    return [
      {
        at: run.at.toISOString(),
        actor: 'reaper',
        team: decision.team,
        action,
        clusterId: decision.clusterId,
        outcome: error ? 'failed' : 'done',
        requestId: run.runId,
        ...boundedDetail(error ?? decision.detail),
      },
    ];
  });
}
