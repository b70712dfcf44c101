/**
 * The emulator's table stream survives a cancelled transaction (local/emulator/launcher.py, patch 14).
 * moto rolled a cancelled TransactWriteItems back by putting a copy of the table in its place, and an
 * iterator taken before then read nothing ever after: the local stream consumer, and with it every
 * webhook event, workflow audit entry and status metric, went silent for the rest of the run once
 * one create lost a race (test/emulator/api.test.ts makes 49 of them). Here an iterator taken before
 * a cancelled transaction still reads a later write, and nothing of the cancelled one, as on AWS.
 */
import { TransactWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableStream } from '../../local/table-stream.ts';
import { emulator, emulatorUrl, uniqueId } from '../support/local-api.ts';

const TABLE = 'det-control-plane-local-clusters';

describe('the table stream after a cancelled transaction', () => {
  it('keeps delivering to an iterator taken before it, without the cancelled writes', async () => {
    // Arrange: an iterator at the stream's end, as the local stream consumer holds one.
    const { streams, streamArn } = await tableStream({
      region: 'us-east-1',
      endpoint: emulatorUrl(),
      table: TABLE,
    });
    const { StreamDescription } = await streams.call('DescribeStream', { StreamArn: streamArn });
    const shardId = StreamDescription?.Shards?.[0]?.ShardId ?? '';
    let iterator = (
      await streams.call('GetShardIterator', {
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'LATEST',
      })
    ).ShardIterator;
    const probe = uniqueId('stream-probe');

    // Act: a transaction whose first write applies and whose second is refused, then a plain write.
    const db = emulator.dynamo();
    await expect(
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk: `TEST#${probe}-cancelled`, sk: 'PROBE' } } },
            {
              Put: {
                TableName: TABLE,
                Item: { pk: `TEST#${probe}-refused`, sk: 'PROBE' },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    await db.send(new PutCommand({ TableName: TABLE, Item: { pk: `TEST#${probe}-after`, sk: 'PROBE' } }));

    // Assert: the held iterator reads the later write; the cancelled transaction left no record.
    const seen: string[] = [];
    for (let page = 0; page < 20 && iterator && !seen.includes(`TEST#${probe}-after`); page++) {
      const { Records = [], NextShardIterator } = await streams.call('GetRecords', {
        ShardIterator: iterator,
        Limit: 100,
      });
      seen.push(...Records.map((record) => record.dynamodb?.Keys?.pk?.S ?? ''));
      iterator = NextShardIterator;
    }
    const mine = seen.filter((pk) => pk.startsWith(`TEST#${probe}`));
    expect(mine).toEqual([`TEST#${probe}-after`]);
  });
});
