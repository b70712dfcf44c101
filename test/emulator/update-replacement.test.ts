/**
 * In the emulator, through the API: a PATCH dry run shows CloudFormation's change set (emulator
 * patch 16 fills Replacement from createOnlyProperties) and changes nothing; an upgrade whose new
 * master never answers (emulator patch 13's test seam, the det-emulator-unbootable tag) is rolled
 * back onto the pre-upgrade snapshot: the previous version answers again and the cluster is
 * UPDATE_FAILED with the reason, the database the failed upgrade left kept aside.
 *
 * No timing assertion: the rollback waits out the update budget (UPDATE_TIMEOUT_MINUTES, 1 in
 * test/emulator/global-setup.ts) in poll rounds, however slow the machine.
 */
import { ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { CreateTagsCommand, DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import type { ClusterView } from '../../core/cluster/model.ts';
import { MASTER_BOOT_TAG } from '../../core/cluster/naming.ts';
import {
  call,
  createReady,
  DEMO_KEY_PAIR,
  emulator,
  tokenFor,
  uniqueId,
  waitForStatus,
} from '../support/local-api.ts';

describe('updates that replace resources, and a rolled-back upgrade, in the emulator', () => {
  it('a dry run lists the resources the update replaces, and changes nothing', async () => {
    const token = await tokenFor('replacers', { sub: 'grace' });
    const clusterId = uniqueId('dry');
    const before = (
      await createReady(token, {
        clusterId,
        keypair: DEMO_KEY_PAIR,
        idleTimeout: 'never',
        inboundCidr: '0.0.0.0/0',
      })
    ).body as ClusterView;

    const preview = await call('PATCH', `/clusters/${clusterId}?dryRun=true`, {
      token,
      body: { inboundCidr: '10.0.0.0/8' },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ clusterId, changedParameters: ['InboundCidr'], dataAtRisk: [] });
    expect(preview.body.refusal).toBeUndefined();
    // An ingress rule's CidrIp is create-only: CloudFormation replaces the rule (a new one, then the old one goes).
    expect(preview.body.changes).toEqual(
      expect.arrayContaining([
        {
          logicalId: 'MasterIngressUi',
          type: 'AWS::EC2::SecurityGroupIngress',
          action: 'Modify',
          replacement: 'True',
          properties: ['CidrIp'],
        },
      ]),
    );
    expect(
      (preview.body.changes as { type: string }[]).every((change) => change.type !== 'AWS::RDS::DBInstance'),
    ).toBe(true);

    // Nothing changed: the cluster, and no change set of this cluster left (moto lists every stack's).
    const after = await call('GET', `/clusters/${clusterId}`, { token });
    expect(after.body).toMatchObject({
      status: 'READY',
      parameters: { inboundCidr: before.parameters.inboundCidr },
    });
    const { Summaries = [] } = await emulator
      .cloudFormation()
      .send(new ListChangeSetsCommand({ StackName: before.stackId ?? clusterId }));
    expect(Summaries.filter((summary) => summary.ChangeSetName?.includes(clusterId))).toEqual([]);

    // allowReplacement alone changes nothing, so it is no PATCH; an unknown name is 400.
    const alone = await call('PATCH', `/clusters/${clusterId}`, {
      token,
      body: { allowReplacement: ['database'] },
    });
    expect(alone.status).toBe(400);
    const unknown = await call('PATCH', `/clusters/${clusterId}`, {
      token,
      body: { maxDynamicAgents: 2, allowReplacement: ['vpc'] },
    });
    expect(unknown.status).toBe(400);
  }, 180_000);

  // A simple cluster's database is in no subnet group of its own: the restore goes to the default one.
  it('rolls an upgrade whose master never answers back onto the snapshot: the previous version answers, UPDATE_FAILED with the reason', async () => {
    const token = await tokenFor('rollers', { sub: 'ada' });
    const clusterId = uniqueId('rbk');
    const before = (
      await createReady(token, {
        clusterId,
        keypair: DEMO_KEY_PAIR,
        determinedVersion: '0.38.0',
        idleTimeout: 'never',
      })
    ).body as ClusterView;
    const database = before.outputs.databaseInstanceId ?? '';
    const masterId = before.outputs.masterId ?? '';
    // The seam: this master never answers as 0.38.1 (emulator patch 13).
    await emulator.ec2().send(
      new CreateTagsCommand({
        Resources: [masterId],
        Tags: [{ Key: 'det-emulator-unbootable', Value: '0.38.1' }],
      }),
    );

    const accepted = await call('PATCH', `/clusters/${clusterId}`, {
      token,
      body: { determinedVersion: '0.38.1' },
    });
    expect(accepted.status).toBe(202);

    const failed = (await waitForStatus(clusterId, token, 'UPDATE_FAILED', 600_000)).body as ClusterView;
    const snapshot = failed.upgrade?.snapshot ?? '';
    expect(failed.statusReason).toContain('Determined 0.38.1 did not answer GET /info within 60 seconds');
    expect(failed.statusReason).toContain(
      `The cluster was rolled back: Determined 0.38.0 serves again, on the database restored from the pre-upgrade snapshot ${snapshot}`,
    );
    expect(failed.parameters.determinedVersion).toBe('0.38.0');
    expect(failed.outputs.masterUrl).toBe(before.outputs.masterUrl);

    // The previous version answers again (its boot report), on a database restored under its own name;
    // the one the failed upgrade left is kept aside, and the snapshot stays.
    const { Tags = [] } = await emulator.ec2().send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'resource-id', Values: [masterId] },
          { Name: 'key', Values: [MASTER_BOOT_TAG] },
        ],
      }),
    );
    expect(Tags.map((tag) => tag.Value)).toEqual(['answered 0.38.0']);
    const { DBInstances = [] } = await emulator.rds().send(new DescribeDBInstancesCommand({}));
    const names = DBInstances.map((instance) => instance.DBInstanceIdentifier);
    expect(names).toEqual(expect.arrayContaining([database, `${database}-failed-upgrade`]));
    const { DBSnapshots = [] } = await emulator
      .rds()
      .send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshot }));
    expect(DBSnapshots).toHaveLength(1);

    const events = await call('GET', `/clusters/${clusterId}/events`, { token });
    const kinds = (events.body as { items: { kind: string }[] }).items.map((item) => item.kind);
    expect(kinds).toEqual(expect.arrayContaining(['upgrade-requested', 'snapshot', 'rollback']));
  }, 900_000);
});
