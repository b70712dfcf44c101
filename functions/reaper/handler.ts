/**
 * The idle reaper, on a schedule (every 5 minutes on AWS; every REAPER_INTERVAL_SECONDS locally):
 * warns about and then tears down idle or expired clusters, keeping their data.
 * Invoke it with {"dryRun": true} to see what it would do and why.
 */
import { randomUUID } from 'node:crypto';
import { config } from '../../adapters/config.ts';
import { logger } from '../../adapters/logger.ts';
import { metrics } from '../../adapters/metrics.ts';
import { point } from '../../core/metrics/catalogue.ts';
import { reaperPoints } from '../../core/metrics/reaper.ts';
import { reap, type ReapDeps, type ReapReport } from '../../core/operations/reap.ts';
import { reaperAudit } from '../../core/audit/reaper.ts';
import { agents, auditLog, clock, clusterStore, masters, notifier, settings, workflows } from '../deps.ts';

export const main = async (event: { dryRun?: boolean } | undefined, deps: ReapDeps): Promise<ReapReport> =>
  reap(deps, { dryRun: event?.dryRun === true || config().reaper.dryRun });

export function reaperDeps(): ReapDeps {
  return {
    store: clusterStore(),
    workflows: workflows(),
    clock,
    settings: settings(),
    agents: agents(),
    masters: masters(),
    notifier: notifier(),
    reaper: { graceSeconds: config().reaper.graceSeconds, pageSize: 200, masterConcurrency: 25 },
  };
}

export const handler = async (event?: { dryRun?: boolean }): Promise<ReapReport> => {
  logger.resetKeys();
  const report = await main(event, reaperDeps());
  const counts: Record<string, number> = {};
  for (const { decision } of report.decisions) counts[decision] = (counts[decision] ?? 0) + 1;
  logger.info('reaper run', {
    dryRun: report.dryRun,
    pages: report.pages,
    examined: report.examined,
    decisions: counts,
    errors: report.errors.length,
  });
  for (const failure of report.errors) logger.warn('reaper could not act on a cluster', failure);
  const entries = reaperAudit(report, { at: clock.now(), runId: `reaper-${randomUUID()}` });
  if (entries.length > 0)
    await auditLog()
      .append(entries)
      .catch((error: unknown) => {
        logger.error('audit entries not written', { entries, error: (error as Error).message });
        metrics().publish([point('AuditWriteFailures', entries.length)]);
      });
  // The heartbeat goes out only after a run completes: the ReaperNotRunning alarm watches it.
  metrics().publish(reaperPoints(report));
  return report;
};
