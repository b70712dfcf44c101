/**
 * The upgrade workflow (statemachines/upgrade.asl.json) against the model of AWS in
 * aws-model/fake-aws.ts, in virtual time: agents that finish their work or never do, a snapshot that
 * takes minutes or fails, and a new master that migrates the database and then never answers, which
 * the previous version cannot run on (the model's master refuses a newer schema) until the
 * pre-upgrade snapshot is restored.
 */
import type { ClusterRecord } from '../../../core/cluster/model.ts';
import { toStackParameters } from '../../../core/cluster/stack-parameters.ts';
import { FakeAws, name, ownedStack, PARAMETERS, seed, stackOf, upgradeInput } from './fixtures.ts';

const FROM = PARAMETERS.determinedVersion; // 0.38.0
const TO = '0.38.1';

function setUp(clusterId: string) {
  const aws = new FakeAws();
  // Every parameter as the create sent it, at the previous version.
  const stack = ownedStack(
    aws,
    clusterId,
    toStackParameters(PARAMETERS, { secretName: 'det-control-plane/clusters/ml/secret' }),
  );
  const execution = name(clusterId, 'upgrade', aws);
  const now = new Date(aws.clock.now());
  const record: ClusterRecord = seed(aws, clusterId, {
    status: 'UPDATING',
    execution,
    stackId: stack.StackId,
    version: 4,
    pendingParameters: { ...PARAMETERS, determinedVersion: TO },
  });
  const input = upgradeInput(record, TO, { now });
  aws.apiUpdate(clusterId, {
    upgrade: {
      from: FROM,
      to: TO,
      snapshot: input.snapshot,
      requestedAt: now.toISOString(),
      requestedBy: 'ada',
    },
  });
  const masterId = stack.outputs?.MasterId ?? '';
  const database = stack.outputs?.DatabaseInstanceId ?? '';
  return { aws, stack, execution, input, masterId, database };
}

const callsOf = (aws: FakeAws, execution: string, action: string) =>
  aws.calls.filter((call) => call.execution === execution && call.action === action && !call.error);

