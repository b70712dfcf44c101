/**
 * DynamoDB with native JavaScript values, as @aws-sdk/lib-dynamodb offers it (the same command names
 * and shapes, marshalled with @aws-sdk/util-dynamodb), over the JSON protocol client.
 */
import { randomUUID } from 'node:crypto';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AwsServiceError } from './http.ts';
import { AwsJsonClient, type ClientOptions, type JsonService } from './json.ts';

type Item = Record<string, unknown>;

export class ConditionalCheckFailedException extends AwsServiceError {}

export class TransactionCanceledException extends AwsServiceError {
  /** One reason per transaction item, in order: Code is ConditionalCheckFailed, None... */
  get CancellationReasons(): { Code?: string; Message?: string }[] | undefined {
    return this.details.CancellationReasons as { Code?: string; Message?: string }[] | undefined;
  }
}

const DYNAMODB: JsonService = {
  signingName: 'dynamodb',
  targetPrefix: 'DynamoDB_20120810',
  jsonVersion: '1.0',
  errors: { ConditionalCheckFailedException, TransactionCanceledException },
};

interface Expressions {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}
type ReturnValues = 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';

export interface GetInput {
  TableName: string;
  Key: Item;
  ConsistentRead?: boolean;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}
export interface PutInput extends Expressions {
  TableName: string;
  Item: Item;
}
export interface UpdateInput extends Expressions {
  TableName: string;
  Key: Item;
  UpdateExpression: string;
  ReturnValues?: ReturnValues;
}
export interface DeleteInput extends Expressions {
  TableName: string;
  Key: Item;
}
export interface QueryInput extends Omit<Expressions, 'ConditionExpression'> {
  TableName: string;
  IndexName?: string;
  KeyConditionExpression: string;
  FilterExpression?: string;
  ScanIndexForward?: boolean;
  ConsistentRead?: boolean;
  Limit?: number;
  ExclusiveStartKey?: Item;
}
export interface TransactWriteInput {
  TransactItems: {
    Put?: PutInput;
    Update?: Omit<UpdateInput, 'ReturnValues'>;
    Delete?: DeleteInput;
    ConditionCheck?: DeleteInput & { ConditionExpression: string };
  }[];
  /** Makes retries of the same transaction idempotent; one is generated when absent, as the SDK does. */
  ClientRequestToken?: string;
}

/** A command is an operation and its input; `output` only carries the result's type. */
abstract class DocumentCommand<I, O> {
  abstract readonly operation: string;
  declare readonly output: O;
  constructor(readonly input: I) {}
}

export class GetCommand extends DocumentCommand<GetInput, { Item?: Item }> {
  readonly operation = 'GetItem';
}
export class PutCommand extends DocumentCommand<PutInput, object> {
  readonly operation = 'PutItem';
}
export class UpdateCommand extends DocumentCommand<UpdateInput, { Attributes?: Item }> {
  readonly operation = 'UpdateItem';
}
export class DeleteCommand extends DocumentCommand<DeleteInput, object> {
  readonly operation = 'DeleteItem';
}
export class QueryCommand extends DocumentCommand<
  QueryInput,
  { Items?: Item[]; LastEvaluatedKey?: Item; Count?: number }
> {
  readonly operation = 'Query';
}
export class TransactWriteCommand extends DocumentCommand<TransactWriteInput, object> {
  readonly operation = 'TransactWriteItems';
}

/** Fields that hold native values in a document input or output and attribute values on the wire. */
const ITEM_FIELDS = new Set(['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey']);
const OUTPUT_ITEM_FIELDS = new Set(['Item', 'Attributes', 'LastEvaluatedKey']);

function toWire(input: object): object {
  const wire: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (ITEM_FIELDS.has(field)) wire[field] = marshall(value as Item, { removeUndefinedValues: true });
    else if (field === 'TransactItems')
      wire[field] = (value as Record<string, object>[]).map((entry) =>
        Object.fromEntries(Object.entries(entry).map(([kind, action]) => [kind, toWire(action)])),
      );
    else wire[field] = value;
  }
  return wire;
}

function fromWire(output: Record<string, unknown>): Record<string, unknown> {
  const native: Record<string, unknown> = { ...output };
  for (const field of OUTPUT_ITEM_FIELDS)
    if (output[field]) native[field] = unmarshall(output[field] as Parameters<typeof unmarshall>[0]);
  if (Array.isArray(output.Items))
    native.Items = output.Items.map((item) => unmarshall(item as Parameters<typeof unmarshall>[0]));
  return native;
}

export class DynamoDocumentClient {
  private readonly client: AwsJsonClient<Record<string, [object, Record<string, unknown>]>>;

  constructor(options: ClientOptions) {
    this.client = new AwsJsonClient(DYNAMODB, options);
  }

  async send<I extends object, O>(command: DocumentCommand<I, O>): Promise<O> {
    const input =
      command instanceof TransactWriteCommand
        ? { ClientRequestToken: randomUUID(), ...command.input }
        : command.input;
    return fromWire(await this.client.call(command.operation, toWire(input))) as O;
  }
}
