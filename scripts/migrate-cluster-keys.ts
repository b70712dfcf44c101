/**
 * Moves cluster records and their timelines from the old key layout (pk = CLUSTER#<id>) to the one
 * namespaced by team (pk = CLUSTER#<team>#<id>; docs/adr/0016-tenancy-by-team.md). Run it right
 * after deploying the version that reads the new layout:
 *
 *   npx tsx scripts/migrate-cluster-keys.ts --table <stack>-clusters [--region us-east-1] [--dry-run]
 *
 * Safe to run again: a cluster already moved is recognised and only its leftovers are removed.
 * A cluster that a workflow still owns (CREATING, UPDATING, DELETING) is left where it is: that
 * workflow started under the old definitions and writes the old key until it ends; run the script
 * again once it has. A new-layout record of the same team and id that is not this one (the team
 * created the id again meanwhile) is a conflict: both are left as they are and reported.
 *
 * A live cluster (any status but DELETED) it moves also gets its stack-name claim
 * (`STACKNAME#<prefix><id>`, core/cluster/naming.ts; docs/adr/0016-tenancy-by-team.md), so that no
 * other team can create the id while it lives; pass the deployment's `--stack-prefix`
 * (`detcp-<stage>-` on AWS, empty by default). A name another live cluster holds already is
 * reported under `nameConflicts`: the cluster still moves, without a claim, and an operator decides.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient as DocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { clusterPk, CLUSTER_SK, stackNameClaimKey } from '../adapters/cluster-store.ts';
import { STACK_NAME_CLAIM, STACK_PREFIX, stackName } from '../core/cluster/naming.ts';
import { IN_PROGRESS, type ClusterStatus } from '../core/cluster/status.ts';

type Item = Record<string, unknown>;

export interface MigrationReport {
  moved: string[];
  events: number;
  inProgress: string[];
  conflicts: string[];
  /** Live clusters whose stack name is now claimed for them. */
  claimed: string[];
  /** Live clusters whose stack name another live cluster holds: moved, not claimed. */
  nameConflicts: string[];
  /** Old-layout timelines whose record is gone (expired): the team is unknown, so they stay. */
  orphans: string[];
}

/** pk = CLUSTER#<id> with no team in it. */
const isLegacyPk = (pk: unknown): pk is string =>
  typeof pk === 'string' && pk.startsWith('CLUSTER#') && pk.split('#').length === 2;

async function legacyItems(db: DocumentClient, table: string): Promise<Map<string, Item[]>> {
  const byPk = new Map<string, Item[]>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(pk, :cluster)',
        ExpressionAttributeValues: { ':cluster': 'CLUSTER#' },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      if (!isLegacyPk(item.pk)) continue;
      byPk.set(item.pk, [...(byPk.get(item.pk) ?? []), item]);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return byPk;
}

export async function migrateClusterKeys(
  db: DocumentClient,
  table: string,
  options: { dryRun?: boolean; stackPrefix?: string } = {},
): Promise<MigrationReport> {
  const prefix = options.stackPrefix ?? '';
  if (!STACK_PREFIX.test(prefix)) throw new Error(`not a stack prefix: "${prefix}"`);
  const report: MigrationReport = {
    moved: [],
    events: 0,
    inProgress: [],
    conflicts: [],
    claimed: [],
    nameConflicts: [],
    orphans: [],
  };
  for (const [oldPk, items] of await legacyItems(db, table)) {
    const record = items.find((item) => item.sk === CLUSTER_SK);
    const events = items.filter((item) => item !== record);
    if (!record || typeof record.team !== 'string' || typeof record.clusterId !== 'string') {
      report.orphans.push(oldPk);
      continue;
    }
    const name = `${record.team}/${record.clusterId}`;
    if (IN_PROGRESS.includes(record.status as ClusterStatus)) {
      report.inProgress.push(name);
      continue;
    }
    const newPk = clusterPk({ team: record.team, clusterId: record.clusterId });
    const { Item: existing } = await db.send(
      new GetCommand({ TableName: table, Key: { pk: newPk, sk: CLUSTER_SK }, ConsistentRead: true }),
    );
    const sameRecord =
      existing && existing.createdAt === record.createdAt && existing.version === record.version;
    if (existing && !sameRecord) {
      report.conflicts.push(name);
      continue;
    }
    report.moved.push(name);
    report.events += events.length;
    const live = record.status !== 'DELETED';
    if (options.dryRun) continue;
    const stack = stackName(prefix, record.clusterId);
    if (live) {
      const claimed = await claimStackName(db, table, stack, newPk);
      (claimed ? report.claimed : report.nameConflicts).push(name);
    }
    // Timeline first, the record last: a run cut short leaves the old record, and runs again.
    for (let start = 0; start < events.length; start += 25) {
      const batch = events
        .slice(start, start + 25)
        .map((event) => ({ PutRequest: { Item: { ...event, pk: newPk } } }));
      await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
    }
    if (!existing) {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...record, pk: newPk, ...(live ? { stackName: stack } : {}) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } else if (live) {
      // The delete workflow releases the claim named by the record's stackName.
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: newPk, sk: CLUSTER_SK },
          UpdateExpression: 'SET #stackName = if_not_exists(#stackName, :stack)',
          ExpressionAttributeNames: { '#stackName': 'stackName' },
          ExpressionAttributeValues: { ':stack': stack },
        }),
      );
    }
    for (let start = 0; start < events.length; start += 25) {
      const batch = events
        .slice(start, start + 25)
        .map((event) => ({ DeleteRequest: { Key: { pk: oldPk, sk: event.sk } } }));
      await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
    }
    // Only the record that was read: one a workflow changed meanwhile stays for the next run.
    await db.send(
      new DeleteCommand({
        TableName: table,
        Key: { pk: oldPk, sk: CLUSTER_SK },
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': record.version },
      }),
    );
  }
  return report;
}

/** Claim a stack name for a cluster, unless another cluster holds it; true when this one holds it. */
async function claimStackName(db: DocumentClient, table: string, stack: string, holder: string) {
  try {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...stackNameClaimKey(stack), [STACK_NAME_CLAIM.holder]: holder },
        ConditionExpression: 'attribute_not_exists(pk) OR #holder = :me',
        ExpressionAttributeNames: { '#holder': STACK_NAME_CLAIM.holder },
        ExpressionAttributeValues: { ':me': holder },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      table: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'stack-prefix': { type: 'string', default: '' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.table) {
    console.error(
      'usage: tsx scripts/migrate-cluster-keys.ts --table NAME [--stack-prefix detcp-<stage>-] [--region R] [--endpoint URL] [--dry-run]',
    );
    process.exit(2);
  }
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(values.region ? { region: values.region } : {}),
      ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    }),
  );
  const report = await migrateClusterKeys(db, values.table, {
    dryRun: values['dry-run'],
    stackPrefix: values['stack-prefix'],
  });
  console.log(JSON.stringify({ dryRun: values['dry-run'], ...report }, null, 2));
  if (report.inProgress.length > 0 || report.conflicts.length > 0 || report.nameConflicts.length > 0)
    process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
