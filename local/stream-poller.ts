/**
 * The cluster table's stream, read from the emulator the way Lambda's event source mapping reads it
 * on AWS (serverless.yml, function streamMetrics): every shard from its start, cluster records only
 * (the mapping's filter), batches handed to the very handler Lambda runs (functions/stream/).
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { CLUSTER_RECORD } from '../core/names/shared.ts';
import { pollEvery, type Poller } from './poll-loop.ts';
import { tableStream } from './table-stream.ts';

const PAGE = 100;
const MAX_PAGES_PER_TICK = 50;
const MAX_RETRIES = 10;

/** The mapping's filter pattern: `{"dynamodb": {"NewImage": {"sk": {"S": ["CLUSTER"]}}}}`. */
export const isClusterRecord = (record: DynamoDBRecord): boolean =>
  record.dynamodb?.NewImage?.sk?.S === CLUSTER_RECORD.sk;

export async function startStreamPoller(options: {
  endpoint: string;
  region: string;
  table: string;
  handler: (event: DynamoDBStreamEvent) => Promise<unknown>;
  intervalMs: number;
  log: (line: string) => void;
}): Promise<Poller> {
  const { streams, streamArn } = await tableStream(options);
  // shard id -> the iterator to read next; undefined once the shard is closed and read to its end.
  const iterators = new Map<string, string | undefined>();
  // shard id -> how often its current batch has failed.
  const failures = new Map<string, number>();

  const poll = async () => {
    const { StreamDescription } = await streams.call('DescribeStream', { StreamArn: streamArn });
    for (const { ShardId } of StreamDescription?.Shards ?? []) {
      if (!ShardId || iterators.has(ShardId)) continue;
      const { ShardIterator } = await streams.call('GetShardIterator', {
        StreamArn: streamArn,
        ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      });
      iterators.set(ShardId, ShardIterator);
    }
    for (const shardId of iterators.keys()) {
      // Read the shard up to its end before waiting for the next tick, so a burst of writes does
      // not leave the consumer a page per second behind.
      for (let page = 0; page < MAX_PAGES_PER_TICK; page++) {
        const iterator = iterators.get(shardId);
        if (!iterator) break;
        const { Records = [], NextShardIterator } = await streams.call('GetRecords', {
          ShardIterator: iterator,
          Limit: PAGE,
        });
        const batch = Records.filter(isClusterRecord);
        // As Lambda's mapping does (serverless.yml: maximumRetryAttempts 10), a batch the handler
        // fails is handed over again on the next tick: the iterator moves on only once the handler
        // succeeded or the retries are spent, so a passing fault loses no status change.
        if (batch.length > 0) {
          try {
            await options.handler({ Records: batch });
            failures.delete(shardId);
          } catch (error) {
            const attempts = (failures.get(shardId) ?? 0) + 1;
            if (attempts <= MAX_RETRIES) {
              failures.set(shardId, attempts);
              throw error;
            }
            failures.delete(shardId);
            options.log(`stream poller: a batch of ${batch.length} dropped after ${attempts} attempts`);
          }
        }
        iterators.set(shardId, NextShardIterator);
        if (Records.length < PAGE) break;
      }
    }
  };

  return pollEvery('stream poller', poll, options);
}
