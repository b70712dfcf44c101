/** Teardown warnings and budget thresholds as EventBridge events, for teams to route to chat, mail or pagers. */
import type { BudgetNotifier, BudgetThreshold } from '../core/cost/notifications.ts';
import type { Notifier, TeardownWarning } from '../core/ports.ts';
import type { EventBridgeClient } from './aws/services.ts';

export const WARNING_SOURCE = 'det-control-plane';
export const WARNING_DETAIL_TYPE = 'Determined Cluster Teardown Warning';
export const BUDGET_DETAIL_TYPE = 'Determined Team Budget Threshold';
const ENTRIES_PER_CALL = 10;

export class EventBridgeNotifier implements Notifier, BudgetNotifier {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async teardownWarnings(warnings: TeardownWarning[]): Promise<void> {
    for (let start = 0; start < warnings.length; start += ENTRIES_PER_CALL) {
      await this.events.call('PutEvents', {
        Entries: warnings.slice(start, start + ENTRIES_PER_CALL).map((warning) => ({
          Source: WARNING_SOURCE,
          DetailType: WARNING_DETAIL_TYPE,
          EventBusName: this.eventBusName,
          Detail: JSON.stringify(warning),
        })),
      });
    }
  }

  /** One event per team and threshold; its detail `type` is the contract's event type. */
  async budgetThreshold(event: BudgetThreshold): Promise<void> {
    await this.events.call('PutEvents', {
      Entries: [
        {
          Source: WARNING_SOURCE,
          DetailType: BUDGET_DETAIL_TYPE,
          EventBusName: this.eventBusName,
          Detail: JSON.stringify({ type: 'team.budget-threshold', ...event }),
        },
      ],
    });
  }
}
