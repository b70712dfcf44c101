/**
 * The update workflow (statemachines/update.asl.json): UpdateStack with UsePreviousValue for what did
 * not change, against the model of AWS in aws-model/fake-aws.ts.
 */
import type { ClusterParameters } from '../../../core/cluster/model.ts';
import {
  FakeAws,
  name,
  ownedStack,
  ownershipTags,
  PARAMETERS,
  seed,
  stackParameters,
  updateInput,
} from './fixtures.ts';

const AFTER: ClusterParameters = { ...PARAMETERS, maxDynamicAgents: 7 };

function setUp(clusterId: string) {
  const aws = new FakeAws();
  const stack = ownedStack(aws, clusterId);
  const execution = name(clusterId, 'update', aws);
  const record = seed(aws, clusterId, {
    status: 'UPDATING',
    execution,
    stackId: stack.StackId,
    pendingParameters: AFTER,
    version: 5,
  });
  stack.parameters = stackParameters(record);
  return { aws, stack, execution, record };
}

describe('update', () => {
  it('applies what changed, keeps every other parameter, and records READY', async () => {
    const { aws, stack, execution, record } = setUp('ml-up');
    const before = { ...stack.parameters };
    aws.plans.update.push({ seconds: 100 });

    const result = await aws.run('update', updateInput(record, AFTER), execution);

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { clusterId: 'ml-up', status: 'READY' } });
    const cluster = aws.cluster('ml-up');
    expect(cluster.status).toBe('READY');
    expect(cluster.parameters).toEqual(AFTER);
    expect(cluster.pendingParameters).toBeUndefined();
    expect(cluster.outputs.masterUrl).toBe('http://203.0.113.10:8080');
    expect(stack.parameters).toEqual({ ...before, MaxDynamicAgents: '7' });

    const update = aws.calls.find((call) => call.action === 'cloudformation:updateStack');
    expect(update?.params).toMatchObject({
      StackName: stack.StackId,
      UsePreviousTemplate: true,
      ClientRequestToken: execution,
      RoleARN: 'arn:aws:iam::123456789012:role/det-control-plane-test-stacks',
    });
    // Only the changed parameter has a value; det-deploy would have reset the others to defaults.
    expect(
      update?.params.Parameters.filter((parameter: { ParameterValue?: string }) => parameter.ParameterValue),
    ).toEqual([{ ParameterKey: 'MaxDynamicAgents', ParameterValue: '7' }]);
    expect(update?.params.Parameters).toContainEqual({ ParameterKey: 'Keypair', UsePreviousValue: true });
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem', // the claim: the record is still this execution's (ADR 0033)
      'cloudformation:describeStacks', // the recorded stack, by id: its ownership tags
      'cloudformation:updateStack',
      'cloudformation:describeStacks', // 10 s
      'cloudformation:describeStacks', // 25 s
      'cloudformation:describeStacks', // 45 s
      'cloudformation:describeStacks', // 70 s: UPDATE_COMPLETE_CLEANUP_IN_PROGRESS is still running
      'cloudformation:describeStacks', // 100 s: UPDATE_COMPLETE
      'dynamodb:updateItem',
    ]);
    expect(aws.timeline('ml-up')).toEqual([expect.objectContaining({ kind: 'ready', status: 'READY' })]);
  });

  it('treats "No updates are to be performed" as success', async () => {
    const { aws, stack, execution, record } = setUp('ml-same');
    // The stack has the new value already (an earlier attempt got that far).
    stack.parameters.MaxDynamicAgents = '7';
    const before = { ...stack.parameters };

    const result = await aws.run('update', updateInput(record, AFTER), execution);

    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-same')).toMatchObject({ status: 'READY', parameters: AFTER });
    expect(aws.cluster('ml-same').pendingParameters).toBeUndefined();
    expect(stack.parameters).toEqual(before);
    // CloudFormation's validation errors share one error name with throttling: retried, then read.
    expect(aws.actions(execution, { timeline: false })).toEqual([
      'dynamodb:updateItem',
      'cloudformation:describeStacks',
      'cloudformation:updateStack',
      'cloudformation:updateStack',
      'cloudformation:updateStack',
      'cloudformation:updateStack',
      'dynamodb:updateItem',
    ]);
  });

  it('ends UPDATE_FAILED with the root cause after the rollback, keeping the parameters', async () => {
    const { aws, stack, execution, record } = setUp('ml-roll');
    const before = { ...stack.parameters };
    // An earlier update failed too: older, and of another operation.
    aws.addStackEvent(stack, {
      at: aws.clock.now() - 86_400_000,
      logicalId: 'AgentSecurityGroup',
      type: 'AWS::EC2::SecurityGroup',
      status: 'UPDATE_FAILED',
      reason: 'an earlier update',
      token: 'ml-roll-u-earlier',
    });
    aws.plans.update.push({
      seconds: 300,
      failures: [
        {
          logicalId: 'MasterInstance',
          type: 'AWS::EC2::Instance',
          reason:
            'The requested configuration is currently not supported. Please check the documentation for supported configurations.',
        },
      ],
    });

    const result = await aws.run('update', updateInput(record, AFTER), execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'StackUpdateFailed' });
    const cluster = aws.cluster('ml-roll');
    expect(cluster).toMatchObject({
      status: 'UPDATE_FAILED',
      statusReason:
        'MasterInstance (AWS::EC2::Instance) failed: The requested configuration is currently not supported. Please check the documentation for supported configurations.',
      parameters: PARAMETERS,
    });
    expect(cluster.pendingParameters).toBeUndefined();
    expect(aws.statusOf(stack)).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(stack.parameters).toEqual(before);
    expect(aws.actions(execution, { timeline: false }).slice(-3)).toEqual([
      'cloudformation:describeStacks', // UPDATE_ROLLBACK_COMPLETE
      'cloudformation:describeStackEvents',
      'dynamodb:updateItem',
    ]);
  });

  it('finds the root cause when a resource the update adds fails to create', async () => {
    const { aws, execution, record } = setUp('ml-add');
    aws.plans.update.push({
      seconds: 120,
      failures: [
        {
          logicalId: 'AgentPlacementGroup',
          type: 'AWS::EC2::PlacementGroup',
          reason: 'Resource handler returned message: "Invalid placement group strategy"',
          status: 'CREATE_FAILED',
        },
      ],
    });

    await aws.run('update', updateInput(record, AFTER), execution);

    expect(aws.cluster('ml-add')).toMatchObject({
      status: 'UPDATE_FAILED',
      statusReason:
        'AgentPlacementGroup (AWS::EC2::PlacementGroup) failed: Resource handler returned message: "Invalid placement group strategy"',
    });
  });

  it('says why CloudFormation refused the update', async () => {
    const { aws, stack, execution, record } = setUp('ml-busy');
    stack.history.push({ at: aws.clock.now(), status: 'UPDATE_ROLLBACK_FAILED' });

    await aws.run('update', updateInput(record, AFTER), execution);

    const cluster = aws.cluster('ml-busy');
    expect(cluster.status).toBe('UPDATE_FAILED');
    expect(cluster.statusReason).toBe(
      `CloudFormation did not accept the update: Stack:${stack.StackId} is in UPDATE_ROLLBACK_FAILED state and can not be updated.`,
    );
    expect(cluster.parameters).toEqual(PARAMETERS);
  });

  it.each([
    ['another cluster’s', ownershipTags('ml-neighbour')],
    ['another team’s', ownershipTags('ml-foreign', 'vision')],
    ['no', []],
  ])(
    'refuses a recorded stack that carries %s ownership tags: nothing is changed (finding 1)',
    async (_name, tags) => {
      const aws = new FakeAws();
      const foreign = aws.addCompleteStack('victim-stack', {}, tags);
      const before = { ...foreign.parameters };
      const execution = name('ml-foreign', 'update', aws);
      const record = seed(aws, 'ml-foreign', {
        status: 'UPDATING',
        execution,
        stackId: foreign.StackId,
        pendingParameters: AFTER,
      });

      const result = await aws.run('update', updateInput(record, AFTER), execution);

      expect(result).toMatchObject({ status: 'FAILED', error: 'StackUpdateFailed' });
      expect(aws.cluster('ml-foreign')).toMatchObject({
        status: 'UPDATE_FAILED',
        statusReason: expect.stringContaining('does not carry its ownership tags'),
        parameters: PARAMETERS,
      });
      expect(aws.actions(execution)).not.toContain('cloudformation:updateStack');
      expect(foreign.parameters).toEqual(before);
    },
  );
});
