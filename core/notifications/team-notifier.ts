/**
 * The reaper's notices, told twice: to operators as EventBridge events (adapters/notifier.ts) and to
 * the team's webhooks as events (publishTeamEvent in functions/deps.ts). Teardown warnings become
 * `cluster.teardown-warning`, budget thresholds (80 % and 100 %) `team.budget-threshold`. Both ways
 * are tried; if either fails, the call fails after the other was tried.
 */
import type { BudgetNotifier, BudgetThreshold } from '../cost/notifications.ts';
import type { Notifier, TeardownWarning } from '../ports.ts';
import { budgetThresholdEvent } from './budget.ts';
import type { TeamEvent } from './events.ts';
import { teardownWarningEvent } from './teardown.ts';

export class TeamNotifier implements Notifier, BudgetNotifier {
  constructor(
    private readonly bus: Notifier & BudgetNotifier,
    private readonly publish: (events: readonly TeamEvent[]) => Promise<number>,
    private readonly now: () => Date,
  ) {}

  teardownWarnings(warnings: TeardownWarning[]): Promise<void> {
    const at = this.now();
    return both(
      () => this.bus.teardownWarnings(warnings),
      () => this.publish(warnings.map((warning) => teardownWarningEvent(warning, at))),
    );
  }

  budgetThreshold(threshold: BudgetThreshold): Promise<void> {
    return both(
      () => this.bus.budgetThreshold(threshold),
      () => this.publish([budgetThresholdEvent(threshold)]),
    );
  }
}

async function both(...calls: (() => Promise<unknown>)[]): Promise<void> {
  const results = await Promise.allSettled(calls.map((call) => call()));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}
