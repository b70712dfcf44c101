/**
 * The webhook delivery queue (SQS FIFO, resources/notifications.yml). One message per event and
 * webhook. The message group is the webhook and the event's subject (a cluster), so one cluster's
 * events reach a webhook in order while a failing receiver holds up only its own groups; the
 * deduplication id is the event id and the webhook, so the same event queued twice within SQS's
 * five-minute window is kept once (the delivery log catches later duplicates).
 */
import { createHash } from 'node:crypto';
import type { Delivery, DeliveryQueue } from '../core/notifications/ports.ts';
import type { SqsClient } from './aws/services.ts';

const BATCH = 10;
const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');

export const messageGroup = (delivery: Delivery): string =>
  hash(delivery.team, delivery.webhook, delivery.event.subject);
export const deduplicationId = (delivery: Delivery): string =>
  hash(delivery.event.id, delivery.team, delivery.webhook);

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SqsClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(deliveries: Delivery[]): Promise<void> {
    for (let start = 0; start < deliveries.length; start += BATCH) {
      const batch = deliveries.slice(start, start + BATCH);
      const { Failed = [] } = await this.sqs.call('SendMessageBatch', {
        QueueUrl: this.queueUrl,
        Entries: batch.map((delivery, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(delivery),
          MessageGroupId: messageGroup(delivery),
          MessageDeduplicationId: deduplicationId(delivery),
        })),
      });
      if (Failed.length > 0)
        throw new Error(`the delivery queue refused ${Failed.length} message(s): ${Failed[0]?.Code ?? ''}`);
    }
  }
}
