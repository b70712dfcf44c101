/** A team's spend crossed a budget threshold (contract, "Money"; event type team.budget-threshold). */
export interface BudgetThreshold {
  team: string;
  /** UTC month, YYYY-MM. */
  month: string;
  /** 80 or 100. */
  thresholdPercent: number;
  budgetUsd: number;
  spentUsd: number;
  at: string;
  message: string;
}

/** Tells the team (EventBridge on AWS, as the teardown warnings). */
export interface BudgetNotifier {
  budgetThreshold(event: BudgetThreshold): Promise<void>;
}
