/**
 * The dead-letter queues, one per kind of asynchronous delivery so that a message says where it came
 * from and how to redrive it (docs/operations.md, "Redrive"):
 * - EventsDeadLetterQueue: EventBridge rule targets that could not be invoked (the schedules, the relays);
 * - StreamDeadLetterQueue: table-stream batches the metrics consumer gave up on;
 * - AsyncFailuresQueue: scheduled runs (reaper, watchdog) that failed;
 * - WebhookDeadLetterQueue (resources/notifications.yml): webhook deliveries given up.
 */
import { arn, getAtt, ref, type Resources } from './cfn.ts';

export const QUEUES = {
  EventsDeadLetterQueue: 'EventBridge targets that could not be delivered',
  StreamDeadLetterQueue: 'table-stream batches the metrics consumer gave up on',
  AsyncFailuresQueue: 'scheduled function runs that failed',
} as const;

/**
 * Every dead-letter queue the alarms and the dashboard watch: the ones above, and the webhook
 * deliveries' (a FIFO queue, declared beside its delivery queue in resources/notifications.yml).
 */
export const DEAD_LETTER_QUEUES = {
  ...QUEUES,
  WebhookDeadLetterQueue: 'webhook deliveries given up after about 26 hours of retries',
} as const;
export type QueueId = keyof typeof DEAD_LETTER_QUEUES;

const FOURTEEN_DAYS = 14 * 24 * 3600;

export function queueResources(): Resources {
  const resources: Resources = {};
  for (const id of Object.keys(QUEUES) as (keyof typeof QUEUES)[]) {
    resources[id] = {
      Type: 'AWS::SQS::Queue',
      // What waits in a dead-letter queue is redriven or dropped before the stack goes.
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { MessageRetentionPeriod: FOURTEEN_DAYS, SqsManagedSseEnabled: true },
    };
  }
  // EventBridge delivers to a dead-letter queue under its own identity: only this stack's rules may.
  resources.EventsDeadLetterQueuePolicy = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref('EventsDeadLetterQueue')],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ThisStacksRules',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt('EventsDeadLetterQueue', 'Arn'),
            Condition: { ArnLike: { 'aws:SourceArn': arn('events', 'rule/', ref('AWS::StackName'), '-*') } },
          },
        ],
      },
    },
  };
  return resources;
}
