/** Idempotency records in the cluster table: pk = IDEMPOTENCY#<team>#<method path>#<key>. */
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDocumentClient,
} from './aws/dynamodb.ts';
import { ConflictError, IdempotencyKeyReusedError } from '../core/errors.ts';
import type { IdempotencyStore, StoredResponse } from '../core/ports.ts';

const SK = 'IDEMPOTENCY';

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDocumentClient,
    private readonly options: { tableName: string; ttlHours: number; now: () => Date },
  ) {}

  async claim(key: string, fingerprint: string): Promise<StoredResponse | undefined> {
    const now = Math.floor(this.options.now().getTime() / 1000);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            pk: key,
            sk: SK,
            fingerprint,
            state: 'IN_PROGRESS',
            ttl: now + this.options.ttlHours * 3600,
          },
          // An expired record may linger until DynamoDB's TTL sweeps it: treat it as absent.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.options.tableName, Key: { pk: key, sk: SK }, ConsistentRead: true }),
    );
    if (!Item) return this.claim(key, fingerprint);
    if (Item.fingerprint !== fingerprint) {
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was used with another request; use a new key for a new request.',
      );
    }
    if (Item.state !== 'COMPLETED') {
      throw new ConflictError('A request with this Idempotency-Key is still being processed; retry shortly.');
    }
    return Item.response as StoredResponse;
  }

  async complete(key: string, response: StoredResponse): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: { pk: key, sk: SK },
        UpdateExpression: 'SET #state = :completed, #response = :response',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':completed': 'COMPLETED', ':response': response },
      }),
    );
  }

  async release(key: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.options.tableName, Key: { pk: key, sk: SK } }));
  }
}
