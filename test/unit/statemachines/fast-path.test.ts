/**
 * The fast path: the workflows park on a task token (dynamodb:updateItem.waitForTaskToken stores it on
 * the record) and the stack-event relay (statemachines/stack-event-relay.asl.json), fed CloudFormation's
 * "Stack Status Change" events by EventBridge, returns it; a fallback poll covers a lost event.
 */
import { stackStatusChangeEvent } from '../../../aws-model/cloudformation-events.ts';
import { ServiceError } from '../../../aws-model/fake-aws.ts';
import { clusterPk } from '../../../adapters/cluster-store.ts';
import { createInput, deleteInput, FakeAws, name, ownedStack, seed, stackOf } from './fixtures.ts';

const FAST = { fastPath: true, fallbackPollSeconds: 600 };

function setUp(clusterId: string) {
  const aws = new FakeAws();
  const execution = name(clusterId, 'create', aws);
  const record = seed(aws, clusterId, { execution });
  return { aws, execution, record };
}

describe('fast path', () => {
  it('wakes the create when the stack-event relay returns the token', async () => {
    const { aws, execution, record } = setUp('ml-fast');
    aws.eventBridge = { deliver: true, delaySeconds: 1 };
    aws.plans.create.push({ seconds: 300 });

    const result = await aws.run('create', createInput(record, FAST), execution);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-fast').status).toBe('READY');
    expect(aws.rawCluster('ml-fast').waitToken).toBeUndefined();
    // Noticed a second after CloudFormation's event, not at the next poll.
    expect(aws.clock.secondsSince(aws.started)).toBe(301);
    expect(result.states).not.toContain('CreateFallbackPollDue');
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim
      'ec2:describeKeyPairs',
      's3:putObject',
      'cloudformation:createStack',
      'dynamodb:updateItem',
      'dynamodb:updateItem.waitForTaskToken',
      'cloudformation:describeStacks',
      'dynamodb:updateItem',
    ]);
    const park = aws.calls.find((call) => call.action === 'dynamodb:updateItem.waitForTaskToken');
    expect(park?.params).toMatchObject({
      UpdateExpression: 'SET waitToken = :token',
      ConditionExpression: '#execution = :me',
      ExpressionAttributeValues: { ':me': { S: execution } },
    });

    const relays = await Promise.all(aws.relayRuns);
    expect(relays.map((relay) => relay.states)).toEqual([
      [
        'ReadEvent',
        'FindCluster',
        'IsKnown',
        'FindWaitingWorkflow',
        'IsWaiting',
        'SameStack',
        'WakeWorkflow',
      ],
    ]);
    expect(relays.map((relay) => relay.status)).toEqual(['SUCCEEDED']);
    const relay = relays[0]?.name ?? '';
    expect(aws.actions(relay)).toEqual(['dynamodb:query', 'dynamodb:getItem', 'sfn:sendTaskSuccess']);
    // The stack id leads to the record's key through the keys-only index, then a consistent read.
    expect(
      aws.calls.find((call) => call.action === 'dynamodb:getItem' && call.execution === relay)?.params,
    ).toMatchObject({
      Key: { pk: { S: clusterPk({ team: 'ml', clusterId: 'ml-fast' }) }, sk: { S: 'CLUSTER' } },
      ConsistentRead: true,
    });
    expect(aws.calls.find((call) => call.action === 'sfn:sendTaskSuccess')?.params).toEqual({
      TaskToken: park?.params.ExpressionAttributeValues[':token'].S,
      Output: '{"status":"CREATE_COMPLETE","status-reason":""}',
    });
    expect(result.transitions).toBeLessThanOrEqual(20);
  });

  it('falls back to a poll when the event never comes', async () => {
    const { aws, execution, record } = setUp('ml-lost');
    aws.eventBridge = { deliver: false, delaySeconds: 1 };
    aws.plans.create.push({ seconds: 300 });

    const result = await aws.run('create', createInput(record, FAST), execution);

    expect(aws.cluster('ml-lost').status).toBe('READY');
    expect(aws.clock.secondsSince(aws.started)).toBe(600); // the task timed out after fallbackPollSeconds
    expect(result.states.filter((state) => state === 'CreateFallbackPollDue')).toHaveLength(1);
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim
      'ec2:describeKeyPairs',
      's3:putObject',
      'cloudformation:createStack',
      'dynamodb:updateItem',
      'dynamodb:updateItem.waitForTaskToken', // timed out at 600 s
      'cloudformation:describeStacks',
      'dynamodb:updateItem',
    ]);
  });

  it('parks again while the stack is still running, and counts the fallback polls against the budget', async () => {
    const { aws, execution, record } = setUp('ml-long');
    aws.plans.create.push({ seconds: 100_000 });

    await aws.run(
      'create',
      createInput(record, {
        ...FAST,
        budgetSeconds: { create: 1800, update: 1800, delete: 1800, stop: 1800, start: 1800 },
      }),
      execution,
    );

    expect(aws.cluster('ml-long')).toMatchObject({
      status: 'CREATE_FAILED',
      statusReason: 'The stack did not finish creating within 1800 seconds (last status CREATE_IN_PROGRESS).',
    });
    expect(
      aws.actions(execution, { timeline: false }).filter((action) => action.endsWith('waitForTaskToken')),
    ).toHaveLength(3);
    expect(aws.clock.secondsSince(aws.started)).toBe(1800);
  });

  it('falls back to polling when the record cannot take the token', async () => {
    const { aws, execution, record } = setUp('ml-park');
    aws.eventBridge = { deliver: true, delaySeconds: 1 };
    aws.plans.create.push({ seconds: 30 });
    aws.fail(
      'dynamodb:updateItem.waitForTaskToken',
      new ServiceError('DynamoDb.DynamoDbException', 'Internal error'),
      1,
    );

    const result = await aws.run('create', createInput(record, FAST), execution);

    expect(aws.cluster('ml-park').status).toBe('READY');
    expect(result.states).toContain('CreateDelay');
  });

  it('wakes a delete too', async () => {
    const aws = new FakeAws();
    aws.eventBridge = { deliver: true, delaySeconds: 2 };
    const stack = ownedStack(aws, 'ml-fastdel');
    const execution = name('ml-fastdel', 'delete', aws);
    seed(aws, 'ml-fastdel', { status: 'DELETING', execution, stackId: stack.StackId });
    aws.plans.delete.push({ seconds: 400 });

    const result = await aws.run('delete', deleteInput('ml-fastdel', {}, FAST), execution);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-fastdel').status).toBe('DELETED');
    expect(aws.clock.secondsSince(aws.started)).toBe(402);
  });
});

