/**
 * The audit table (resources/notifications.yml), append-only:
 *
 *   pk = TEAM#<team>   sk = <at>#<hash of the entry>   one entry
 *
 * Indexes: `by-cluster` (clusterKey = <team>#<clusterId>, sk) for one cluster's entries, `by-time`
 * (entity = AUDIT, sk) for an admin reading every team's. Every put is conditional on the key being
 * new (the same entry written twice, by a retried stream batch, is kept once), and no role of the control plane may update or delete an item (resources/*-roles.yml):
 * entries leave only through their TTL, 400 days after they were written.
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  PutCommand,
  QueryCommand,
  type DynamoDocumentClient,
} from './aws/dynamodb.ts';
import {
  AUDIT_RETENTION_DAYS,
  type AuditEntry,
  type AuditLog,
  type AuditQuery,
} from '../core/audit/entry.ts';
import type { Page } from '../core/ports.ts';
import type { PageTokens } from './page-tokens.ts';

const ENTRY_FIELDS = [
  'at',
  'actor',
  'team',
  'action',
  'clusterId',
  'target',
  'outcome',
  'requestId',
  'actorTeam',
  'detail',
] as const;

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDocumentClient,
    private readonly options: { tableName: string; pageTokens: PageTokens },
  ) {}

  async append(entries: readonly AuditEntry[]): Promise<void> {
    for (const entry of entries) {
      const sk = `${entry.at}#${createHash('sha256').update(JSON.stringify(entry)).digest('hex').slice(0, 16)}`;
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: {
              ...entry,
              pk: `TEAM#${entry.team}`,
              sk,
              entity: 'AUDIT',
              ...(entry.clusterId ? { clusterKey: `${entry.team}#${entry.clusterId}` } : {}),
              ttl: Math.floor(Date.parse(entry.at) / 1000) + AUDIT_RETENTION_DAYS * 86400,
            },
            // Append-only: an existing entry is never overwritten.
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        // A retried put that had landed: the entry is there.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  async list(query: AuditQuery): Promise<Page<AuditEntry>> {
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    let index: string | undefined;
    let key: string;
    let filter: string | undefined;
    if (query.team && query.clusterId) {
      index = 'by-cluster';
      key = 'clusterKey = :key';
      values[':key'] = `${query.team}#${query.clusterId}`;
    } else if (query.team) {
      key = 'pk = :key';
      values[':key'] = `TEAM#${query.team}`;
    } else {
      index = 'by-time';
      key = 'entity = :key';
      values[':key'] = 'AUDIT';
      if (query.clusterId) {
        filter = 'clusterId = :cluster';
        values[':cluster'] = query.clusterId;
      }
    }
    if (query.since) {
      key += ' AND sk >= :since';
      values[':since'] = query.since;
    }
    const bound = `audit|${query.team ?? '*'}|${query.clusterId ?? '*'}|${query.since ?? '*'}`;
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined = await this.options.pageTokens.decode(
      query.nextToken,
      bound,
    );
    do {
      const { Items = [], LastEvaluatedKey } = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          ...(index ? { IndexName: index } : {}),
          KeyConditionExpression: key,
          ...(filter ? { FilterExpression: filter } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...Items);
      startKey = LastEvaluatedKey;
    } while (startKey && items.length < query.limit);
    const nextToken = await this.options.pageTokens.encode(startKey, bound);
    return { items: items.map(fromItem), ...(nextToken ? { nextToken } : {}) };
  }
}

function fromItem(item: Record<string, unknown>): AuditEntry {
  const entry: Record<string, unknown> = {};
  for (const field of ENTRY_FIELDS) if (item[field] !== undefined) entry[field] = item[field];
  return entry as unknown as AuditEntry;
}
