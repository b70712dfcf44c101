/**
 * The webhook delivery queue, read from the emulator the way Lambda's SQS event source mapping reads
 * it on AWS (serverless.yml, function deliverWebhooks): batches of up to 5 messages with their
 * system attributes, handed to the very handler Lambda runs (functions/webhooks/deliver.ts); the
 * messages it does not report as failed are deleted, the failed ones stay with the visibility
 * (backoff) the handler gave them.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AwsJsonClient } from '../adapters/aws/json.ts';
import { SQS, type SqsClient, type SqsMessage } from '../adapters/aws/services.ts';
import { pollEvery, type Poller } from './poll-loop.ts';

function toRecord(message: SqsMessage, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export function startQueuePoller(options: {
  endpoint: string;
  region: string;
  queueUrl: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  intervalMs: number;
  log: (line: string) => void;
}): Poller {
  const sqs: SqsClient = new AwsJsonClient(SQS, {
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: 2,
  });
  const queueArn = `arn:aws:sqs:${options.region}:123456789012:${options.queueUrl.split('/').pop() ?? ''}`;

  const poll = async () => {
    for (;;) {
      const { Messages = [] } = await sqs.call('ReceiveMessage', {
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 5,
        MessageSystemAttributeNames: ['All'],
      });
      if (Messages.length === 0) return;
      const records = Messages.map((message) => toRecord(message, queueArn));
      const { batchItemFailures } = await options.handler({ Records: records });
      const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
      for (const record of records) {
        if (!failed.has(record.messageId))
          await sqs.call('DeleteMessage', {
            QueueUrl: options.queueUrl,
            ReceiptHandle: record.receiptHandle,
          });
      }
    }
  };

  return pollEvery('queue poller', poll, options);
}