describe('upgrade', () => {
  it('waits for the agents to finish, snapshots the database, then updates the version only: READY when the new master answers', async () => {
    const { aws, stack, execution, input, masterId, database } = setUp('ml-up');
    const agent = aws.addAgent(stackOf('ml-up'));
    aws.at(400, () => {
      const instance = aws.instance(agent);
      if (instance) instance.state = 'terminated';
    });

    const result = await aws.run('upgrade', input, execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { clusterId: 'ml-up', status: 'READY' } });
    const record = aws.cluster('ml-up');
    expect(record.status).toBe('READY');
    expect(record.parameters.determinedVersion).toBe(TO);
    expect(record.pendingParameters).toBeUndefined();
    expect(record.upgrade).toMatchObject({ from: FROM, to: TO, snapshot: input.snapshot });
    expect(record.upgrade?.snapshotTakenAt).toEqual(expect.any(String));
    expect(record.outputs.masterId).toBe(masterId);

    // The snapshot holds the database as the previous version left it; the live one is migrated.
    const snapshot = aws.snapshots.find((entry) => entry.DBSnapshotIdentifier === input.snapshot);
    expect(snapshot).toMatchObject({ DBInstanceIdentifier: database, Status: 'available', schema: FROM });
    expect(aws.database(database)?.schema).toBe(TO);
    expect(stack.parameters.DeterminedVersion).toBe(TO);
    expect(aws.bootReports.get(masterId)).toBe(`answered ${TO}`);

    // Work first, then the snapshot, then the stack: nothing is snapshotted while an agent runs.
    const [snapshotCall] = callsOf(aws, execution, 'rds:createDBSnapshot');
    expect(snapshotCall?.at).toBeGreaterThanOrEqual(400);
    const [update] = callsOf(aws, execution, 'cloudformation:updateStack');
    // The snapshot takes 120 s in the model: the stack waits for it.
    expect(update?.at).toBeGreaterThanOrEqual((snapshotCall?.at ?? Infinity) + 120);
    const sent = (update?.params.Parameters ?? []) as {
      ParameterKey: string;
      ParameterValue?: string;
      UsePreviousValue?: boolean;
    }[];
    // 0.38.0 and 0.38.1 share their agent images (core/cluster/determined-versions.json).
    expect(sent.filter((parameter) => parameter.ParameterValue !== undefined)).toEqual([
      { ParameterKey: 'DeterminedVersion', ParameterValue: TO },
    ]);
    expect(sent.filter((parameter) => parameter.UsePreviousValue).length).toBe(sent.length - 1);

    const kinds = aws.timeline('ml-up').map((entry) => entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['snapshot', 'upgraded']));
    expect(aws.timeline('ml-up')).toContainEqual(
      expect.objectContaining({
        kind: 'snapshot',
        message: expect.stringContaining(`The pre-upgrade database snapshot ${input.snapshot} is available`),
      }),
    );
    expect(callsOf(aws, execution, 'rds:restoreDBInstanceFromDBSnapshot')).toEqual([]);
  });

  it('gives up before changing anything when the agents never go idle: UPDATE_FAILED, the old version serving', async () => {
    const { aws, stack, execution, input, database } = setUp('ml-busy');
    aws.addAgent(stackOf('ml-busy'));

    const result = await aws.run('upgrade', { ...input, drainSeconds: 600 }, execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'ClusterUpgradeFailed' });
    const record = aws.cluster('ml-busy');
    expect(record.status).toBe('UPDATE_FAILED');
    expect(record.statusReason).toContain(
      `The upgrade to ${TO} did not start: agents were still running work after 600 seconds`,
    );
    expect(record.statusReason).toContain(`Nothing was changed; Determined ${FROM} still serves.`);
    expect(record.parameters.determinedVersion).toBe(FROM);
    expect(record.pendingParameters).toBeUndefined();
    expect(callsOf(aws, execution, 'rds:createDBSnapshot')).toEqual([]);
    expect(callsOf(aws, execution, 'cloudformation:updateStack')).toEqual([]);
    expect(stack.parameters.DeterminedVersion).toBe(FROM);
    expect(aws.database(database)?.schema).toBe(FROM);
  });

  it('does not touch the stack when the snapshot fails', async () => {
    const { aws, stack, execution, input } = setUp('ml-nosnap');
    aws.snapshotOutcome = { seconds: 300, status: 'failed' };

    const result = await aws.run('upgrade', input, execution);

    expect(result.status).toBe('FAILED');
    const record = aws.cluster('ml-nosnap');
    expect(record.status).toBe('UPDATE_FAILED');
    expect(record.statusReason).toBe(
      `The pre-upgrade snapshot ${input.snapshot} ended "failed", so the upgrade did not start. Nothing was changed; Determined ${FROM} still serves. Retry the upgrade.`,
    );
    expect(callsOf(aws, execution, 'cloudformation:updateStack')).toEqual([]);
    expect(callsOf(aws, execution, 'ec2:deleteTags')).toEqual([]);
    expect(stack.parameters.DeterminedVersion).toBe(FROM);
    expect(aws.timeline('ml-nosnap')).toContainEqual(
      expect.objectContaining({ kind: 'failed', status: 'UPDATE_FAILED' }),
    );
  });

  it('rolls back onto the snapshot when the new master migrates the database and never answers', async () => {
    const { aws, stack, execution, input, masterId, database } = setUp('ml-silent');
    aws.versionBoots.set(TO, 'silent');

    const result = await aws.run('upgrade', input, execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'ClusterUpgradeFailed' });
    const record = aws.cluster('ml-silent');
    expect(record.status).toBe('UPDATE_FAILED');
    expect(record.statusReason).toBe(
      `Determined ${TO} did not answer GET /info within 3600 seconds (its log is the determined-master stream of the stack log group).` +
        ` The cluster was rolled back: Determined ${FROM} serves again, on the database restored from the pre-upgrade snapshot ${input.snapshot};` +
        ` the database the failed upgrade left is kept as ${database}-failed-upgrade.`,
    );
    expect(record.parameters.determinedVersion).toBe(FROM);
    expect(record.pendingParameters).toBeUndefined();

    // The previous version serves, on the restored database under the stack's own name; the
    // migrated database is kept.
    expect(stack.parameters.DeterminedVersion).toBe(FROM);
    expect(aws.bootReports.get(masterId)).toBe(`answered ${FROM}`);
    expect(aws.database(database)).toMatchObject({ status: 'available', schema: FROM });
    expect(aws.database(`${database}-failed-upgrade`)).toMatchObject({ status: 'available', schema: TO });
    const [restore] = callsOf(aws, execution, 'rds:restoreDBInstanceFromDBSnapshot');
    expect(restore?.params).toMatchObject({
      DBInstanceIdentifier: database,
      DBSnapshotIdentifier: input.snapshot,
      DBSubnetGroupName: 'default',
      VpcSecurityGroupIds: ['sg-0database'],
      PubliclyAccessible: false,
    });
    const updates = callsOf(aws, execution, 'cloudformation:updateStack');
    expect(updates.map((call) => call.params.ClientRequestToken)).toEqual([execution, `${execution}-r`]);
    expect(aws.timeline('ml-silent').map((entry) => entry.kind)).toEqual(
      expect.arrayContaining(['snapshot', 'rollback', 'failed']),
    );
  });

  it('restores the snapshot and restarts the master when CloudFormation rolled the stack update back', async () => {
    const { aws, stack, execution, input, masterId, database } = setUp('ml-rolled');
    aws.plans.update.push({
      failures: [
        {
          logicalId: 'MasterInstance',
          type: 'AWS::EC2::Instance',
          reason: 'Instance i-0abc failed to stabilize',
        },
      ],
    });
    // The master booted the new version before the stack failed, and migrated the database.
    aws.at(200, () => {
      const db = aws.database(database);
      if (db) db.schema = TO;
    });

    const result = await aws.run('upgrade', input, execution);

    expect(result.status).toBe('FAILED');
    const record = aws.cluster('ml-rolled');
    expect(record.status).toBe('UPDATE_FAILED');
    expect(record.statusReason).toContain(
      'MasterInstance (AWS::EC2::Instance) failed: Instance i-0abc failed to stabilize',
    );
    expect(record.statusReason).toContain(`Determined ${FROM} serves again`);
    expect(stack.parameters.DeterminedVersion).toBe(FROM);
    expect(callsOf(aws, execution, 'ec2:rebootInstances')).toHaveLength(1);
    expect(aws.bootReports.get(masterId)).toBe(`answered ${FROM}`);
    expect(aws.database(database)?.schema).toBe(FROM);
  });
  // The restored database goes where the migrated one was: its own subnet group (secure, simple-rds
  // with subnets), or the VPC's default one when the template named none (moto then describes no group).
  it.each([
    ['its own subnet group', 'det-db-subnets-ml', 'det-db-subnets-ml'],
    ['no subnet group described', undefined, 'default'],
  ])('restores the snapshot into the database’s subnet group: %s', async (_, subnetGroup, restoredInto) => {
    const { aws, execution, input, database } = setUp('ml-subnets');
    const db = aws.database(database);
    if (!db) throw new Error('the fixture has a database');
    if (subnetGroup) db.subnetGroup = subnetGroup;
    else delete db.subnetGroup;
    aws.versionBoots.set(TO, 'silent');

    const result = await aws.run('upgrade', input, execution);

    expect(result.status).toBe('FAILED');
    expect(aws.cluster('ml-subnets').statusReason).toContain(`Determined ${FROM} serves again`);
    const [restore] = callsOf(aws, execution, 'rds:restoreDBInstanceFromDBSnapshot');
    expect(restore?.params).toMatchObject({
      DBInstanceIdentifier: database,
      VpcSecurityGroupIds: ['sg-0database'],
    });
    expect(restore?.params.DBSubnetGroupName).toBe(subnetGroup);
    expect(aws.database(database)).toMatchObject({
      status: 'available',
      schema: FROM,
      subnetGroup: restoredInto,
    });
  });
});
