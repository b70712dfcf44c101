/**
 * The reaper's budget check, after settlement: per team with a monthly budget, notify once a month
 * at 80 % and at 100 % (retried on the next run until a send succeeds), and at 100 % stop its READY clusters that are not protected, each after a
 * warning on its timeline and the teardown grace (docs/adr/0027-cost-and-budgets.md). A team back
 * under its budget (raised, or a new month) has the pending stops withdrawn.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import { usd } from '../cost/cluster-cost.ts';
import type { SpendCursor } from '../cost/meter.ts';
import type { BudgetNotifier } from '../cost/notifications.ts';
import { ConflictError } from '../errors.ts';
import { startStop, type StopDeps } from './stop-cluster.ts';
import type { OperationDeps } from './deps.ts';
import { budgetOf, teamSpend } from './team-spend.ts';

export const THRESHOLDS = [80, 100] as const;

export type BudgetDeps = StopDeps &
  Pick<OperationDeps, 'ledger' | 'prices'> & {
    notifier: BudgetNotifier;
    /** How long a budget stop warning stands before the cluster is stopped (the teardown grace). */
    graceSeconds: number;
  };

export interface BudgetReport {
  teams: { team: string; spentUsd: number; budgetUsd: number }[];
  notified: { team: string; thresholdPercent: number }[];
  actions: { team: string; clusterId: string; action: 'warn' | 'stop' | 'cancel' }[];
  errors: { team: string; clusterId?: string; error: string }[];
}

export async function enforceBudgets(
  deps: BudgetDeps,
  teams: string[],
  options: { dryRun: boolean },
): Promise<BudgetReport> {
  const report: BudgetReport = { teams: [], notified: [], actions: [], errors: [] };
  for (const team of teams) {
    const budget = budgetOf(deps, team);
    if (budget === undefined) continue;
    try {
      await enforceTeam(deps, team, budget, options, report);
    } catch (error) {
      report.errors.push({ team, error: (error as Error).message });
    }
  }
  return report;
}

async function enforceTeam(
  deps: BudgetDeps,
  team: string,
  budget: number,
  options: { dryRun: boolean },
  report: BudgetReport,
): Promise<void> {
  const spend = await teamSpend(deps, team);
  const spent = usd(spend.spentUsd);
  report.teams.push({ team, spentUsd: spent, budgetUsd: budget });
  const over = spend.spentUsd >= budget;
  const now = deps.clock.now();
  const at = now.toISOString();

  for (const threshold of THRESHOLDS) {
    if (spend.spentUsd < (budget * threshold) / 100 || spend.notified[threshold] !== undefined) continue;
    if (options.dryRun) continue;
    const message = `Team ${team} has spent $${spent} of its monthly budget of $${budget} in ${spend.month} (${threshold} %)${threshold === 100 ? ': new clusters, starts and cost-raising changes are refused, and running clusters that are not protected will be stopped (data kept).' : '.'}`;
    // Sent first, recorded after: a send that fails is not recorded, so the next run sends it again.
    // A send that succeeded but was not recorded (a crash, a parallel run) is sent again with the
    // same event id (month and threshold), which webhook receivers drop as a duplicate.
    try {
      await deps.notifier.budgetThreshold({
        team,
        month: spend.month,
        thresholdPercent: threshold,
        budgetUsd: budget,
        spentUsd: spent,
        at,
        message,
      });
    } catch (error) {
      // Not fatal for the team: its budget stops below still run; this threshold is retried next run.
      report.errors.push({ team, error: `budget threshold ${threshold} %: ${(error as Error).message}` });
      continue;
    }
    if (!(await deps.ledger.markNotified(team, spend.month, threshold, at))) continue;
    report.notified.push({ team, thresholdPercent: threshold });
    for (const cluster of spend.clusters.filter((record) => record.status !== 'DELETED'))
      await deps.store.appendEvent(cluster, {
        at,
        source: 'control-plane',
        kind: 'budget-threshold',
        message,
      });
  }

  for (const cluster of spend.clusters) {
    const action = actionFor(cluster, over, now);
    if (!action) continue;
    report.actions.push({ team, clusterId: cluster.clusterId, action });
    if (options.dryRun) continue;
    try {
      await act(deps, cluster, action, { budget, spent, now });
    } catch (error) {
      // Changed meanwhile (a delete, a settlement): the next run looks again.
      if (!(error instanceof ConflictError))
        report.errors.push({ team, clusterId: cluster.clusterId, error: (error as Error).message });
    }
  }
}

function actionFor(cluster: ClusterRecord, over: boolean, now: Date): 'warn' | 'stop' | 'cancel' | undefined {
  const pending = cluster.spend?.budgetStopAt;
  const stoppable = over && cluster.status === 'READY' && !cluster.parameters.protected;
  if (!stoppable) return pending ? 'cancel' : undefined;
  if (!pending) return 'warn';
  return Date.parse(pending) <= now.getTime() ? 'stop' : undefined;
}

async function act(
  deps: BudgetDeps,
  cluster: ClusterRecord,
  action: 'warn' | 'stop' | 'cancel',
  context: { budget: number; spent: number; now: Date },
): Promise<void> {
  const cursor = cluster.spend as SpendCursor;
  const at = context.now.toISOString();
  if (action === 'warn') {
    const stopAt = new Date(context.now.getTime() + deps.graceSeconds * 1000).toISOString();
    await deps.ledger.settle(cluster, {
      from: cursor,
      to: { ...cursor, budgetStopAt: stopAt },
      charges: {},
      close: false,
    });
    await deps.store.appendEvent(cluster, {
      at,
      source: 'control-plane',
      kind: 'budget-stop-warning',
      message: `The team's monthly budget of $${context.budget} is spent ($${context.spent}); the cluster will be ${PARKED} at ${stopAt} unless the budget is raised or the cluster is protected.`,
    });
    return;
  }
  if (action === 'cancel') {
    const { budgetStopAt: _dropped, ...rest } = cursor;
    await deps.ledger.settle(cluster, { from: cursor, to: rest, charges: {}, close: false });
    await deps.store.appendEvent(cluster, {
      at,
      source: 'control-plane',
      kind: 'budget-stop-cancelled',
      message:
        'The budget stop is withdrawn: the team is within its budget again, or the cluster is protected.',
    });
    return;
  }
  await park(deps, cluster, `the team's monthly budget of $${context.budget} is spent ($${context.spent})`);
}

/** A budget stop parks the cluster (contract, "Stop and start"): agents gone, master and database stopped, data kept. */
const PARKED = 'stopped (data kept; start it once the budget allows)';

async function park(deps: BudgetDeps, cluster: ClusterRecord, reason: string): Promise<void> {
  await startStop(deps, cluster, { by: 'the budget check', reason: `Stopped: ${reason}.` });
}
