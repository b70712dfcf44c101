/**
 * The create workflow (statemachines/create.asl.json) executed by aws-local-stepfunctions against the
 * model of AWS in aws-model/fake-aws.ts, in virtual time, with production timing (first poll after
 * 10 s, 5 s more per poll, at most 60 s) unless a test says otherwise.
 */
import { ServiceError, throttling } from '../../../aws-model/fake-aws.ts';
import { createInput, deleteInput, FakeAws, name, ownershipTags, seed, stackOf } from './fixtures.ts';

const STORE_AND_CREATE = [
  'dynamodb:updateItem', // the claim on the record (statemachines/src/record.ts claimRecord)
  'ec2:describeKeyPairs',
  's3:putObject',
  'cloudformation:createStack',
  'dynamodb:updateItem',
];
const polls = (count: number) => Array<string>(count).fill('cloudformation:describeStacks');

function setUp(clusterId: string) {
  const aws = new FakeAws();
  const execution = name(clusterId, 'create', aws);
  const record = seed(aws, clusterId, { execution });
  return { aws, execution, record };
}

describe('create', () => {
  it('creates the stack and records READY with its outputs', async () => {
    const { aws, execution, record } = setUp('ml-ok');
    aws.plans.create.push({ seconds: 300 });

    const result = await aws.run('create', createInput(record), execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { clusterId: 'ml-ok', status: 'READY' } });
    const cluster = aws.cluster('ml-ok');
    expect(cluster.status).toBe('READY');
    expect(cluster.statusReason).toBeUndefined();
    expect(cluster.stackId).toBe(aws.stack(stackOf('ml-ok'))?.StackId);
    expect(cluster.outputs).toEqual({
      masterId: expect.stringMatching(/^i-master/),
      masterUrl: 'http://203.0.113.10:8080',
      checkpointBucket: expect.stringContaining('-ml-ok-checkpointbucket'),
      databaseInstanceId: expect.stringContaining('-ml-ok-database'),
      agentSecurityGroupId: 'sg-0agents',
    });
    expect(cluster.version).toBe(3); // the stack id, then READY
    expect(aws.rawCluster('ml-ok')).toMatchObject({ reapShard: 'READY' });

    // The stack is complete at 300 s; the polls come at 10, 25, 45, ... 270 and 325 s.
    expect(aws.actions(execution, { timeline: false })).toEqual([
      ...STORE_AND_CREATE,
      ...polls(10),
      'dynamodb:updateItem',
    ]);
    const describes = aws.calls.filter((call) => call.action === 'cloudformation:describeStacks');
    expect(describes.map((call) => call.at)).toEqual([10, 25, 45, 70, 100, 135, 175, 220, 270, 325]);

    // CloudFormation reads the stored template; tags, role and a token unique to this execution.
    const create = aws.calls.find((call) => call.action === 'cloudformation:createStack');
    expect(create?.params).toMatchObject({
      StackName: stackOf('ml-ok'),
      TemplateURL: `https://det-control-plane-test-templates.s3.us-east-1.amazonaws.com/clusters/${stackOf('ml-ok')}/${execution}.json`,
      Capabilities: ['CAPABILITY_IAM'],
      RoleARN: 'arn:aws:iam::123456789012:role/det-control-plane-test-stacks',
      ClientRequestToken: execution,
    });
    expect(create?.params.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'managed-by', Value: 'determined' },
        { Key: 'deployment-type', Value: 'simple' },
        { Key: 'team', Value: 'ml' },
        { Key: 'owner', Value: 'ada' },
        { Key: 'cluster-id', Value: 'ml-ok' },
      ]),
    );
    expect(aws.timeline('ml-ok')).toEqual([
      expect.objectContaining({ kind: 'ready', status: 'READY', source: 'control-plane' }),
    ]);
  });

  it('blames the oldest failed resource of this create, across pages, ignoring other operations', async () => {
    const { aws, execution, record } = setUp('ml-bad');
    aws.eventsPageSize = 11; // 19 events: the two failures land on different pages
    aws.plans.create.push({
      seconds: 600,
      failures: [
        {
          logicalId: 'Database',
          type: 'AWS::RDS::DBInstance',
          reason: 'DB instance quota exceeded (Service: Rds, Status Code: 400, Request ID: 7f3a)',
        },
        {
          logicalId: 'MasterInstance',
          type: 'AWS::EC2::Instance',
          reason: 'You have requested more vCPU capacity than your current vCPU limit of 32 allows.',
        },
      ],
      // Older than anything of this create, from an operation started in the console.
      foreignEvents: [
        {
          LogicalResourceId: 'CheckpointBucket',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_FAILED',
          ResourceStatusReason: 'an earlier, unrelated failure',
          ClientRequestToken: 'Console-CreateStack-5d4c',
          Timestamp: new Date(aws.clock.now() - 3_600_000).toISOString(),
        },
      ],
    });

    const result = await aws.run('create', createInput(record), execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'StackCreateFailed' });
    const cluster = aws.cluster('ml-bad');
    expect(cluster.status).toBe('CREATE_FAILED');
    expect(cluster.statusReason).toBe(
      'Database (AWS::RDS::DBInstance) failed: DB instance quota exceeded (Service: Rds, Status Code: 400, Request ID: 7f3a)',
    );
    expect(aws.actions(execution, { timeline: false })).toEqual([
      ...STORE_AND_CREATE,
      ...polls(15), // ROLLBACK_IN_PROGRESS counts as running; ROLLBACK_COMPLETE at 600 s, seen at 625 s
      'cloudformation:describeStackEvents',
      'cloudformation:describeStackEvents',
      'dynamodb:updateItem',
    ]);
    const pages = aws.calls.filter((call) => call.action === 'cloudformation:describeStackEvents');
    expect(pages.map((call) => call.params.NextToken)).toEqual([undefined, '11']);
    expect(aws.rawCluster('ml-bad').reapShard).toBeUndefined();
    expect(aws.timeline('ml-bad')).toEqual([
      expect.objectContaining({ kind: 'failed', status: 'CREATE_FAILED', message: cluster.statusReason }),
    ]);
  });

  it('uses the stack status reason when no resource of this create failed', async () => {
    const { aws, execution, record } = setUp('ml-odd');
    aws.plans.create.push({ seconds: 60 });
    aws.respond('cloudformation:describeStacks', () => ({
      Stacks: [
        {
          StackName: stackOf('ml-odd'),
          StackStatus: 'ROLLBACK_COMPLETE',
          StackStatusReason: 'Stack creation cancelled',
        },
      ],
    }));

    await aws.run('create', createInput(record), execution);

    expect(aws.cluster('ml-odd')).toMatchObject({
      status: 'CREATE_FAILED',
      statusReason: 'The stack ended ROLLBACK_COMPLETE: Stack creation cancelled',
    });
  });

  it('retries throttled calls with backoff and still ends READY', async () => {
    const { aws, execution, record } = setUp('ml-busy');
    aws.plans.create.push({ seconds: 20 });
    aws.fail('cloudformation:createStack', throttling(), 2);
    aws.fail('cloudformation:describeStacks', throttling(), 1);
    aws.fail(
      'dynamodb:updateItem',
      new ServiceError('DynamoDB.ProvisionedThroughputExceededException', 'Rate exceeded'),
      1,
    );

    const result = await aws.run('create', createInput(record), execution);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-busy').status).toBe('READY');
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim: throttled, retried
      'dynamodb:updateItem',
      'ec2:describeKeyPairs',
      's3:putObject',
      'cloudformation:createStack',
      'cloudformation:createStack',
      'cloudformation:createStack',
      'dynamodb:updateItem',
      'cloudformation:describeStacks', // 10 s: throttled
      'cloudformation:describeStacks', // still creating
      'cloudformation:describeStacks', // after 15 s more: complete
      'dynamodb:updateItem',
    ]);
    const creates = aws.calls.filter((call) => call.action === 'cloudformation:createStack');
    expect(new Set(creates.map((call) => call.params.ClientRequestToken))).toEqual(new Set([execution]));
    expect(creates.map((call) => call.error)).toEqual([
      'CloudFormation.CloudFormationException',
      'CloudFormation.CloudFormationException',
      undefined,
    ]);
    expect(aws.stacks).toHaveLength(1);
  });

  it('ends CREATE_FAILED with a clear reason when the stack outlasts the budget', async () => {
    const { aws, execution, record } = setUp('ml-slow');
    aws.plans.create.push({ seconds: 100_000 });

    await aws.run(
      'create',
      createInput(record, {
        budgetSeconds: { create: 600, update: 600, delete: 600, stop: 600, start: 600 },
      }),
      execution,
    );

    expect(aws.cluster('ml-slow')).toMatchObject({
      status: 'CREATE_FAILED',
      statusReason: 'The stack did not finish creating within 600 seconds (last status CREATE_IN_PROGRESS).',
    });
    // 10 + 15 + ... + 60 + 60 + 60 + 60 = 625 s: the 15th poll is the first past the budget.
    expect(aws.actions(execution, { timeline: false })).toEqual([
      ...STORE_AND_CREATE,
      ...polls(15),
      'dynamodb:updateItem',
    ]);
    expect(aws.clock.secondsSince(aws.started)).toBe(625);
  });

  it('replaces the failed stack of its own earlier attempt, by its recorded id, then creates', async () => {
    const aws = new FakeAws();
    const earlier = aws.addStack({
      name: stackOf('ml-again'),
      status: 'ROLLBACK_COMPLETE',
      tags: ownershipTags('ml-again'),
    });
    const execution = name('ml-again', 'create', aws);
    const record = seed(aws, 'ml-again', { execution, version: 4 });
    aws.plans.delete.push({ seconds: 25 });
    aws.plans.create.push({ seconds: 20 });

    const result = await aws.run(
      'create',
      createInput(record, {}, { previousStackId: earlier.StackId }),
      execution,
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.statusOf(earlier)).toBe('DELETE_COMPLETE');
    const current = aws.stack(stackOf('ml-again'));
    expect(current?.StackId).not.toBe(earlier.StackId);
    expect(aws.cluster('ml-again')).toMatchObject({ status: 'READY', stackId: current?.StackId });
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim
      'ec2:describeKeyPairs',
      's3:putObject',
      'cloudformation:createStack', // AlreadyExists: not retried
      'cloudformation:describeStacks', // the earlier stack, by id: ours, ROLLBACK_COMPLETE
      'cloudformation:deleteStack',
      'cloudformation:describeStacks', // 10 s: DELETE_IN_PROGRESS
      'cloudformation:describeStacks', // 20 s
      'cloudformation:describeStacks', // 30 s: DELETE_COMPLETE
      'cloudformation:createStack',
      'dynamodb:updateItem',
      ...polls(2),
      'dynamodb:updateItem',
    ]);
    expect(aws.calls[3]?.error).toBe('CloudFormation.AlreadyExistsException');
    const aboutEarlier = aws.calls.filter((entry) => entry.state.includes('PreviousStack'));
    expect(aboutEarlier).toHaveLength(5);
    for (const call of aboutEarlier) expect(call.params.StackName).toBe(earlier.StackId);
  });

  it('never touches a same-named stack it did not record, and does not say what state it is in (finding 1)', async () => {
    const aws = new FakeAws();
    const foreign = aws.addCompleteStack(stackOf('ml-taken'));
    const execution = name('ml-taken', 'create', aws);
    const record = seed(aws, 'ml-taken', { execution });

    await aws.run('create', createInput(record), execution);

    expect(aws.cluster('ml-taken')).toMatchObject({
      status: 'CREATE_FAILED',
      statusReason: `A stack named ${stackOf('ml-taken')} already exists and was not made for this cluster; it is left untouched. Choose another cluster id.`,
    });
    expect(aws.cluster('ml-taken').statusReason).not.toMatch(/COMPLETE|IN_PROGRESS|FAILED/);
    expect(aws.cluster('ml-taken').stackId).toBeUndefined();
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim
      'ec2:describeKeyPairs',
      's3:putObject',
      'cloudformation:createStack',
      'dynamodb:updateItem',
    ]);
    expect(aws.statusOf(foreign)).toBe('CREATE_COMPLETE');
  });

  it.each([
    ['carries another cluster’s ownership tags', ownershipTags('ml-other'), 'ROLLBACK_COMPLETE'],
    ['carries no ownership tags', [], 'ROLLBACK_COMPLETE'],
    ['is not in a failed state', ownershipTags('ml-prev'), 'CREATE_COMPLETE'],
  ])('leaves the recorded earlier stack alone when it %s (finding 1)', async (_name, tags, status) => {
    const aws = new FakeAws();
    const earlier = aws.addStack({ name: stackOf('ml-prev'), status, tags });
    const execution = name('ml-prev', 'create', aws);
    const record = seed(aws, 'ml-prev', { execution });

    await aws.run('create', createInput(record, {}, { previousStackId: earlier.StackId }), execution);

    expect(aws.cluster('ml-prev')).toMatchObject({
      status: 'CREATE_FAILED',
      statusReason: expect.stringContaining('already exists and was not made for this cluster'),
    });
    expect(aws.cluster('ml-prev').statusReason).not.toContain(status);
    expect(aws.actions(execution)).not.toContain('cloudformation:deleteStack');
    expect(aws.statusOf(earlier)).toBe(status);
  });

  it.each([
    ['does not exist', undefined],
    ['is tagged for another team', { team: 'vision' }],
  ])(
    'fails with a clear reason, before any stack, when the key pair %s (finding 16)',
    async (_name, tags) => {
      const { aws, execution, record } = setUp('ml-nokey');
      if (tags) aws.keyPairs.set('ml-key', tags);
      else aws.keyPairs.delete('ml-key');

      const result = await aws.run('create', createInput(record), execution);

      expect(result).toMatchObject({ status: 'FAILED', error: 'StackCreateFailed' });
      expect(aws.cluster('ml-nokey')).toMatchObject({
        status: 'CREATE_FAILED',
        statusReason:
          'There is no EC2 key pair named "ml-key" that team ml may use in this region; create the cluster again with one of yours.',
      });
      expect(aws.stacks).toHaveLength(0);
      expect(
        aws.actions(execution, { timeline: false }).filter((action) => action !== 'ec2:describeKeyPairs'),
      ).toEqual(['dynamodb:updateItem', 'dynamodb:updateItem']); // the claim, then CREATE_FAILED
    },
  );

  it('uses a key pair tagged for its own team', async () => {
    const { aws, execution, record } = setUp('ml-ownkey');
    aws.keyPairs.set('ml-key', { team: 'ml', purpose: 'ssh' });
    aws.plans.create.push({ seconds: 20 });
    const result = await aws.run('create', createInput(record), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-ownkey').status).toBe('READY');
  });

  it('hands a cluster deleted during its create over to the delete workflow', async () => {
    const { aws, execution, record } = setUp('ml-gone');
    aws.plans.create.push({ seconds: 120 });
    // DELETE while CREATING: the API records the request (a conditional write on the version).
    aws.at(30, () => aws.apiUpdate('ml-gone', { deleteRequested: { purge: true, recordTtl: 1790000000 } }));

    const result = await aws.run('create', createInput(record), execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { status: 'READY' } });
    const cluster = aws.cluster('ml-gone');
    expect(cluster).toMatchObject({
      status: 'DELETING',
      execution: `${execution}-d`,
      statusReason: 'Deletion requested while the previous operation ran.',
      deleteRequested: { purge: true, recordTtl: 1790000000 },
    });
    expect(aws.startedExecutions).toEqual([
      {
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:det-control-plane-test-delete',
        name: `${execution}-d`,
        input: {
          team: 'ml',
          clusterId: 'ml-gone',
          purge: true,
          recordTtl: '1790000000',
          timing: record && createInput(record).timing,
        },
      },
    ]);
    expect(aws.actions(execution, { timeline: false }).slice(-3)).toEqual([
      'dynamodb:updateItem', // READY, reading the record back
      'dynamodb:updateItem', // DELETING, owned by the delete execution
      'states:startExecution',
    ]);

    // The delete execution owns the record now and takes the cluster to DELETED.
    const started = aws.startedExecutions[0];
    const deleted = await aws.run('delete', started?.input, started?.name ?? '');
    expect(deleted.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-gone')).toMatchObject({ status: 'DELETED' });
    expect(aws.cluster('ml-gone').retained).toBeUndefined(); // purged
  });

  it('hands over to delete after a failed create too', async () => {
    const { aws, execution, record } = setUp('ml-failgone');
    aws.plans.create.push({
      seconds: 90,
      failures: [
        { logicalId: 'MasterInstance', type: 'AWS::EC2::Instance', reason: 'InsufficientInstanceCapacity' },
      ],
    });
    aws.at(5, () =>
      aws.apiUpdate('ml-failgone', { deleteRequested: { purge: false, recordTtl: 1790000000 } }),
    );

    await aws.run('create', createInput(record), execution);

    expect(aws.cluster('ml-failgone')).toMatchObject({
      status: 'DELETING',
      execution: `${execution}-d`,
    });
    expect(aws.startedExecutions.map((started) => started.input.purge)).toEqual([false]);
  });

  it('leaves DELETE_FAILED, not a DELETING nobody works on, when the delete cannot be started', async () => {
    const { aws, execution, record } = setUp('ml-nostart');
    aws.plans.create.push({ seconds: 60 });
    aws.at(5, () =>
      aws.apiUpdate('ml-nostart', { deleteRequested: { purge: false, recordTtl: 1790000000 } }),
    );
    aws.fail('states:startExecution', new ServiceError('States.AccessDeniedException', 'not authorized'), 4);

    const result = await aws.run('create', createInput(record), execution);

    expect(result.status).toBe('SUCCEEDED'); // the create itself worked
    expect(aws.cluster('ml-nostart')).toMatchObject({
      status: 'DELETE_FAILED',
      statusReason:
        'The deletion requested while the previous operation ran could not be started; nothing was deleted. Retry the delete.',
    });
    expect(aws.startedExecutions).toEqual([]);
  });

  it('does not let a failing timeline write stop the status change or the hand-over', async () => {
    const { aws, execution, record } = setUp('ml-notimeline');
    aws.plans.create.push({ seconds: 60 });
    aws.at(5, () =>
      aws.apiUpdate('ml-notimeline', { deleteRequested: { purge: false, recordTtl: 1790000000 } }),
    );
    aws.fail(
      'dynamodb:putItem',
      new ServiceError('DynamoDB.InternalServerError', 'Internal server error'),
      4,
    );

    await aws.run('create', createInput(record), execution);

    expect(aws.cluster('ml-notimeline').status).toBe('DELETING');
    expect(aws.startedExecutions.map((started) => started.name)).toEqual([`${execution}-d`]);
  });

  it('leaves a record another operation took over alone', async () => {
    const { aws, execution, record } = setUp('ml-stolen');
    aws.plans.create.push({ seconds: 60 });
    // An operator force-deletes: the record now belongs to another execution.
    aws.at(30, () => aws.apiUpdate('ml-stolen', { status: 'DELETING', execution: 'ml-stolen-d-manual' }));

    const result = await aws.run('create', createInput(record), execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'StatusConflict' });
    expect(aws.cluster('ml-stolen')).toMatchObject({ status: 'DELETING', execution: 'ml-stolen-d-manual' });
    expect(aws.calls.at(-1)).toMatchObject({
      action: 'dynamodb:updateItem',
      error: 'DynamoDB.ConditionalCheckFailedException',
    });
  });

  it('records CREATE_FAILED through the guard when a call keeps failing', async () => {
    const { aws, execution, record } = setUp('ml-crash');
    aws.plans.create.push({ seconds: 60 });
    // A response the service integration cannot read, on every attempt.
    const unreadable = new ServiceError(
      'CloudFormation.SdkClientException',
      'Unable to unmarshall response (ParseError at [row,col]:[1,1]). Response Code: 200, Response Text: OK',
    );
    aws.fail('cloudformation:describeStacks', unreadable, 4);

    const result = await aws.run('create', createInput(record), execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'CloudFormation.SdkClientException' });
    const cluster = aws.cluster('ml-crash');
    expect(cluster.status).toBe('CREATE_FAILED');
    expect(cluster.statusReason).toBe(
      `The control plane workflow stopped unexpectedly (CloudFormation.SdkClientException); retry the operation. Operators find the details in execution ${execution}.`,
    );
    expect(aws.actions(execution, { timeline: false })).toEqual([
      ...STORE_AND_CREATE,
      ...polls(4), // the first attempt and three retries
      'dynamodb:updateItem',
    ]);
    expect(result.states.slice(-4)).toEqual(['ExplainCrash', 'RecordCrash', 'LogCrash', 'Crashed']);
  });

  it('keeps AWS error text that names internal resources out of the reason', async () => {
    const { aws, execution, record } = setUp('ml-denied');
    aws.fail(
      's3:putObject',
      new ServiceError(
        'S3.AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/det-control-plane-CreateWorkflowRole/abc is not authorized to perform: s3:PutObject',
      ),
      4,
    );

    await aws.run('create', createInput(record), execution);

    const cluster = aws.cluster('ml-denied');
    expect(cluster.status).toBe('CREATE_FAILED');
    expect(cluster.statusReason).toContain('(S3.AccessDeniedException)');
    expect(cluster.statusReason).not.toContain('arn:aws');
    expect(aws.stacks).toHaveLength(0);
  });

  it('can be deleted after it failed', async () => {
    const { aws, execution, record } = setUp('ml-retry');
    aws.plans.create.push({
      seconds: 60,
      failures: [
        { logicalId: 'MasterInstance', type: 'AWS::EC2::Instance', reason: 'InsufficientInstanceCapacity' },
      ],
    });
    await aws.run('create', createInput(record), execution);
    expect(aws.cluster('ml-retry').status).toBe('CREATE_FAILED');

    const deletion = name('ml-retry', 'delete', aws);
    aws.apiUpdate('ml-retry', { status: 'DELETING', execution: deletion });
    await aws.run('delete', deleteInput('ml-retry'), deletion);

    expect(aws.cluster('ml-retry')).toMatchObject({
      status: 'DELETED',
      retained: { secretName: record.secretName },
    });
    expect(aws.stacks.map((stack) => aws.statusOf(stack))).toEqual(['DELETE_COMPLETE']);
  });
});
