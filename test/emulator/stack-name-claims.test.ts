/**
 * The cross-team claim on a live stack name (adapters/cluster-store.ts, docs/adr/0016-tenancy-by-team.md)
 * against the emulator's table: written in the transaction that inserts the record, refused to
 * another team while its holder lives (a generic 409, nothing written), taken over once the holder
 * is DELETED or gone, and kept by the same cluster when it is re-created.
 */
import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDocumentClient } from '../../adapters/aws/dynamodb.ts';
import {
  clusterKey,
  clusterPk,
  DynamoClusterStore,
  stackNameClaimKey,
} from '../../adapters/cluster-store.ts';
import { PageTokens } from '../../adapters/page-tokens.ts';
import type { ClusterRecord } from '../../core/cluster/model.ts';
import { CREATE_DEFAULTS } from '../../core/cluster/request.ts';
import { ConflictError } from '../../core/errors.ts';
import { emulator, emulatorUrl, uniqueId } from '../support/local-api.ts';

const TABLE = 'det-control-plane-local-clusters';

describe('the stack-name claim', () => {
  let store: DynamoClusterStore;
  const db = () => emulator.dynamo();

  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    const key = randomBytes(32);
    store = new DynamoClusterStore(
      new DynamoDocumentClient({ region: 'us-east-1', endpoint: emulatorUrl() }),
      {
        tableName: TABLE,
        deletedRetentionDays: 1,
        now: () => new Date(),
        pageTokens: new PageTokens(async () => key),
      },
    );
  });

  const record = (team: string, clusterId: string, version = 1): ClusterRecord => ({
    clusterId,
    team,
    owner: `${team}-user`,
    deploymentType: 'simple',
    status: 'CREATING',
    parameters: {
      ...CREATE_DEFAULTS,
      clusterId,
      keypair: 'demo-key',
      region: 'us-east-1',
      idleTimeout: '1h',
      tags: {},
    } as unknown as ClusterRecord['parameters'],
    outputs: {},
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    version,
    idle: { idleTimeout: '1h' },
  });
  const holderOf = async (stack: string) =>
    (await db().send(new GetCommand({ TableName: TABLE, Key: stackNameClaimKey(stack) }))).Item?.claimedBy;
  const setStatus = (team: string, clusterId: string, status: string) =>
    db().send(
      new UpdateCommand({
        TableName: TABLE,
        Key: clusterKey({ team, clusterId }),
        UpdateExpression: 'SET #status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
      }),
    );

  it('is written with the record, and refuses another team while the holder lives, writing nothing', async () => {
    const id = uniqueId('claim-live');
    await store.insert(record('claim-a', id), { maxClusters: 100, stackName: id });
    expect(await holderOf(id)).toBe(clusterPk({ team: 'claim-a', clusterId: id }));
    expect((await store.get({ team: 'claim-a', clusterId: id }))?.status).toBe('CREATING');

    for (const status of ['CREATING', 'READY', 'CREATE_FAILED', 'DELETING', 'DELETE_FAILED']) {
      await setStatus('claim-a', id, status);
      const refused = store.insert(record('claim-b', id), { maxClusters: 100, stackName: id });
      await expect(refused).rejects.toThrow(ConflictError);
      await expect(refused).rejects.toThrow(`Cluster id ${id} is not available; choose another id.`);
    }
    expect(await store.get({ team: 'claim-b', clusterId: id })).toBeUndefined();
    expect(await holderOf(id)).toBe(clusterPk({ team: 'claim-a', clusterId: id }));
  });

  it('is taken over once its holder is DELETED (a release that never ran) or gone', async () => {
    const [deleted, gone] = [uniqueId('claim-deleted'), uniqueId('claim-gone')];
    for (const id of [deleted, gone])
      await store.insert(record('claim-a', id), { maxClusters: 100, stackName: id });
    await setStatus('claim-a', deleted, 'DELETED');
    await db().send(
      new DeleteCommand({ TableName: TABLE, Key: clusterKey({ team: 'claim-a', clusterId: gone }) }),
    );

    for (const id of [deleted, gone]) {
      await store.insert(record('claim-b', id), { maxClusters: 100, stackName: id });
      expect(await holderOf(id)).toBe(clusterPk({ team: 'claim-b', clusterId: id }));
      const fresh = await store.get({ team: 'claim-b', clusterId: id });
      expect(fresh).toMatchObject({ team: 'claim-b', owner: 'claim-b-user', version: 1 });
    }
    // The first team's torn-down record stays its own.
    expect((await store.get({ team: 'claim-a', clusterId: deleted }))?.owner).toBe('claim-a-user');
  });

  it('stays with a cluster that its own team re-creates', async () => {
    const id = uniqueId('claim-again');
    const first = record('claim-a', id);
    await store.insert(first, { maxClusters: 100, stackName: id });
    await setStatus('claim-a', id, 'CREATE_FAILED');
    await store.insert(record('claim-a', id, 2), {
      replacing: { ...first, status: 'CREATE_FAILED' },
      maxClusters: 100,
      stackName: id,
    });
    expect((await store.get({ team: 'claim-a', clusterId: id }))?.version).toBe(2);
    expect(await holderOf(id)).toBe(clusterPk({ team: 'claim-a', clusterId: id }));
    // The record says which name it holds (the delete workflow releases that one), not the API.
    const { Item } = await db().send(
      new GetCommand({ TableName: TABLE, Key: clusterKey({ team: 'claim-a', clusterId: id }) }),
    );
    expect(Item?.stackName).toBe(id);
    expect(await store.get({ team: 'claim-a', clusterId: id })).not.toHaveProperty('stackName');
  });
});