describe('stack-event relay', () => {
  async function relay(aws: FakeAws, event: unknown) {
    const result = await aws.run('stack-event-relay', event, `relay-${Math.random().toString(36).slice(2)}`);
    return { result, actions: aws.actions(result.name) };
  }

  it('ignores stacks the control plane does not manage', async () => {
    const aws = new FakeAws();
    const { result, actions } = await relay(
      aws,
      stackStatusChangeEvent({
        stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/someone-elses/0a1b',
        status: 'CREATE_COMPLETE',
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states).toEqual(['ReadEvent', 'FindCluster', 'IsKnown', 'NobodyWaiting']);
    expect(actions).toEqual(['dynamodb:query']);
  });

  it('does not wake a workflow for another stack of the same name', async () => {
    const aws = new FakeAws();
    seed(aws, 'ml-same', {
      stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackOf('ml-same')}/new`,
    });
    aws.table.updateItem({
      TableName: 'det-control-plane-test-clusters',
      Key: { pk: { S: clusterPk({ team: 'ml', clusterId: 'ml-same' }) }, sk: { S: 'CLUSTER' } },
      UpdateExpression: 'SET waitToken = :token',
      ExpressionAttributeValues: { ':token': { S: 'token-x' } },
    });
    const { result, actions } = await relay(
      aws,
      stackStatusChangeEvent({
        stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackOf('ml-same')}/old`,
        status: 'DELETE_COMPLETE',
      }),
    );
    expect(result.states.at(-1)).toBe('NobodyWaiting');
    expect(actions).toEqual(['dynamodb:query']);
  });

  it('wakes the workflow of the stack’s own cluster only, when two teams have had the same id (finding 4)', async () => {
    const aws = new FakeAws();
    // One stack name, two incarnations: the stack id (its UUID) tells them apart.
    const stackId = (team: string) =>
      `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackOf('dev')}/${team}`;
    for (const team of ['ml', 'vision']) {
      seed(aws, 'dev', { team, stackId: stackId(team) });
      aws.table.updateItem({
        TableName: 'det-control-plane-test-clusters',
        Key: { pk: { S: clusterPk({ team, clusterId: 'dev' }) }, sk: { S: 'CLUSTER' } },
        UpdateExpression: 'SET waitToken = :token',
        ExpressionAttributeValues: { ':token': { S: `token-${team}` } },
      });
    }
    await relay(aws, stackStatusChangeEvent({ stackId: stackId('vision'), status: 'CREATE_COMPLETE' }));
    expect(
      aws.calls.filter((call) => call.action === 'sfn:sendTaskSuccess').map((call) => call.params.TaskToken),
    ).toEqual(['token-vision']);
  });

  it('succeeds when the token is no longer waited on', async () => {
    const aws = new FakeAws();
    const stackId = `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackOf('ml-stale')}/1`;
    seed(aws, 'ml-stale', { stackId });
    aws.table.updateItem({
      TableName: 'det-control-plane-test-clusters',
      Key: { pk: { S: clusterPk({ team: 'ml', clusterId: 'ml-stale' }) }, sk: { S: 'CLUSTER' } },
      UpdateExpression: 'SET waitToken = :token',
      ExpressionAttributeValues: { ':token': { S: 'token-timed-out' } },
    });
    const { result, actions } = await relay(
      aws,
      stackStatusChangeEvent({ stackId, status: 'UPDATE_COMPLETE' }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.slice(-2)).toEqual(['WakeWorkflow', 'NobodyWaiting']);
    expect(actions).toEqual(['dynamodb:query', 'dynamodb:getItem', 'sfn:sendTaskSuccess']);
    expect(aws.calls.at(-1)?.error).toBe('Sfn.InvalidTokenException');
  });
});
