/**
 * The delete workflow (statemachines/delete.asl.json) against the model of AWS in
 * aws-model/fake-aws.ts: agents and spot requests outside the stack, the stack itself, and the
 * data the cluster leaves behind (Data section of the contract).
 */
import { ServiceError } from '../../../aws-model/fake-aws.ts';
import {
  deleteInput,
  FakeAws,
  name,
  ownedStack,
  ownershipTags,
  seed,
  stackOf,
  stackParameters,
} from './fixtures.ts';

function setUp(clusterId: string, status: 'DELETING' = 'DELETING') {
  const aws = new FakeAws();
  const stack = ownedStack(aws, clusterId);
  const execution = name(clusterId, 'delete', aws);
  const record = seed(aws, clusterId, {
    status,
    execution,
    stackId: stack.StackId,
    outputs: {}, // the record's outputs are not what the workflow reads: it asks the stack
    version: 7,
  });
  stack.parameters = stackParameters(record);
  const outputs = stack.outputs ?? {};
  return { aws, stack, execution, record, outputs };
}

describe('delete', () => {
  it('stops the master, clears agents and spot requests, deletes the stack and keeps the data', async () => {
    const { aws, stack, execution, record, outputs } = setUp('ml-del');
    const agents = [aws.addAgent(stackOf('ml-del')), aws.addAgent(stackOf('ml-del'))];
    const otherCluster = aws.addAgent(stackOf('ml-other'));
    // An open request the provider still fulfils after the master stopped: its agent must go too.
    const spot = aws.addSpotRequest(stackOf('ml-del'), { fulfilAfterSeconds: 5 });
    aws.plans.delete.push({ seconds: 120 });

    const result = await aws.run('delete', deleteInput('ml-del'), execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { clusterId: 'ml-del', status: 'DELETED' } });
    const snapshot = aws.snapshots.find(
      (candidate) => candidate.DBInstanceIdentifier === outputs.DatabaseInstanceId,
    );
    expect(snapshot).toBeDefined();
    const cluster = aws.cluster('ml-del');
    expect(cluster).toMatchObject({
      status: 'DELETED',
      retained: {
        checkpointBucket: outputs.CheckpointBucket,
        dbSnapshot: snapshot?.DBSnapshotIdentifier,
        secretName: record.secretName,
      },
    });
    expect(aws.rawCluster('ml-del')).toMatchObject({ ttl: 1790000000 });
    expect(aws.rawCluster('ml-del').deleteRequested).toBeUndefined();
    expect(aws.quota('ml')).toBe(0);

    // Kept: the bucket with its objects, the snapshot, the secret (not scheduled for deletion).
    expect(aws.buckets.get(outputs.CheckpointBucket ?? '')).toHaveLength(3);
    expect(aws.secrets.get(record.secretName ?? '')?.deletionDate).toBeUndefined();
    // Gone: every agent of this cluster (and nothing else), the spot request, the stack.
    expect(aws.agentsOf(stackOf('ml-del')).map((agent) => agent.state)).toEqual([
      'terminated',
      'terminated',
      'terminated',
    ]);
    expect(aws.instance(otherCluster)?.state).toBe('running');
    expect(aws.spotRequests.find((request) => request.SpotInstanceRequestId === spot)?.state).toBe(
      'cancelled',
    );
    expect(aws.statusOf(stack)).toBe('DELETE_COMPLETE');

    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim
      'dynamodb:getItem',
      'cloudformation:describeStacks',
      'ec2:stopInstances',
      'ec2:describeInstances', // two agents
      'ec2:terminateInstances',
      'ec2:describeInstances', // 10 s: two shutting down, the spot agent running
      'ec2:terminateInstances',
      'ec2:describeInstances', // 20 s: still shutting down
      'ec2:terminateInstances',
      'ec2:describeInstances', // 30 s: the first two are gone
      'ec2:terminateInstances',
      'ec2:describeInstances', // 40 s: none left
      'ec2:describeSpotInstanceRequests',
      'ec2:cancelSpotInstanceRequests',
      'ec2:describeInstances',
      'ec2:describeSpotInstanceRequests',
      'cloudformation:deleteStack',
      'cloudformation:describeStacks', // +10 s
      'cloudformation:describeStacks', // +25 s
      'cloudformation:describeStacks', // +45 s
      'cloudformation:describeStacks', // +70 s
      'cloudformation:describeStacks', // +100 s
      'cloudformation:describeStacks', // +135 s: DELETE_COMPLETE
      'rds:describeDBSnapshots',
      'dynamodb:updateItem', // DELETED
      'dynamodb:updateItem', // the team's quota
    ]);
    const calls = aws.calls.filter((call) => call.execution === execution);
    expect(calls.find((call) => call.action === 'ec2:stopInstances')?.params).toEqual({
      InstanceIds: [outputs.MasterId],
    });
    expect(calls.find((call) => call.action === 'ec2:terminateInstances')?.params).toEqual({
      InstanceIds: agents,
    });
    expect(calls.find((call) => call.action === 'ec2:describeInstances')?.params.Filters).toContainEqual({
      Name: 'tag:det-cluster',
      Values: [`det-agent-${stackOf('ml-del')}`],
    });
    // The stack is the one recorded on the cluster, by id, never looked up by name.
    expect(calls.find((call) => call.action === 'cloudformation:describeStacks')?.params).toEqual({
      StackName: stack.StackId,
    });
    expect(calls.find((call) => call.action === 'cloudformation:deleteStack')?.params).toEqual({
      StackName: stack.StackId,
      ClientRequestToken: execution,
    });
    expect(aws.timeline('ml-del')).toEqual([
      expect.objectContaining({
        kind: 'deleted',
        status: 'DELETED',
        message: `The stack is deleted; kept: bucket "${outputs.CheckpointBucket}", snapshot "${snapshot?.DBSnapshotIdentifier}".`,
      }),
    ]);
  });

  it('with purge, empties and deletes the bucket, deletes the snapshot and the secret', async () => {
    const { aws, execution, record, outputs } = setUp('ml-purge');
    aws.plans.delete.push({ seconds: 30 });

    const result = await aws.run('delete', deleteInput('ml-purge', { purge: true }), execution);

    expect(result.status).toBe('SUCCEEDED');
    const cluster = aws.cluster('ml-purge');
    expect(cluster.status).toBe('DELETED');
    expect(cluster.retained).toBeUndefined();
    expect(aws.rawCluster('ml-purge').retained).toEqual({
      checkpointBucket: '',
      dbSnapshot: '',
      secretName: '',
    });
    expect(aws.buckets.has(outputs.CheckpointBucket ?? '')).toBe(false);
    expect(aws.snapshots).toEqual([]);
    expect(aws.secrets.get(record.secretName ?? '')?.deletionDate).toBeDefined();
    expect(aws.actions(execution, { timeline: false }).slice(-11)).toEqual([
      'rds:describeDBSnapshots',
      's3:listObjectsV2',
      's3:deleteObject',
      's3:deleteObject',
      's3:deleteObject',
      's3:listObjectsV2',
      's3:deleteBucket',
      'rds:deleteDBSnapshot',
      'secretsmanager:deleteSecret',
      'dynamodb:updateItem',
      'dynamodb:updateItem',
    ]);
  });

  it('with purge, keeps on record what it could not remove', async () => {
    const { aws, execution, record, outputs } = setUp('ml-halfpurge');
    aws.plans.delete.push({ seconds: 30 });
    aws.fail(
      'rds:deleteDBSnapshot',
      new ServiceError('Rds.InvalidDBSnapshotStateFault', 'snapshot is being copied'),
      4,
    );

    await aws.run('delete', deleteInput('ml-halfpurge', { purge: true }), execution);

    const cluster = aws.cluster('ml-halfpurge');
    expect(cluster.status).toBe('DELETED');
    // The snapshot stays, and so does the secret with the password of its database.
    expect(cluster.retained).toEqual({
      dbSnapshot: aws.snapshots[0]?.DBSnapshotIdentifier,
      secretName: record.secretName,
    });
    expect(aws.buckets.has(outputs.CheckpointBucket ?? '')).toBe(false);
    expect(aws.secrets.get(record.secretName ?? '')?.deletionDate).toBeUndefined();
  });

  it('ends DELETE_FAILED with the root cause, and a retry deletes the cluster', async () => {
    const { aws, stack, execution, outputs } = setUp('ml-stuck');
    aws.plans.delete.push({
      seconds: 200,
      failures: [
        {
          logicalId: 'MasterSecurityGroup',
          type: 'AWS::EC2::SecurityGroup',
          reason:
            'resource sg-0master has a dependent object (Service: Ec2, Status Code: 400, Request ID: 9e1f)',
        },
      ],
    });

    const failed = await aws.run('delete', deleteInput('ml-stuck'), execution);

    expect(failed).toMatchObject({ status: 'FAILED', error: 'StackDeleteFailed' });
    expect(aws.cluster('ml-stuck')).toMatchObject({
      status: 'DELETE_FAILED',
      statusReason:
        'MasterSecurityGroup (AWS::EC2::SecurityGroup) failed: resource sg-0master has a dependent object (Service: Ec2, Status Code: 400, Request ID: 9e1f)',
    });
    expect(aws.statusOf(stack)).toBe('DELETE_FAILED');
    expect(aws.actions(execution, { timeline: false }).slice(-3)).toEqual([
      'cloudformation:describeStacks',
      'cloudformation:describeStackEvents',
      'dynamodb:updateItem',
    ]);
    expect(aws.quota('ml')).toBe(1);

    // The API starts a new delete from DELETE_FAILED; this time CloudFormation succeeds.
    const retry = name('ml-stuck', 'delete', aws, 1);
    aws.apiUpdate('ml-stuck', { status: 'DELETING', execution: retry });
    aws.plans.delete.push({ seconds: 60 });
    const result = await aws.run('delete', deleteInput('ml-stuck'), retry);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-stuck')).toMatchObject({
      status: 'DELETED',
      retained: {
        checkpointBucket: outputs.CheckpointBucket,
        dbSnapshot: expect.stringContaining('-final-'),
      },
    });
    expect(aws.statusOf(stack)).toBe('DELETE_COMPLETE');
    expect(aws.quota('ml')).toBe(0);
  });

  it('fails with the reason when agents it cannot see keep the stack from being deleted', async () => {
    const { aws, execution } = setUp('ml-hidden');
    const hidden = aws.addAgent(stackOf('ml-hidden'));
    aws.plans.delete.push({ seconds: 60 });
    // DescribeInstances does not show the agent (say, an eventually consistent answer).
    aws.respond('ec2:describeInstances', () => ({ Reservations: [] }), 2);

    await aws.run('delete', deleteInput('ml-hidden'), execution);

    expect(aws.instance(hidden)?.state).toBe('running');
    expect(aws.cluster('ml-hidden')).toMatchObject({
      status: 'DELETE_FAILED',
      statusReason: expect.stringMatching(
        /^AgentSecurityGroup \(AWS::EC2::SecurityGroup\) failed: resource sg-0agents has a dependent object/,
      ),
    });
  });

  it('deletes a cluster whose stack never came to be, without looking for one by name', async () => {
    const aws = new FakeAws();
    // A stack of the cluster's name that its create never recorded: not this cluster's to delete.
    const unrecorded = aws.addCompleteStack(stackOf('ml-none'), {}, ownershipTags('ml-none'));
    const execution = name('ml-none', 'delete', aws);
    const record = seed(aws, 'ml-none', { status: 'DELETING', execution });

    const result = await aws.run('delete', deleteInput('ml-none'), execution);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-none')).toMatchObject({
      status: 'DELETED',
      retained: { secretName: record.secretName },
    });
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim
      'dynamodb:getItem',
      'dynamodb:updateItem',
      'dynamodb:updateItem',
    ]);
    expect(aws.statusOf(unrecorded)).toBe('CREATE_COMPLETE');
  });

  it('gives up the stack-name claim once DELETED, and only a claim the cluster holds', async () => {
    const aws = new FakeAws();
    const claim = (stack: string, holder: string) =>
      aws.table.write({ pk: { S: `STACKNAME#${stack}` }, sk: { S: 'STACKNAME' }, claimedBy: { S: holder } });
    for (const clusterId of ['ml-mine', 'ml-theirs']) {
      const execution = name(clusterId, 'delete', aws);
      seed(aws, clusterId, { status: 'DELETING', execution });
      aws.apiUpdate(clusterId, { stackName: stackOf(clusterId) });
    }
    claim(stackOf('ml-mine'), 'CLUSTER#ml#ml-mine');
    // A claim another cluster holds (a race the store settled otherwise) is never removed.
    claim(stackOf('ml-theirs'), 'CLUSTER#vision#ml-theirs');

    for (const clusterId of ['ml-mine', 'ml-theirs']) {
      const execution = String(aws.rawCluster(clusterId).execution);
      const result = await aws.run('delete', deleteInput(clusterId), execution);
      expect(result.status).toBe('SUCCEEDED');
      expect(aws.cluster(clusterId).status).toBe('DELETED');
    }
    expect(aws.table.read(`STACKNAME#${stackOf('ml-mine')}`, 'STACKNAME')).toBeUndefined();
    expect(aws.table.read(`STACKNAME#${stackOf('ml-theirs')}`, 'STACKNAME')).toEqual({
      pk: { S: `STACKNAME#${stackOf('ml-theirs')}` },
      sk: { S: 'STACKNAME' },
      claimedBy: { S: 'CLUSTER#vision#ml-theirs' },
    });
  });

  it('treats a recorded stack that CloudFormation no longer knows as gone', async () => {
    const aws = new FakeAws();
    const execution = name('ml-forgotten', 'delete', aws);
    seed(aws, 'ml-forgotten', {
      status: 'DELETING',
      execution,
      stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackOf('ml-forgotten')}/gone`,
    });

    const result = await aws.run('delete', deleteInput('ml-forgotten'), execution);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-forgotten').status).toBe('DELETED');
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim
      'dynamodb:getItem',
      'cloudformation:describeStacks', // "does not exist", retried as any other error first
      'cloudformation:describeStacks',
      'cloudformation:describeStacks',
      'cloudformation:describeStacks',
      'dynamodb:updateItem',
      'dynamodb:updateItem',
    ]);
  });

  it.each([
    ['another cluster’s', ownershipTags('ml-neighbour')],
    ['another team’s', ownershipTags('ml-foreign', 'vision')],
    ['no', []],
  ])(
    'refuses a recorded stack that carries %s ownership tags: nothing is touched (finding 1)',
    async (_name, tags) => {
      const aws = new FakeAws();
      const foreign = aws.addCompleteStack('victim-stack', {}, tags);
      const master = foreign.outputs?.MasterId ?? '';
      const execution = name('ml-foreign', 'delete', aws);
      seed(aws, 'ml-foreign', { status: 'DELETING', execution, stackId: foreign.StackId });

      const result = await aws.run('delete', deleteInput('ml-foreign'), execution);

      expect(result).toMatchObject({ status: 'FAILED', error: 'StackDeleteFailed' });
      expect(aws.cluster('ml-foreign')).toMatchObject({
        status: 'DELETE_FAILED',
        statusReason: `The stack recorded for this cluster (${foreign.StackId}) does not carry its ownership tags (managed-by, team, cluster-id); the control plane leaves it untouched. Ask the platform team.`,
      });
      expect(aws.statusOf(foreign)).toBe('CREATE_COMPLETE');
      expect(aws.instance(master)?.state).toBe('running');
      expect(aws.actions(execution, { timeline: false })).toEqual([
        'dynamodb:updateItem', // the claim
        'dynamodb:getItem',
        'cloudformation:describeStacks',
        'dynamodb:updateItem',
      ]);
    },
  );

  it('records DELETE_FAILED through the guard when a call keeps failing', async () => {
    const { aws, execution } = setUp('ml-denied');
    aws.fail(
      'ec2:describeInstances',
      new ServiceError('Ec2.UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      4,
    );

    const result = await aws.run('delete', deleteInput('ml-denied'), execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'Ec2.UnauthorizedOperation' });
    expect(aws.cluster('ml-denied')).toMatchObject({
      status: 'DELETE_FAILED',
      statusReason: expect.stringContaining('stopped unexpectedly (Ec2.UnauthorizedOperation)'),
    });
    expect(aws.actions(execution)).not.toContain('cloudformation:deleteStack');
  });
});
