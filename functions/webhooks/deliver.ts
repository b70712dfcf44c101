/**
 * The webhook delivery worker: SQS (FIFO) batches from the delivery queue, as Lambda's event source
 * mapping hands them over (serverless.yml, function deliverWebhooks); locally local/queue-poller.ts
 * reads the emulator's queue and calls this same handler. Each message is one event for one webhook
 * (core/notifications/deliver.ts). A failure sets the message's own backoff (its visibility) and,
 * because the queue is FIFO, ends the batch there: it and every message after it are reported as
 * failed, so no later event of the same cluster overtakes it. After the last attempt the queue's
 * redrive policy moves it to the dead-letter queue.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsClient } from '../../adapters/aws-clients.ts';
import { config } from '../../adapters/config.ts';
import { logger } from '../../adapters/logger.ts';
import { metrics, type MetricsPublisher } from '../../adapters/metrics.ts';
import { point } from '../../core/metrics/catalogue.ts';
import { deliver, type DeliverDeps, type DeliveryOutcome } from '../../core/notifications/deliver.ts';
import type { Delivery } from '../../core/notifications/ports.ts';
import { retryAfterSeconds } from '../../core/notifications/retry.ts';
import { clock, webhookSecrets, webhookStore, webhookTransport } from '../deps.ts';

export interface Visibility {
  /** Make the message visible again after `seconds` (0: at once). */
  delay(receiptHandle: string, seconds: number): Promise<void>;
}

export interface WorkerDeps extends DeliverDeps {
  visibility: Visibility;
  publisher: MetricsPublisher;
}

function parse(record: SQSRecord): Delivery | undefined {
  try {
    const value = JSON.parse(record.body) as Delivery;
    if (
      typeof value.team === 'string' &&
      typeof value.webhook === 'string' &&
      typeof value.event?.id === 'string'
    )
      return value;
  } catch {
    // below
  }
  return undefined;
}

export async function main(event: SQSEvent, deps: WorkerDeps): Promise<SQSBatchResponse> {
  const failed: string[] = [];
  for (const record of event.Records) {
    if (failed.length > 0) {
      // FIFO: nothing after a failure may be handled before it; these come back at once.
      failed.push(record.messageId);
      await deps.visibility.delay(record.receiptHandle, 0).catch(() => undefined);
      continue;
    }
    const delivery = parse(record);
    if (!delivery) {
      logger.error('webhook delivery message is malformed; dropped', { messageId: record.messageId });
      continue;
    }
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1') || 1;
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliver(deps, delivery, attempt);
    } catch (error) {
      // Our own dependencies failed (the table, the secret): the same backoff as a receiver's failure.
      const afterSeconds = retryAfterSeconds(attempt, deps.retryScale);
      const reason = `the control plane could not deliver: ${(error as Error).message}`;
      outcome =
        afterSeconds === undefined ? { kind: 'given-up', reason } : { kind: 'retry', afterSeconds, reason };
    }
    const context = {
      team: delivery.team,
      webhook: delivery.webhook,
      eventId: delivery.event.id,
      type: delivery.event.type,
      attempt,
    };
    deps.publisher.publish([point('WebhookDeliveries', 1, { outcome: outcome.kind })]);
    switch (outcome.kind) {
      case 'delivered':
        logger.info('webhook delivered', { ...context, status: outcome.status });
        break;
      case 'skipped':
        logger.info('webhook delivery skipped', { ...context, reason: outcome.reason });
        break;
      case 'retry':
        logger.warn('webhook delivery failed; retrying', { ...context, ...outcome });
        // If the backoff cannot be set, the message still comes back, after the queue's visibility
        // timeout; the rest of the batch is not failed for it.
        await deps.visibility.delay(record.receiptHandle, outcome.afterSeconds).catch((error: unknown) => {
          logger.warn('webhook retry backoff not set', { ...context, error: (error as Error).message });
        });
        failed.push(record.messageId);
        break;
      case 'given-up':
        // Reported as failed once more: the redrive policy moves it to the dead-letter queue.
        logger.error('webhook delivery given up after its last attempt', {
          ...context,
          reason: outcome.reason,
        });
        await deps.visibility.delay(record.receiptHandle, 0).catch(() => undefined);
        failed.push(record.messageId);
        break;
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

export function workerDeps(): WorkerDeps {
  const queueUrl = config().notifications.queueUrl;
  return {
    webhooks: webhookStore(),
    log: webhookStore(),
    secrets: webhookSecrets(),
    transport: webhookTransport(),
    clock,
    retryScale: config().notifications.retryScale,
    publisher: metrics(),
    visibility: {
      delay: async (receiptHandle, seconds) => {
        await sqsClient().call('ChangeMessageVisibility', {
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        });
      },
    },
  };
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.resetKeys();
  return main(event, workerDeps());
};
