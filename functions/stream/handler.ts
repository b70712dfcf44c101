/**
 * The cluster table's stream consumer, one router with two routes for every batch: status changes
 * become webhook events and workflow audit entries (./notify.ts), then metrics
 * (core/metrics/transitions.ts). The workflows write statuses through Step Functions' direct
 * DynamoDB integrations, so the stream is the one place that sees every transition, whoever wrote it.
 * Notifications go first: if they fail the batch is retried, and its metrics are written only once
 * it succeeds. Locally, local/stream-poller.ts reads the emulator's stream and calls this same handler.
 */
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../../adapters/logger.ts';
import { metrics, type MetricsPublisher } from '../../adapters/metrics.ts';
import { point, type MetricPoint } from '../../core/metrics/catalogue.ts';
import { transitionPoints, type RecordImage } from '../../core/metrics/transitions.ts';
import { auditLog, publishTeamEvent } from '../deps.ts';
import { notify, type NotifyDeps } from './notify.ts';

type Image = Record<string, AttributeValue> | undefined;

/** The string attributes the metrics read; the record's other attributes are never looked at. */
export function readImage(image: Image): RecordImage | undefined {
  if (!image) return undefined;
  const text = (name: keyof RecordImage) => image[name]?.S;
  const entries = (['sk', 'status', 'statusReason', 'createdAt', 'updatedAt'] as const).flatMap((name) => {
    const value = text(name);
    return value === undefined ? [] : [[name, value] as const];
  });
  return Object.fromEntries(entries) as RecordImage;
}

export function main(event: DynamoDBStreamEvent, publisher: MetricsPublisher): MetricPoint[] {
  const points: MetricPoint[] = [point('StreamRecords', event.Records.length)];
  for (const record of event.Records) {
    const change = {
      ...(record.dynamodb?.OldImage ? { old: readImage(record.dynamodb.OldImage) } : {}),
      ...(record.dynamodb?.NewImage ? { new: readImage(record.dynamodb.NewImage) } : {}),
    };
    points.push(...transitionPoints(change));
  }
  publisher.publish(points);
  return points;
}

export function notifyDeps(): NotifyDeps {
  return {
    publish: (events) => publishTeamEvent(events),
    audit: auditLog(),
  };
}

export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  logger.resetKeys();
  const notified = await notify(event, notifyDeps());
  if (notified.events > 0) metrics().publish([point('WebhookEvents', notified.events)]);
  const points = main(event, metrics());
  logger.debug('stream records', { records: event.Records.length, points: points.length, ...notified });
};
