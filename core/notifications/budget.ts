/**
 * A team's spend crossing a budget threshold (80 % or 100 %, core/operations/enforce-budgets.ts) as
 * the webhook event `team.budget-threshold`. One event per team, month and threshold: the id comes
 * from those, so a threshold the reaper reports again is a duplicate receivers drop.
 */
import type { BudgetThreshold } from '../cost/notifications.ts';
import { teamEvent, type TeamEvent } from './events.ts';

export function budgetThresholdEvent(threshold: BudgetThreshold): TeamEvent {
  return teamEvent(
    threshold.team,
    'team.budget-threshold',
    {
      month: threshold.month,
      thresholdPercent: threshold.thresholdPercent,
      budgetUsd: threshold.budgetUsd,
      spentUsd: threshold.spentUsd,
      message: threshold.message,
    },
    { at: new Date(threshold.at), dedupeKey: `${threshold.month}/${threshold.thresholdPercent}` },
  );
}
