/**
 * A team's spend this month (UTC): what its ledger holds, plus what its open clusters have cost
 * since they were last settled. The budget check and GET /teams/{team} both read it.
 */
import type { ClusterRecord } from '../cluster/model.ts';
import { unsettledSpend, usd } from '../cost/cluster-cost.ts';
import { monthOf } from '../cost/meter.ts';
import { BudgetExceededError } from '../errors.ts';
import { policyFor } from '../policy.ts';
import type { OperationDeps } from './deps.ts';

export type TeamSpendDeps = Pick<OperationDeps, 'ledger' | 'prices' | 'clock' | 'settings'>;

export interface TeamSpend {
  month: string;
  /** Settled by the reaper. */
  settledUsd: number;
  /** Settled plus the open clusters' cost since their last settlement. */
  spentUsd: number;
  notified: Record<string, string>;
  /** The team's clusters whose spend is open (live, or deleted and not yet fully charged). */
  clusters: ClusterRecord[];
}

export async function teamSpend(deps: TeamSpendDeps, team: string): Promise<TeamSpend> {
  const now = deps.clock.now();
  const month = monthOf(now);
  const [ledger, clusters] = await Promise.all([
    deps.ledger.teamMonth(team, month),
    deps.ledger.teamClusters(team),
  ]);
  const unsettled = clusters.reduce((sum, record) => sum + unsettledSpend(record, deps.prices, now), 0);
  return {
    month,
    settledUsd: ledger.usd,
    spentUsd: ledger.usd + unsettled,
    notified: ledger.notified,
    clusters,
  };
}

/** The team's monthly budget, or undefined when it has none. */
export function budgetOf(deps: Pick<OperationDeps, 'settings'>, team: string): number | undefined {
  return policyFor(deps.settings.policies, team).monthlyBudgetUsd ?? undefined;
}

/** Refuse `what` (a create, a start, a change that raises hourlyMax) once the team's budget is spent. */
export async function assertWithinBudget(deps: TeamSpendDeps, team: string, what: string): Promise<void> {
  const budget = budgetOf(deps, team);
  if (budget === undefined) return;
  const { month, spentUsd } = await teamSpend(deps, team);
  if (spentUsd < budget) return;
  throw new BudgetExceededError(
    `Team ${team} has spent $${usd(spentUsd)} of its monthly budget of $${budget} in ${month} (UTC); ${what} is refused until the budget is raised or the month ends.`,
    { budgetUsd: budget, spentUsd: usd(spentUsd) },
  );
}
