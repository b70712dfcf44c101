/**
 * The idle reaper, on a schedule (every 5 minutes on AWS; every REAPER_INTERVAL_SECONDS locally):
 * warns about and then stops or tears down idle clusters (the team's idleAction) and tears down
 * expired ones, keeping their data; stops again the databases AWS restarted behind stopped clusters;
 * then settles each open cluster's spend into its team's month and applies the teams' budgets.
 * Each action it takes is written to the audit trail (actor `reaper`).
 * Invoke it with {"dryRun": true} to see what it would do and why.
 */
import { randomUUID } from 'node:crypto';
import { config } from '../../adapters/config.ts';
import { logger } from '../../adapters/logger.ts';
import { metrics } from '../../adapters/metrics.ts';
import { reaperAudit } from '../../core/audit/reaper.ts';
import { PRICES } from '../../core/cost/price-list.ts';
import { point } from '../../core/metrics/catalogue.ts';
import { reaperPoints } from '../../core/metrics/reaper.ts';
import { enforceBudgets, type BudgetDeps, type BudgetReport } from '../../core/operations/enforce-budgets.ts';
import { reap, type ReapDeps, type ReapReport } from '../../core/operations/reap.ts';
import { settleSpend, type SettleDeps, type SettleReport } from '../../core/operations/settle-spend.ts';
import {
  agents,
  auditLog,
  clock,
  clusterStore,
  databases,
  ledger,
  masters,
  notifier,
  settings,
  workflows,
} from '../deps.ts';

export const main = async (event: { dryRun?: boolean } | undefined, deps: ReapDeps): Promise<ReapReport> =>
  reap(deps, { dryRun: dryRunOf(event) });

const dryRunOf = (event: { dryRun?: boolean } | undefined) =>
  event?.dryRun === true || config().reaper.dryRun;

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
    prices: PRICES,
    ledger: ledger(),
    reaper: { graceSeconds: config().reaper.graceSeconds, pageSize: 200, masterConcurrency: 25 },
  };
}

export interface SpendRun {
  settlement: SettleReport;
  budgets: BudgetReport;
}

/** Settle every open cluster's spend, then check the budgets of the teams that have one. */
export async function spendRun(
  deps: SettleDeps & BudgetDeps,
  options: { dryRun: boolean },
): Promise<SpendRun> {
  const settlement = await settleSpend(deps, { pageSize: 200 });
  const budgets = await enforceBudgets(deps, settlement.teams, options);
  return { settlement, budgets };
}

export function spendDeps(): SettleDeps & BudgetDeps {
  return {
    store: clusterStore(),
    workflows: workflows(),
    clock,
    settings: settings(),
    ledger: ledger(),
    agents: agents(),
    prices: PRICES,
    notifier: notifier(),
    graceSeconds: config().reaper.graceSeconds,
  };
}

export const handler = async (event?: { dryRun?: boolean }): Promise<ReapReport & { spend?: SpendRun }> => {
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
  const spend = await spendRun(spendDeps(), { dryRun: report.dryRun }).catch((error: unknown) => {
    // The idle reaper's work is done; spend is settled from its cursor by the next run.
    logger.error('spend settlement failed', { error: error as Error });
    return undefined;
  });
  if (spend) logSpend(spend);
  await audit(reaperAudit(report, { at: clock.now(), runId: `reaper-${randomUUID()}` }, spend?.budgets));
  return { ...report, ...(spend ? { spend } : {}) };
};

function logSpend({ settlement, budgets }: SpendRun): void {
  logger.info('spend settled', {
    settled: settlement.settled,
    closed: settlement.closed,
    chargedUsd: settlement.charged,
    errors: settlement.errors.length,
  });
  for (const failure of [...settlement.errors, ...budgets.errors])
    logger.warn('spend or budget failure', failure);
  // Budget thresholds are warnings in the log too, so an operator sees them without the event bus.
  for (const { team, thresholdPercent } of budgets.notified)
    logger.warn('team budget threshold reached', {
      team,
      thresholdPercent,
      ...budgets.teams.find((entry) => entry.team === team),
    });
  for (const action of budgets.actions) logger.warn('budget action', action);
}

async function audit(entries: ReturnType<typeof reaperAudit>): Promise<void> {
  if (entries.length === 0) return;
  await auditLog()
    .append(entries)
    .catch((error: unknown) => {
      // The actions are taken; the entries stay in the log line and the alarm counts them.
      logger.error('audit entries not written', { entries, error: (error as Error).message });
      metrics().publish([point('AuditWriteFailures', entries.length)]);
    });
}
