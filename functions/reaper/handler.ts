/**
 * The idle reaper, on a schedule (every 5 minutes on AWS; every REAPER_INTERVAL_SECONDS locally):
 * warns about and then stops or tears down idle clusters (the team's idleAction) and tears down
 * expired ones, keeping their data; stops again the databases AWS restarted behind stopped clusters.
 * Invoke it with {"dryRun": true} to see what it would do and why.
 */
import { config } from '../../adapters/config.ts';
import { logger } from '../../adapters/logger.ts';
import { metrics } from '../../adapters/metrics.ts';
import { reaperPoints } from '../../core/metrics/reaper.ts';
import { reap, type ReapDeps, type ReapReport } from '../../core/operations/reap.ts';
import { agents, clock, clusterStore, databases, masters, notifier, settings, workflows } from '../deps.ts';

export const main = async (event: { dryRun?: boolean } | undefined, deps: ReapDeps): Promise<ReapReport> =>
  reap(deps, { dryRun: event?.dryRun === true || config().reaper.dryRun });

export function reaperDeps(): ReapDeps {
  return {
    store: clusterStore(),
    workflows: workflows(),
    clock,
    settings: settings(),
    agents: agents(),
    databases: databases(),
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
  // The heartbeat goes out only after a run completes: the ReaperNotRunning alarm watches it.
  metrics().publish(reaperPoints(report));
  return report;
};
