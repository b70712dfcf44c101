/**
 * The first cluster, end to end: over HTTP against the local runtime, with the emulator itself as
 * the witness that the stack and its master instance exist, and are gone after the delete.
 */
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { stackName } from '../../core/cluster/naming.ts';
import { call, DEMO_KEY_PAIR, emulator, tokenFor, uniqueId, waitForStatus } from '../support/local-api.ts';

describe('a simple cluster, create to delete', () => {
  it('becomes READY with a master URL, then DELETED, and the emulator agrees at each step', async () => {
    const token = await tokenFor('lifecycle');
    const clusterId = uniqueId('life');

    const created = await call('POST', '/clusters', { token, body: { clusterId, keypair: DEMO_KEY_PAIR } });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/clusters/${clusterId}`);
    expect(created.body).toMatchObject({
      clusterId,
      status: 'CREATING',
      team: 'lifecycle',
      deploymentType: 'simple',
    });

    const ready = await waitForStatus(clusterId, token, 'READY');
    expect(ready.body.outputs.masterUrl).toMatch(/^http:\/\/[\d.]+:8080$/);
    // The stack is named under the control plane's prefix, after the team and the id (finding 1).
    expect(ready.body.stackId).toContain(`:stack/${stackName('', clusterId)}/`);

    const cfn = emulator.cloudFormation();
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: ready.body.stackId }));
    expect(Stacks[0]?.StackStatus).toBe('CREATE_COMPLETE');
    expect(Stacks[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'managed-by', Value: 'determined' },
        { Key: 'team', Value: 'lifecycle' },
        { Key: 'cluster-id', Value: clusterId },
      ]),
    );
    const { StackResourceSummaries = [] } = await cfn.send(
      new ListStackResourcesCommand({ StackName: ready.body.stackId }),
    );
    const master = StackResourceSummaries.find((resource) => resource.LogicalResourceId === 'MasterInstance');
    expect(master?.PhysicalResourceId).toBe(ready.body.outputs.masterId);
    const ec2 = emulator.ec2();
    const running = await ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [ready.body.outputs.masterId] }),
    );
    expect(running.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('running');

    const deleting = await call('DELETE', `/clusters/${clusterId}`, { token });
    expect(deleting.status).toBe(202);
    expect(deleting.body.status).toBe('DELETING');
    const deleted = await waitForStatus(clusterId, token, 'DELETED');
    expect(deleted.body.retained.checkpointBucket).toBe(ready.body.outputs.checkpointBucket);
    expect(deleted.body.retained.dbSnapshot).toEqual(expect.stringContaining('final'));

    const after = await cfn.send(new DescribeStacksCommand({ StackName: ready.body.stackId }));
    expect(after.Stacks?.[0]?.StackStatus).toBe('DELETE_COMPLETE');
    const gone = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [ready.body.outputs.masterId] }));
    expect(gone.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('terminated');
    // The checkpoint bucket outlives the stack: users' data is kept.
    await expect(
      emulator.s3().send(new HeadBucketCommand({ Bucket: ready.body.outputs.checkpointBucket })),
    ).resolves.toBeDefined();
  }, 60_000);
});
