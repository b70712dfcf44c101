/**
 * Webhooks and their delivery log in the cluster table (adapters/cluster-store.ts has the rest):
 *
 *   pk = TEAM#<team>                     sk = WEBHOOK#<name>   a subscription (no secret: its id only)
 *   pk = DELIVERY#<team>#<name>          sk = <event id>       a delivery that succeeded (TTL 14 days)
 *
 * The table's stream consumer reads cluster records only (serverless.yml's filter), so these writes
 * make no events of their own.
 */
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDocumentClient,
} from './aws/dynamodb.ts';
import type {
  Delivery,
  DeliveryLog,
  WebhookStore,
  WebhookSubscription,
} from '../core/notifications/ports.ts';
import { MAX_WEBHOOKS_PER_TEAM } from '../core/notifications/webhook-request.ts';

const WEBHOOK_PREFIX = 'WEBHOOK#';
const DELIVERY_RETENTION_DAYS = 14;
const FIELDS = [
  'team',
  'name',
  'url',
  'events',
  'format',
  'secretId',
  'secretVersion',
  'createdAt',
  'updatedAt',
  'updatedBy',
] as const;

const webhookKey = (team: string, name: string) => ({ pk: `TEAM#${team}`, sk: `${WEBHOOK_PREFIX}${name}` });

function fromItem(item: Record<string, unknown>): WebhookSubscription {
  const subscription: Record<string, unknown> = {};
  for (const field of FIELDS) subscription[field] = item[field];
  return subscription as unknown as WebhookSubscription;
}

export class DynamoWebhookStore implements WebhookStore, DeliveryLog {
  constructor(
    private readonly db: DynamoDocumentClient,
    private readonly options: { tableName: string; now: () => Date },
  ) {}

  async get(team: string, name: string): Promise<WebhookSubscription | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: webhookKey(team, name),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async list(team: string): Promise<WebhookSubscription[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TEAM#${team}`, ':prefix': WEBHOOK_PREFIX },
        ConsistentRead: true,
        Limit: MAX_WEBHOOKS_PER_TEAM + 1,
      }),
    );
    return Items.map(fromItem);
  }

  async put(subscription: WebhookSubscription): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { ...webhookKey(subscription.team, subscription.name), ...subscription },
      }),
    );
  }

  async remove(team: string, name: string): Promise<WebhookSubscription | undefined> {
    const existing = await this.get(team, name);
    if (!existing) return undefined;
    await this.db.send(new DeleteCommand({ TableName: this.options.tableName, Key: webhookKey(team, name) }));
    return existing;
  }

  async delivered(delivery: Delivery): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: deliveryKey(delivery),
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  async record(
    delivery: Delivery,
    outcome: { status: number; attempt: number; at: string },
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...deliveryKey(delivery),
            type: delivery.event.type,
            status: outcome.status,
            attempt: outcome.attempt,
            at: outcome.at,
            ttl: Math.floor(this.options.now().getTime() / 1000) + DELIVERY_RETENTION_DAYS * 86400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

const deliveryKey = (delivery: Delivery) => ({
  pk: `DELIVERY#${delivery.team}#${delivery.webhook}`,
  sk: delivery.event.id,
});
