/**
 * GET /teams/{team}: the team's policy in force, its clusters, and its spend this month against its
 * budget (contract, "Endpoints"). A member sees their own team; an admin any team; another team is
 * answered as unknown (404), as another team's cluster is.
 */
import { clusterCost, usd } from '../cost/cluster-cost.ts';
import { NotFoundError } from '../errors.ts';
import { policyFor, type TeamPolicy } from '../policy.ts';
import { TEAM, type Principal } from '../principal.ts';
import type { ClusterRecord } from '../cluster/model.ts';
import type { OperationDeps } from './deps.ts';
import { budgetOf, teamSpend } from './team-spend.ts';

export type TeamDeps = Pick<OperationDeps, 'store' | 'ledger' | 'prices' | 'clock' | 'settings'>;

export interface TeamView {
  team: string;
  policy: Omit<TeamPolicy, 'monthlyBudgetUsd'> & { monthlyBudgetUsd: number | null };
  usage: { clusters: number; maxClusters: number; byStatus: Record<string, number> };
  spend: {
    currency: 'USD';
    /** The UTC month, YYYY-MM. */
    month: string;
    monthToDate: number;
    budgetUsd: number | null;
    /** monthToDate as a percentage of the budget, or null without one. */
    budgetUsedPercent: number | null;
    /** What the team's clusters cost per hour now. */
    hourly: number;
    /** Budget thresholds (80, 100) the team was notified of this month, and when. */
    notified: Record<string, string>;
    basis: string;
  };
}

const PAGE = 100;

export async function getTeam(deps: TeamDeps, principal: Principal, team: string): Promise<TeamView> {
  if (!TEAM.test(team) || (team !== principal.team && !principal.admin)) {
    throw new NotFoundError(`No team ${team} for this token; a member sees only their own team.`);
  }
  const policy = policyFor(deps.settings.policies, team);
  const [clusters, spend] = await Promise.all([liveClusters(deps, team), teamSpend(deps, team)]);
  const now = deps.clock.now();
  const byStatus: Record<string, number> = {};
  for (const record of clusters) byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
  const hourly = clusters.reduce((sum, record) => sum + clusterCost(record, deps.prices, now).hourly, 0);
  const budget = budgetOf(deps, team);
  return {
    team,
    policy: { ...policy, monthlyBudgetUsd: budget ?? null },
    usage: { clusters: clusters.length, maxClusters: policy.maxClusters, byStatus },
    spend: {
      currency: 'USD',
      month: spend.month,
      monthToDate: usd(spend.spentUsd),
      budgetUsd: budget ?? null,
      budgetUsedPercent:
        budget === undefined
          ? null
          : budget === 0
            ? spend.spentUsd > 0
              ? 100
              : 0
            : usd((spend.spentUsd / budget) * 100),
      hourly: usd(hourly),
      notified: spend.notified,
      basis:
        'Settled by the reaper from each cluster’s timeline, plus each open cluster’s cost since its last settlement, at the prices of core/cost/prices.json. An estimate, not the AWS bill: the stacks carry team and cluster-id tags for cost allocation.',
    },
  };
}

/** Every cluster of the team but the deleted ones (the quota counts the same). */
async function liveClusters(deps: Pick<OperationDeps, 'store'>, team: string): Promise<ClusterRecord[]> {
  const clusters: ClusterRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.store.list({ team, limit: PAGE, ...(nextToken ? { nextToken } : {}) });
    clusters.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return clusters;
}
