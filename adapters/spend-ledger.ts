/**
 * The spend ledger in the cluster table (adapters/cluster-store.ts describes the layout):
 *
 *   pk = TEAM#<team>          sk = SPEND#<YYYY-MM>    the team's settled spend of a UTC month
 *   the cluster record's `spend`                       its cursor (core/cost/meter.ts)
 *   the cluster record's `spendShard` = OPEN           sparse index `unsettled`: spend not closed
 *
 * A settlement moves a cluster's cursor and adds its charges to the team's months in one
 * transaction, conditional on the cursor read, so no interval is charged twice.
 */
import {
  GetCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteCommand,
  UpdateCommand,
  ConditionalCheckFailedException,
  type DynamoDocumentClient,
  type TransactWriteInput,
} from './aws/dynamodb.ts';
import type { ClusterRecord } from '../core/cluster/model.ts';
import type { ClusterRef } from '../core/cluster/naming.ts';
import type { SpendLedger, SpendSettlement, TeamMonthSpend } from '../core/cost/ledger.ts';
import { StaleRecordError } from '../core/errors.ts';
import type { Page } from '../core/ports.ts';
import type { TimelineEntry } from '../core/timeline.ts';
import { clusterKey, clusterPk, fromItem, SPEND_SHARD } from './cluster-store.ts';
import type { PageTokens } from './page-tokens.ts';

const monthKey = (team: string, month: string) => ({ pk: `TEAM#${team}`, sk: `SPEND#${month}` });
/** Team months are kept 400 days, like the timeline they are settled from. */
const RETENTION_SECONDS = 400 * 86400;

export interface SpendLedgerOptions {
  tableName: string;
  now: () => Date;
  pageTokens: PageTokens;
}

export class DynamoSpendLedger implements SpendLedger {
  constructor(
    private readonly db: DynamoDocumentClient,
    private readonly options: SpendLedgerOptions,
  ) {}

  async unsettled(query: { limit: number; nextToken?: string }): Promise<Page<ClusterRecord>> {
    const startKey = await this.options.pageTokens.decode(query.nextToken, 'unsettled');
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: 'unsettled',
        KeyConditionExpression: '#shard = :open',
        ExpressionAttributeNames: { '#shard': 'spendShard' },
        ExpressionAttributeValues: { ':open': SPEND_SHARD },
        Limit: query.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const nextToken = await this.options.pageTokens.encode(LastEvaluatedKey, 'unsettled');
    return { items: Items.map(fromItem), ...(nextToken ? { nextToken } : {}) };
  }

  async teamClusters(team: string): Promise<ClusterRecord[]> {
    const records: ClusterRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: 'by-team',
          KeyConditionExpression: '#team = :team',
          FilterExpression: 'attribute_exists(#shard)',
          ExpressionAttributeNames: { '#team': 'team', '#shard': 'spendShard' },
          ExpressionAttributeValues: { ':team': team },
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...Items.map(fromItem));
      startKey = LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  async timelineSince(cluster: ClusterRef, since: string): Promise<TimelineEntry[]> {
    const entries: TimelineEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': clusterPk(cluster),
            ':from': `EVENT#${since}`,
            ':to': 'EVENT#\uffff',
          },
          ScanIndexForward: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const { pk: _pk, sk, ttl: _ttl, ...entry } of Items)
        entries.push({ ...entry, id: String(sk).split('#').at(-1) ?? '' } as TimelineEntry);
      startKey = LastEvaluatedKey;
    } while (startKey);
    return entries.filter((entry) => entry.source === 'control-plane');
  }

  async settle(cluster: ClusterRef, settlement: SpendSettlement): Promise<void> {
    const now = this.options.now();
    const items: TransactWriteInput['TransactItems'] = [
      {
        Update: {
          TableName: this.options.tableName,
          Key: clusterKey(cluster),
          UpdateExpression: settlement.close ? 'SET #spend = :to REMOVE #shard' : 'SET #spend = :to',
          ConditionExpression: '#spend.#through = :through',
          ExpressionAttributeNames: {
            '#spend': 'spend',
            '#through': 'through',
            ...(settlement.close ? { '#shard': 'spendShard' } : {}),
          },
          ExpressionAttributeValues: { ':to': settlement.to, ':through': settlement.from.through },
        },
      },
      ...Object.entries(settlement.charges).map(([month, usd]) => ({
        Update: {
          TableName: this.options.tableName,
          Key: monthKey(cluster.team, month),
          UpdateExpression:
            'ADD #usd :usd SET #team = :team, #month = :month, #updatedAt = :now, #ttl = :ttl',
          ExpressionAttributeNames: {
            '#usd': 'usd',
            '#team': 'spendTeam',
            '#month': 'month',
            '#updatedAt': 'updatedAt',
            '#ttl': 'ttl',
          },
          ExpressionAttributeValues: {
            ':usd': usd,
            ':team': cluster.team,
            ':month': month,
            ':now': now.toISOString(),
            ':ttl': Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
          },
        },
      })),
    ];
    try {
      if (items.length === 1 && items[0]?.Update) await this.db.send(new UpdateCommand(items[0].Update));
      else await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const stale =
        error instanceof ConditionalCheckFailedException ||
        (error instanceof TransactionCanceledException &&
          error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed');
      if (stale)
        throw new StaleRecordError(`The spend of cluster ${cluster.clusterId} was settled meanwhile.`);
      throw error;
    }
  }

  async teamMonth(team: string, month: string): Promise<TeamMonthSpend> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.options.tableName, Key: monthKey(team, month), ConsistentRead: true }),
    );
    const notified = Object.fromEntries(
      Object.entries(Item ?? {}).flatMap(([name, value]) =>
        name.startsWith('notified') && typeof value === 'string'
          ? [[name.slice('notified'.length), value]]
          : [],
      ),
    );
    return { team, month, usd: typeof Item?.usd === 'number' ? Item.usd : 0, notified };
  }

  async markNotified(team: string, month: string, threshold: number, at: string): Promise<boolean> {
    const attribute = `notified${threshold}`;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: monthKey(team, month),
          UpdateExpression:
            'SET #notified = :at, #team = :team, #month = :month, #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#notified)',
          ExpressionAttributeNames: {
            '#notified': attribute,
            '#team': 'spendTeam',
            '#month': 'month',
            '#ttl': 'ttl',
          },
          ExpressionAttributeValues: {
            ':at': at,
            ':team': team,
            ':month': month,
            ':ttl': Math.floor(Date.parse(at) / 1000) + RETENTION_SECONDS,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
