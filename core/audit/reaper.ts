/**
 * The reaper's actions, for the audit trail: each warning it gave or withdrew, each stop, start and
 * teardown it started (idle, expiry, schedule, a database AWS restarted), and each budget threshold
 * and budget stop. Tracking idleness and noting a schedule change no cluster and are left out. A dry
 * run records nothing.
 */
import type { BudgetReport } from '../operations/enforce-budgets.ts';
import type { ReapReport } from '../operations/reap.ts';
import { boundedDetail, type AuditEntry } from './entry.ts';

type Decision = ReapReport['decisions'][number];

function actionOf(decision: Decision): string | undefined {
  switch (decision.decision) {
    case 'warn':
      return 'cluster.teardown-warning';
    case 'cancel':
      return 'cluster.teardown-cancelled';
    case 'restop':
    case 'schedule-stop':
      return 'cluster.stop';
    case 'schedule-start':
      return 'cluster.start';
    case 'teardown':
      // detailOf (core/operations/reap.ts) writes `stop: …` or `delete: …`.
      return decision.detail?.startsWith('stop:') ? 'cluster.stop' : 'cluster.delete';
    default:
      return undefined;
  }
}

const BUDGET_ACTIONS: Record<BudgetReport['actions'][number]['action'], [string, string]> = {
  warn: ['cluster.budget-stop-warning', 'the team is over its budget: stopped after the grace'],
  stop: ['cluster.stop', 'the team is over its budget'],
  cancel: ['cluster.budget-stop-cancelled', 'the team is no longer over its budget'],
};

export function reaperAudit(
  report: ReapReport,
  run: { at: Date; runId: string },
  budgets?: BudgetReport,
): AuditEntry[] {
  if (report.dryRun) return [];
  const at = run.at.toISOString();
  const entry = (
    team: string,
    action: string,
    clusterId: string | undefined,
    error: string | undefined,
    detail: string | undefined,
  ): AuditEntry => ({
    at,
    actor: 'reaper',
    team,
    action,
    ...(clusterId ? { clusterId } : {}),
    outcome: error ? 'failed' : 'done',
    requestId: run.runId,
    ...boundedDetail(error ?? detail),
  });

  const failed = new Map(report.errors.map((error) => [`${error.team}#${error.clusterId}`, error.error]));
  const entries = report.decisions.flatMap((decision) => {
    const action = actionOf(decision);
    if (!action) return [];
    const error = failed.get(`${decision.team}#${decision.clusterId}`);
    return [entry(decision.team, action, decision.clusterId, error, decision.detail)];
  });
  if (!budgets) return entries;

  const budgetFailed = new Map(
    budgets.errors.map((error) => [`${error.team}#${error.clusterId ?? ''}`, error.error]),
  );
  for (const { team, thresholdPercent } of budgets.notified) {
    const spend = budgets.teams.find((candidate) => candidate.team === team);
    const detail = spend
      ? `${thresholdPercent} %: $${spend.spentUsd} of $${spend.budgetUsd}`
      : `${thresholdPercent} %`;
    entries.push(entry(team, 'team.budget-threshold', undefined, undefined, detail));
  }
  for (const { team, clusterId, action } of budgets.actions) {
    const [name, detail] = BUDGET_ACTIONS[action];
    entries.push(entry(team, name, clusterId, budgetFailed.get(`${team}#${clusterId}`), detail));
  }
  return entries;
}
