/**
 * The cluster table's stream through the emulator's DynamoDB Streams API: the clients and the
 * stream's ARN, for the local stream poller (local/stream-poller.ts) and the emulator test of the
 * stream itself (test/emulator/stream-after-cancelled-transaction.test.ts).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { AwsJsonClient, type JsonService } from '../adapters/aws/json.ts';

const DYNAMODB: JsonService = {
  signingName: 'dynamodb',
  targetPrefix: 'DynamoDB_20120810',
  jsonVersion: '1.0',
};
const STREAMS: JsonService = {
  signingName: 'dynamodb',
  endpointPrefix: 'streams.dynamodb',
  targetPrefix: 'DynamoDBStreams_20120810',
  jsonVersion: '1.0',
};

export type Tables = AwsJsonClient<{
  DescribeTable: [{ TableName: string }, { Table?: { LatestStreamArn?: string } }];
}>;
export type Streams = AwsJsonClient<{
  DescribeStream: [{ StreamArn: string }, { StreamDescription?: { Shards?: { ShardId?: string }[] } }];
  GetShardIterator: [
    { StreamArn: string; ShardId: string; ShardIteratorType: 'TRIM_HORIZON' | 'LATEST' },
    { ShardIterator?: string },
  ];
  GetRecords: [
    { ShardIterator: string; Limit?: number },
    { Records?: DynamoDBRecord[]; NextShardIterator?: string },
  ];
}>;

/** The stream clients, and the ARN of `table`'s stream (an error when the table has none). */
export async function tableStream(options: {
  endpoint: string;
  region: string;
  table: string;
}): Promise<{ streams: Streams; streamArn: string }> {
  const client = { region: options.region, endpoint: options.endpoint, maxAttempts: 2 };
  const tables: Tables = new AwsJsonClient(DYNAMODB, client);
  const streams: Streams = new AwsJsonClient(STREAMS, client);
  const { Table } = await tables.call('DescribeTable', { TableName: options.table });
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.table} has no stream`);
  return { streams, streamArn };
}
