/**
 * The cluster table's stream consumer: every status a cluster record enters becomes metrics
 * (core/metrics/transitions.ts). The workflows write statuses through Step Functions' direct
 * DynamoDB integrations, so the stream is the one place that sees every transition, whoever wrote it.
 * Locally, local/stream-poller.ts reads the emulator's stream and calls this same handler.
 */
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../../adapters/logger.ts';
import { metrics, type MetricsPublisher } from '../../adapters/metrics.ts';
import { point, type MetricPoint } from '../../core/metrics/catalogue.ts';
import { transitionPoints, type RecordImage } from '../../core/metrics/transitions.ts';

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

export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  logger.resetKeys();
  const points = main(event, metrics());
  logger.debug('stream records', { records: event.Records.length, points: points.length });
};
