/**
 * The cluster table (one DynamoDB table, single-table layout; docs/adr/0004-cluster-table.md and
 * docs/adr/0016-tenancy-by-team.md):
 *
 *   pk = CLUSTER#<team>#<id>  sk = CLUSTER              the cluster record
 *   pk = CLUSTER#<team>#<id>  sk = EVENT#<at>#<suffix>  its timeline
 *   pk = TEAM#<team>          sk = QUOTA                how many clusters the team holds
 *   pk = STACKNAME#<stack>    sk = STACKNAME            which live cluster holds a stack name
 *   pk = IDEMPOTENCY#…        sk = IDEMPOTENCY          see idempotency-store.ts
 *
 * Teams match core/principal.ts's TEAM (no "#"), ids CLUSTER_ID, so a key names one cluster only.
 * Indexes: `by-team` (team, createdKey) and `by-created` (entity, createdKey) list newest first;
 * `reapable` (reapShard, clusterId) is sparse and holds only READY and STOPPED clusters (the shard
 * is the status), for the reaper;
 * `by-stack` (stackId, keys only) maps a stack back to its cluster, for the stack-event relay;
 * `unsettled` (spendShard, pk) is sparse and holds the clusters whose spend is open (adapters/spend-ledger.ts).
 * The workflows in statemachines/ write the same attributes through direct DynamoDB integrations.
 * Page tokens are opaque (adapters/page-tokens.ts).
 */
import { CLUSTER_RECORD, deletedRecordExpiry, reapShardOf } from '../core/names/shared.ts';
import {
  ConditionalCheckFailedException,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDocumentClient,
} from './aws/dynamodb.ts';
import type { ClusterRecord } from '../core/cluster/model.ts';
import { STACK_NAME_CLAIM, type ClusterRef } from '../core/cluster/naming.ts';
import { IN_PROGRESS, type ClusterStatus } from '../core/cluster/status.ts';
import { ConflictError, QuotaExceededError, StaleRecordError } from '../core/errors.ts';
import type { ClusterChanges, ClusterStore, Page } from '../core/ports.ts';
import type { NewTimelineEntry, TimelineEntry } from '../core/timeline.ts';
import type { PageTokens } from './page-tokens.ts';
import { camelCaseOutputs } from './stack-outputs.ts';

export const CLUSTER_SK = CLUSTER_RECORD.sk;
export const clusterPk = (cluster: ClusterRef) => CLUSTER_RECORD.pk.format(cluster);
export const clusterKey = (cluster: ClusterRef) => ({ pk: clusterPk(cluster), sk: CLUSTER_SK });
const teamQuotaKey = (team: string) => ({ pk: `TEAM#${team}`, sk: 'QUOTA' });
export const stackNameClaimKey = (stackName: string) => ({
  pk: `${STACK_NAME_CLAIM.pkPrefix}${stackName}`,
  sk: STACK_NAME_CLAIM.sk,
});
/** The reaper's sparse index holds READY and STOPPED clusters, each status its own shard. */
export const SPEND_SHARD = 'OPEN';
const EVENT_PREFIX = 'EVENT#';

/** Attributes that exist only for keys, indexes and the workflows; never part of the record. */
const STORAGE_ATTRIBUTES = [
  'pk',
  'sk',
  'entity',
  'createdKey',
  'reapShard',
  'spendShard',
  'ttl',
  'stackOutputs',
  'waitToken',
  'stackName',
  'claimedBy',
] as const;

export interface ClusterStoreOptions {
  tableName: string;
  /** How long a DELETED record stays readable before DynamoDB TTL removes it. */
  deletedRetentionDays: number;
  now: () => Date;
  pageTokens: PageTokens;
}

export class DynamoClusterStore implements ClusterStore {
  constructor(
    private readonly db: DynamoDocumentClient,
    private readonly options: ClusterStoreOptions,
  ) {}

