/**
 * The claim handshake (docs/adr/0033-claimed-workflows.md): a workflow a request started claims its
 * record first, and ends having touched nothing when the request released the record meanwhile
 * (StartExecution's answer lost, DescribeExecution silent too) or a retry's workflow owns it now.
 * Run in virtual time against aws-model/fake-aws.ts with the rendered workflows.
 */
import { createInput, deleteInput, FakeAws, name, ownedStack, parkInput, seed, stackOf } from './fixtures.ts';

const RELEASED = 'The control plane could not start the create workflow; create the cluster again.';

describe('claim', () => {
  it('a create whose request released the record ends at once: no template, no stack, the record as released', async () => {
    const aws = new FakeAws();
    const execution = name('ml-late', 'create', aws);
    const record = seed(aws, 'ml-late', { execution });
    aws.apiUpdate('ml-late', { status: 'CREATE_FAILED', statusReason: RELEASED });
    const before = aws.rawCluster('ml-late');

    const result = await aws.run('create', createInput(record), execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { clusterId: 'ml-late', claimed: false } });
    expect(aws.actions(execution)).toEqual(['dynamodb:updateItem']);
    expect(aws.stacks).toHaveLength(0);
    expect(aws.rawCluster('ml-late')).toEqual(before);
  });

  it('the 40-create bench case: the retry’s workflow builds the one stack, the late original touches nothing', async () => {
    const aws = new FakeAws();
    aws.plans.create.push({ seconds: 120 });
    const original = name('ml-dup', 'create', aws);
    const record = seed(aws, 'ml-dup', { execution: original });
    // The request released its record (503), the client sent the create again after Retry-After.
    aws.apiUpdate('ml-dup', { status: 'CREATE_FAILED', statusReason: RELEASED });
    const retry = name('ml-dup', 'create', aws, 5_000);
    aws.apiUpdate('ml-dup', { status: 'CREATING', execution: retry });
    const retried = { ...record, execution: retry };

    // The harness runs one execution at a time: the late original first, then the retry's.
    const late = await aws.run('create', createInput(record), original);
    const current = await aws.run('create', createInput(retried), retry);

    expect(late).toMatchObject({ status: 'SUCCEEDED', output: { claimed: false } });
    expect(aws.actions(original)).toEqual(['dynamodb:updateItem']);
    expect(current).toMatchObject({ status: 'SUCCEEDED', output: { status: 'READY' } });
    expect(aws.stacks).toHaveLength(1);
    expect(aws.cluster('ml-dup')).toMatchObject({
      status: 'READY',
      stackId: aws.stack(stackOf('ml-dup'))?.StackId,
    });
    expect(aws.rawCluster('ml-dup').claimedBy).toBe(retry);
  });

  it('a claimed create writes its claim once and keeps its version (the API sees no change)', async () => {
    const aws = new FakeAws();
    aws.plans.create.push({ seconds: 20 });
    const execution = name('ml-claim', 'create', aws);
    const record = seed(aws, 'ml-claim', { execution });
    const result = await aws.run('create', createInput(record), execution);
    expect(result.status).toBe('SUCCEEDED');
    const claim = aws.calls.find((call) => call.state === 'ClaimRecord');
    expect(claim?.params).toMatchObject({
      ConditionExpression: '#status = :from AND #execution = :me',
      ExpressionAttributeValues: { ':from': { S: 'CREATING' }, ':me': { S: execution } },
    });
    expect(aws.cluster('ml-claim').version).toBe(3); // the stack id, then READY: not the claim
  });

  it('a delete whose request put the cluster back (503) leaves the stack and the record untouched', async () => {
    const aws = new FakeAws();
    const stack = ownedStack(aws, 'ml-keep');
    const execution = name('ml-keep', 'delete', aws);
    seed(aws, 'ml-keep', { status: 'READY', stackId: stack.StackId, execution, version: 4 });
    const before = aws.rawCluster('ml-keep');

    const result = await aws.run('delete', deleteInput('ml-keep'), execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { claimed: false } });
    expect(aws.actions(execution)).toEqual(['dynamodb:updateItem']);
    expect(aws.statusOf(stack)).toBe('CREATE_COMPLETE');
    expect(aws.rawCluster('ml-keep')).toEqual(before);
  });

  it('a delete started twice (the second by a retried request) tears down once: the older execution finds the record not its own', async () => {
    const aws = new FakeAws();
    const stack = ownedStack(aws, 'ml-twice');
    aws.plans.delete.push({ seconds: 60 });
    const first = name('ml-twice', 'delete', aws);
    const second = name('ml-twice', 'delete', aws, 7_000);
    seed(aws, 'ml-twice', { status: 'DELETING', stackId: stack.StackId, execution: second, version: 6 });

    const older = await aws.run('delete', deleteInput('ml-twice'), first);
    const newer = await aws.run('delete', deleteInput('ml-twice'), second);

    expect(older).toMatchObject({ status: 'SUCCEEDED', output: { claimed: false } });
    expect(aws.actions(first)).toEqual(['dynamodb:updateItem']);
    expect(newer).toMatchObject({ status: 'SUCCEEDED', output: { status: 'DELETED' } });
    expect(aws.calls.filter((call) => call.action === 'cloudformation:deleteStack')).toHaveLength(1);
  });

  it.each([
    ['stop', 'STOP_FAILED'],
    ['start', 'START_FAILED'],
  ] as const)('a %s whose request released the record touches no instance', async (operation, released) => {
    const aws = new FakeAws();
    const stack = ownedStack(aws, 'ml-park');
    const execution = name('ml-park', operation, aws);
    seed(aws, 'ml-park', { status: released, stackId: stack.StackId, execution });

    const result = await aws.run(operation, parkInput('ml-park'), execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { claimed: false } });
    expect(aws.actions(execution)).toEqual(['dynamodb:updateItem']);
    expect(aws.cluster('ml-park').status).toBe(released);
  });
});
