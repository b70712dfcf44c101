/**
 * scripts/migrate-cluster-keys.ts against the emulator's table: records of the old layout
 * (pk = CLUSTER#<id>) move under their team, with their timelines, and the API then finds them;
 * clusters a workflow owns and conflicting ids stay; a second run changes nothing. Live clusters
 * get their stack-name claim (docs/adr/0016-tenancy-by-team.md).
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clusterPk, stackNameClaimKey } from '../../adapters/cluster-store.ts';
import { CREATE_DEFAULTS } from '../../core/cluster/request.ts';
import { migrateClusterKeys } from '../../scripts/migrate-cluster-keys.ts';
import { call, emulator, tokenFor, uniqueId } from '../support/local-api.ts';

const TABLE = 'det-control-plane-local-clusters';
const TEAM = 'migrate';

function legacyRecord(clusterId: string, status: string, version = 3) {
  return {
    pk: `CLUSTER#${clusterId}`,
    sk: 'CLUSTER',
    entity: 'cluster',
    createdKey: `2026-01-02T03:04:05.000Z#${clusterId}`,
    clusterId,
    team: TEAM,
    owner: 'old-owner',
    deploymentType: 'simple',
    status,
    parameters: { ...CREATE_DEFAULTS, keypair: 'demo-key', region: 'us-east-1', idleTimeout: '1h', tags: {} },
    stackOutputs: '[]',
    createdAt: '2026-01-02T03:04:05.000Z',
    updatedAt: '2026-01-02T03:04:05.000Z',
    version,
    idle: { idleTimeout: '1h' },
  };
}

const put = (item: Record<string, unknown>) =>
  emulator.dynamo().send(new PutCommand({ TableName: TABLE, Item: item }));
const itemsOf = async (pk: string) =>
  (
    await emulator.dynamo().send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    )
  ).Items ?? [];

describe('the cluster-key migration', () => {
  it('moves records and timelines under their team, leaves owned and conflicting ones, and runs again safely', async () => {
    const [done, busy, clash] = [uniqueId('mig-done'), uniqueId('mig-busy'), uniqueId('mig-clash')];
    await put(legacyRecord(done, 'DELETED'));
    for (const [index, at] of ['2026-01-02T03:04:06.000Z', '2026-01-02T03:05:00.000Z'].entries())
      await put({
        pk: `CLUSTER#${done}`,
        sk: `EVENT#${at}#e${index}`,
        at,
        source: 'control-plane',
        kind: 'note',
        message: `old entry ${index}`,
      });
    await put(legacyRecord(busy, 'UPDATING'));
    await put(legacyRecord(clash, 'READY'));
    await put({ ...legacyRecord(clash, 'READY', 9), pk: clusterPk({ team: TEAM, clusterId: clash }) });
    const db = emulator.dynamo();

    const dry = await migrateClusterKeys(db, TABLE, { dryRun: true });
    expect(dry.moved).toContain(`${TEAM}/${done}`);
    expect(await itemsOf(`CLUSTER#${done}`)).toHaveLength(3);

    const report = await migrateClusterKeys(db, TABLE);
    expect(report.moved).toContain(`${TEAM}/${done}`);
    expect(report.inProgress).toContain(`${TEAM}/${busy}`);
    expect(report.conflicts).toContain(`${TEAM}/${clash}`);

    expect(await itemsOf(`CLUSTER#${done}`)).toEqual([]);
    const moved = await itemsOf(clusterPk({ team: TEAM, clusterId: done }));
    expect(moved.map((item) => item.sk).sort()).toEqual([
      'CLUSTER',
      'EVENT#2026-01-02T03:04:06.000Z#e0',
      'EVENT#2026-01-02T03:05:00.000Z#e1',
    ]);
    expect(await itemsOf(`CLUSTER#${busy}`)).toHaveLength(1);
    expect(await itemsOf(`CLUSTER#${clash}`)).toHaveLength(1);
    const { Item: kept } = await db.send(
      new GetCommand({
        TableName: TABLE,
        Key: { pk: clusterPk({ team: TEAM, clusterId: clash }), sk: 'CLUSTER' },
      }),
    );
    expect(kept?.version).toBe(9);

    // The team reads its moved cluster and its history through the API; another team does not.
    const token = await tokenFor(TEAM);
    const read = await call('GET', `/clusters/${done}`, { token });
    expect(read.body).toMatchObject({ clusterId: done, team: TEAM, owner: 'old-owner', status: 'DELETED' });
    const events = await call('GET', `/clusters/${done}/events`, { token });
    expect(events.body.items.map((entry: { message: string }) => entry.message)).toEqual([
      'old entry 1',
      'old entry 0',
    ]);
    expect((await call('GET', `/clusters/${done}`, { token: await tokenFor('someone-else') })).status).toBe(
      404,
    );

    const again = await migrateClusterKeys(db, TABLE);
    expect(again.moved).not.toContain(`${TEAM}/${done}`);
    expect(again.inProgress).toContain(`${TEAM}/${busy}`);
  }, 60_000);

  it('claims the stack name of each live cluster it moves, and reports a name another live cluster holds', async () => {
    const db = emulator.dynamo();
    const [live, held] = [uniqueId('mig-live'), uniqueId('mig-held')];
    await put(legacyRecord(live, 'READY'));
    await put(legacyRecord(held, 'READY'));
    const holder = clusterPk({ team: 'mig-other', clusterId: held });
    await put({ ...legacyRecord(held, 'READY'), pk: holder, team: 'mig-other' });
    await put({ ...stackNameClaimKey(held), claimedBy: holder });

    const report = await migrateClusterKeys(db, TABLE);
    expect(report.claimed).toContain(`${TEAM}/${live}`);
    expect(report.nameConflicts).toContain(`${TEAM}/${held}`);
    expect(report.moved).toEqual(expect.arrayContaining([`${TEAM}/${live}`, `${TEAM}/${held}`]));
    const claimOf = async (stack: string) =>
      (await db.send(new GetCommand({ TableName: TABLE, Key: stackNameClaimKey(stack) }))).Item;
    expect((await claimOf(live))?.claimedBy).toBe(clusterPk({ team: TEAM, clusterId: live }));
    expect((await claimOf(held))?.claimedBy).toBe(holder);
    const { Item: moved } = await db.send(
      new GetCommand({
        TableName: TABLE,
        Key: { pk: clusterPk({ team: TEAM, clusterId: live }), sk: 'CLUSTER' },
      }),
    );
    expect(moved?.stackName).toBe(live);

    // Another team cannot take the moved cluster's id while it lives.
    const taken = await call('POST', '/clusters', {
      token: await tokenFor('mig-other'),
      body: { clusterId: live, keypair: 'demo-key' },
    });
    expect(taken.status).toBe(409);
    expect(taken.text).not.toContain(TEAM);
  }, 30_000);

  it('finishes a run that was cut short after the record was copied', async () => {
    const id = uniqueId('mig-half');
    const record = legacyRecord(id, 'READY');
    await put(record);
    await put({ ...record, pk: clusterPk({ team: TEAM, clusterId: id }) });
    const report = await migrateClusterKeys(emulator.dynamo(), TABLE);
    expect(report.moved).toContain(`${TEAM}/${id}`);
    expect(await itemsOf(`CLUSTER#${id}`)).toEqual([]);
    expect(await itemsOf(clusterPk({ team: TEAM, clusterId: id }))).toHaveLength(1);
  }, 30_000);
});