  async get(cluster: ClusterRef): Promise<ClusterRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.options.tableName, Key: clusterKey(cluster), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async insert(
    record: ClusterRecord,
    options: { replacing?: ClusterRecord; maxClusters: number; stackName: string },
  ): Promise<void> {
    const { replacing, stackName } = options;
    const item = { ...toItem(record), stackName };
    const put = {
      TableName: this.options.tableName,
      Item: item,
      ConditionExpression: replacing
        ? '#status = :replacedStatus AND #version = :replacedVersion'
        : 'attribute_not_exists(pk)',
      ExpressionAttributeNames: replacing ? { '#status': 'status', '#version': 'version' } : undefined,
      ExpressionAttributeValues: replacing
        ? { ':replacedStatus': replacing.status, ':replacedVersion': replacing.version }
        : undefined,
    };
    // A failed cluster still counts against the quota, so re-creating it needs no new slot.
    const quota =
      replacing && replacing.status !== 'DELETED'
        ? undefined
        : {
            TableName: this.options.tableName,
            Key: teamQuotaKey(record.team),
            UpdateExpression: 'ADD #active :one',
            ConditionExpression: 'attribute_not_exists(#active) OR #active < :max',
            ExpressionAttributeNames: { '#active': 'active' },
            ExpressionAttributeValues: { ':one': 1, ':max': options.maxClusters },
          };
    const holder = clusterPk(record);
    // A claim held by a cluster that is DELETED or gone is free: taken over on the second attempt.
    let stale: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const claim = {
        TableName: this.options.tableName,
        Item: { ...stackNameClaimKey(stackName), [STACK_NAME_CLAIM.holder]: holder },
        ConditionExpression: `attribute_not_exists(pk) OR #holder = :me${stale ? ' OR #holder = :stale' : ''}`,
        ExpressionAttributeNames: { '#holder': STACK_NAME_CLAIM.holder },
        ExpressionAttributeValues: { ':me': holder, ...(stale ? { ':stale': stale } : {}) },
      };
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: put }, { Put: claim }, ...(quota ? [{ Update: quota }] : [])],
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [cluster, name, slot] = error.CancellationReasons ?? [];
        if (cluster?.Code === 'ConditionalCheckFailed') throw taken(record.clusterId);
        if (name?.Code === 'ConditionalCheckFailed') {
          stale = attempt === 0 ? await this.staleHolder(stackName) : undefined;
          if (stale) continue;
          throw notAvailable(record.clusterId);
        }
        if (slot?.Code === 'ConditionalCheckFailed') {
          throw new QuotaExceededError(
            `Team ${record.team} already holds ${options.maxClusters} clusters, its quota.`,
          );
        }
        throw error;
      }
    }
    throw notAvailable(record.clusterId);
  }

  /** The holder of a stack name's claim when that cluster no longer lives (DELETED or expired). */
  private async staleHolder(stackName: string): Promise<string | undefined> {
    const { Item: claim } = await this.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: stackNameClaimKey(stackName),
        ConsistentRead: true,
      }),
    );
    const holder = claim?.[STACK_NAME_CLAIM.holder];
    if (typeof holder !== 'string') return undefined;
    const { Item: record } = await this.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { pk: holder, sk: CLUSTER_SK },
        ConsistentRead: true,
      }),
    );
    return !record || record.status === 'DELETED' ? holder : undefined;
  }

  async update(
    cluster: ClusterRef,
    expect: { version: number; statuses?: readonly ClusterStatus[] },
    changes: ClusterChanges,
  ): Promise<ClusterRecord> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expectedVersion': expect.version };
    let condition = '#version = :expectedVersion';
    if (expect.statuses) {
      names['#status'] = 'status';
      const placeholders = expect.statuses.map((status, index) => {
        values[`:expected${index}`] = status;
        return `:expected${index}`;
      });
      condition += ` AND #status IN (${placeholders.join(', ')})`;
    }
    try {
      return await this.write(cluster, { condition, names, values }, changes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new StaleRecordError(
          `Cluster ${cluster.clusterId} changed while this request ran; read it again and retry.`,
        );
      }
      throw error;
    }
  }

  async releaseUnclaimed(
    cluster: ClusterRef,
    expect: { status: ClusterStatus; execution: string },
    changes: ClusterChanges,
  ): Promise<boolean> {
    // The claim (statemachines/src/record.ts claimRecord) is the workflow's first write: once it is
    // there, the workflow runs and this release must not apply.
    const condition =
      '#status = :inProgress AND #execution = :execution AND (attribute_not_exists(#claimedBy) OR #claimedBy <> :execution)';
    try {
      await this.write(
        cluster,
        {
          condition,
          names: { '#status': 'status', '#execution': 'execution', '#claimedBy': 'claimedBy' },
          values: { ':inProgress': expect.status, ':execution': expect.execution },
        },
        changes,
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** A conditional write of `changes` that bumps the version (and keeps the reaper's shard in step). */
  private async write(
    cluster: ClusterRef,
    expect: { condition: string; names: Record<string, string>; values: Record<string, unknown> },
    changes: ClusterChanges,
  ): Promise<ClusterRecord> {
    const names: Record<string, string> = {
      ...expect.names,
      '#version': 'version',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = {
      ...expect.values,
      ':one': 1,
      ':now': this.options.now().toISOString(),
    };
    const set = ['#version = #version + :one', '#updatedAt = :now'];
    const remove: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) remove.push(`#${field}`);
      else {
        values[`:${field}`] = value;
        set.push(`#${field} = :${field}`);
      }
    }
    if (changes.status) {
      names['#reapShard'] = 'reapShard';
      const shard = reapShardOf(changes.status);
      if (shard) {
        values[':reapShard'] = shard;
        set.push('#reapShard = :reapShard');
      } else remove.push('#reapShard');
      if (changes.status === 'DELETED') {
        names['#ttl'] = 'ttl';
        values[':ttl'] = deletedRecordExpiry(this.options.now(), this.options.deletedRetentionDays);
        set.push('#ttl = :ttl');
      }
    }
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: clusterKey(cluster),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: expect.condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromItem(Attributes ?? {});
  }

  async list(query: {
    team?: string;
    status?: ClusterStatus;
    limit: number;
    nextToken?: string;
  }): Promise<Page<ClusterRecord>> {
    const byTeam = query.team !== undefined;
    const names: Record<string, string> = byTeam ? { '#pk': 'team' } : { '#pk': 'entity' };
    const values: Record<string, unknown> = { ':pk': byTeam ? query.team : 'cluster' };
    let filter: string | undefined;
    if (query.status) {
      names['#status'] = 'status';
      values[':status'] = query.status;
      filter = '#status = :status';
    } else {
      // DELETED clusters are history: listed only when asked for by status.
      names['#status'] = 'status';
      values[':deleted'] = 'DELETED';
      filter = '#status <> :deleted';
    }
    const page = await this.queryPage({
      query: `${byTeam ? `by-team|${query.team}` : 'by-created'}|${query.status ?? ''}`,
      IndexName: byTeam ? 'by-team' : 'by-created',
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: filter,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      limit: query.limit,
      nextToken: query.nextToken,
    });
    return { items: page.items.map(fromItem), nextToken: page.nextToken };
  }

  /**
   * Every record in an in-progress status, for the watchdog's stranded-record sweep
   * (core/workflow/stranded.ts): the by-created index, filtered, all pages, no page tokens.
   */
  async inProgress(): Promise<ClusterRecord[]> {
    const names: Record<string, string> = { '#pk': 'entity', '#status': 'status' };
    const values: Record<string, unknown> = { ':pk': 'cluster' };
    const placeholders = IN_PROGRESS.map((status, index) => {
      values[`:s${index}`] = status;
      return `:s${index}`;
    });
    const found: ClusterRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: 'by-created',
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: `#status IN (${placeholders.join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...Items.map(fromItem));
      startKey = LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async appendEvent(cluster: ClusterRef, entry: NewTimelineEntry): Promise<void> {
    const id = `${Math.random().toString(36).slice(2, 8)}`;
    await this.db.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          pk: clusterPk(cluster),
          sk: `${EVENT_PREFIX}${entry.at}#${id}`,
          ...entry,
          ttl: Math.floor(Date.parse(entry.at) / 1000) + 400 * 86400,
        },
      }),
    );
  }

  async listEvents(
    cluster: ClusterRef,
    query: { limit: number; after?: { at: string; id: string } },
  ): Promise<TimelineEntry[]> {
    // The sort key is EVENT#<at>#<id>, so "after the cursor" in timeline order is "sk below it".
    const upper = query.after
      ? `${EVENT_PREFIX}${query.after.at}#${query.after.id}`
      : `${EVENT_PREFIX}\uffff`;
    const page = await this.queryPage({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
      ExpressionAttributeValues: { ':pk': clusterPk(cluster), ':lower': EVENT_PREFIX, ':upper': upper },
      ScanIndexForward: false,
      limit: query.limit + 1,
    });
    return page.items
      .map(
        ({ pk: _pk, sk, ttl: _ttl, ...entry }) =>
          ({ ...entry, id: String(sk).split('#').at(-1) ?? '' }) as TimelineEntry,
      )
      .filter((entry) => !query.after || entry.at !== query.after.at || entry.id !== query.after.id)
      .slice(0, query.limit);
  }

  async listReapable(query: {
    limit: number;
    nextToken?: string;
    status?: 'READY' | 'STOPPED';
  }): Promise<Page<ClusterRecord>> {
    const shard = query.status ?? 'READY';
    const page = await this.queryPage({
      query: `reapable|${shard}`,
      IndexName: 'reapable',
      KeyConditionExpression: '#shard = :shard',
      ExpressionAttributeNames: { '#shard': 'reapShard' },
      ExpressionAttributeValues: { ':shard': shard },
      limit: query.limit,
      nextToken: query.nextToken,
    });
    return { items: page.items.map(fromItem), nextToken: page.nextToken };
  }

  /** One page of a query; a FilterExpression may thin a page, so keep reading until it is full. */
  private async queryPage(input: {
    /** What the page token is bound to; events pages have none (the timeline has its own cursor). */
    query?: string;
    IndexName?: string;
    KeyConditionExpression: string;
    FilterExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
    ScanIndexForward?: boolean;
    limit: number;
    nextToken?: string;
  }): Promise<Page<Record<string, unknown>>> {
    const { limit, nextToken, query: bound = '', ...query } = input;
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined = await this.options.pageTokens.decode(
      nextToken,
      bound,
    );
    do {
      const { Items = [], LastEvaluatedKey } = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          ...query,
          Limit: limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...Items);
      startKey = LastEvaluatedKey;
    } while (startKey && items.length < limit);
    // Only lists hand out tokens (the timeline has its own cursor): encode only when asked to.
    return { items, nextToken: bound ? await this.options.pageTokens.encode(startKey, bound) : undefined };
  }
}

