/**
 * publishTeamEvents: the one way into webhook delivery. Every producer (the table stream for status
 * transitions, the reaper for teardown warnings, budgets for thresholds) hands its events here; each
 * goes, once per subscribed webhook of the event's team, onto the delivery queue.
 */
import { TEST_EVENT, type TeamEvent } from './events.ts';
import type { Delivery, DeliveryQueue, WebhookStore, WebhookSubscription } from './ports.ts';

export interface PublishDeps {
  webhooks: Pick<WebhookStore, 'list'>;
  deliveries: DeliveryQueue;
}

export const wants = (subscription: WebhookSubscription, event: TeamEvent): boolean =>
  event.type === TEST_EVENT || (subscription.events as string[]).includes(event.type);

/** Queue each event for every webhook of its team that subscribes to its type; how many were queued. */
export async function publishTeamEvents(deps: PublishDeps, events: readonly TeamEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const byTeam = new Map<string, WebhookSubscription[]>();
  const deliveries: Delivery[] = [];
  for (const event of events) {
    if (event.type === TEST_EVENT) continue; // sent to one webhook only, by the test route
    let subscriptions = byTeam.get(event.team);
    if (!subscriptions) {
      subscriptions = await deps.webhooks.list(event.team);
      byTeam.set(event.team, subscriptions);
    }
    for (const subscription of subscriptions) {
      if (wants(subscription, event))
        deliveries.push({ team: event.team, webhook: subscription.name, event });
    }
  }
  if (deliveries.length > 0) await deps.deliveries.enqueue(deliveries);
  return deliveries.length;
}
