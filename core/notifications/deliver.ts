/**
 * One attempt at one delivery (the delivery worker, functions/webhooks/deliver.ts): skip it when it
 * was delivered before or its webhook is gone, else sign the body for the webhook's current secret,
 * POST it, and say whether it is done or when to try again. A 2xx answer is success; anything else,
 * a timeout or a refused address is a failure that is retried (core/notifications/retry.ts).
 */
import type { Clock } from '../ports.ts';
import { renderBody } from './payload.ts';
import type { Delivery, DeliveryLog, WebhookSecrets, WebhookStore, WebhookTransport } from './ports.ts';
import { wants } from './publish.ts';
import { retryAfterSeconds } from './retry.ts';
import { signedHeaders } from './signature.ts';

export interface DeliverDeps {
  webhooks: Pick<WebhookStore, 'get'>;
  secrets: Pick<WebhookSecrets, 'read'>;
  transport: WebhookTransport;
  log: DeliveryLog;
  clock: Clock;
  /** Multiplies the retry waits (1 on AWS; the local runtime shortens them). */
  retryScale: number;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'skipped'; reason: string }
  | { kind: 'retry'; afterSeconds: number; reason: string }
  | { kind: 'given-up'; reason: string };

export const USER_AGENT = 'det-control-plane-webhooks/1';

export async function deliver(
  deps: DeliverDeps,
  delivery: Delivery,
  attempt: number,
): Promise<DeliveryOutcome> {
  const subscription = await deps.webhooks.get(delivery.team, delivery.webhook);
  if (!subscription) return { kind: 'skipped', reason: 'the webhook was removed' };
  if (!wants(subscription, delivery.event))
    return { kind: 'skipped', reason: `the webhook no longer subscribes to ${delivery.event.type}` };
  if (await deps.log.delivered(delivery)) return { kind: 'skipped', reason: 'delivered before' };
  const secret = await deps.secrets.read(subscription.secretId, subscription.secretVersion);
  const body = renderBody(delivery.event, subscription.format);
  const at = deps.clock.now();
  let reason: string;
  try {
    const { status } = await deps.transport.post(subscription.url, body, {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signedHeaders(secret, delivery.event.id, at, body),
    });
    if (status >= 200 && status < 300) {
      await deps.log.record(delivery, { status, attempt, at: at.toISOString() });
      return { kind: 'delivered', status };
    }
    reason = `the receiver answered ${status}`;
  } catch (error) {
    reason = `the request failed: ${(error as Error).message}`;
  }
  const afterSeconds = retryAfterSeconds(attempt, deps.retryScale);
  return afterSeconds === undefined ? { kind: 'given-up', reason } : { kind: 'retry', afterSeconds, reason };
}