/**
 * Another cluster (of any team) holds the stack name: nothing about it is said, not its team, owner
 * or status (docs/adr/0016-tenancy-by-team.md).
 */
function notAvailable(clusterId: string): ConflictError {
  return new ConflictError(`Cluster id ${clusterId} is not available; choose another id.`);
}

/** Only ever about the caller's own team's cluster: the key holds the team. */
function taken(clusterId: string): ConflictError {
  return new ConflictError(
    `Cluster id ${clusterId} is taken; choose another id or delete the existing cluster.`,
  );
}

export function toItem(record: ClusterRecord): Record<string, unknown> {
  const { outputs, ...stored } = record;
  return {
    ...clusterKey(record),
    entity: 'cluster',
    createdKey: `${record.createdAt}#${record.clusterId}`,
    ...stored,
    stackOutputs: JSON.stringify(
      Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    ),
    ...(reapShardOf(record.status) ? { reapShard: record.status } : {}),
    ...(record.spend && record.spend.status !== 'DELETED' ? { spendShard: SPEND_SHARD } : {}),
  };
}

export function fromItem(item: Record<string, unknown>): ClusterRecord {
  const record = Object.fromEntries(
    Object.entries(item).filter(
      ([attribute]) => !(STORAGE_ATTRIBUTES as readonly string[]).includes(attribute),
    ),
  );
  const cluster = { ...(record as unknown as ClusterRecord), outputs: camelCaseOutputs(item.stackOutputs) };
  // The delete workflow writes every retained field, empty when that data was not kept.
  if (cluster.retained) {
    const kept = Object.fromEntries(Object.entries(cluster.retained).filter(([, value]) => value !== ''));
    if (Object.keys(kept).length > 0) cluster.retained = kept;
    else delete cluster.retained;
  }
  return cluster;
}
