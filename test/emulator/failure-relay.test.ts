/**
 * The execution-failure relay in the emulator, fed the real "Step Functions Execution Status
 * Change" event shape: a cluster its stopped workflow still owns becomes *_FAILED; a cluster that
 * moved on (another execution owns it) is left alone.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { clusterKey } from '../../adapters/cluster-store.ts';
import { emulator, uniqueId } from '../support/local-api.ts';

const TABLE = 'det-control-plane-local-clusters';
const TEAM = 'relay';
const ACCOUNT = '123456789012';
const machine = (name: string) =>
  `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:det-control-plane-local-${name}`;

function statusChangeEvent(
  workflow: 'create' | 'update' | 'delete',
  execution: string,
  clusterId: string,
  status: string,
) {
  return {
    version: '0',
    id: 'b3f7d6a0-1111-2222-3333-444455556666',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [
      `arn:aws:states:us-east-1:${ACCOUNT}:execution:det-control-plane-local-${workflow}:${execution}`,
    ],
    detail: {
      executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:det-control-plane-local-${workflow}:${execution}`,
      stateMachineArn: machine(workflow),
      name: execution,
      status,
      startDate: Date.now() - 60_000,
      stopDate: Date.now(),
      input: JSON.stringify({ team: TEAM, clusterId, timing: {} }),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: 'States.Runtime',
      cause: 'internal detail that must not reach the cluster record',
    },
  };
}

async function putRecord(clusterId: string, status: string, execution: string) {
  await emulator.dynamo().send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        ...clusterKey({ team: TEAM, clusterId }),
        clusterId,
        team: TEAM,
        status,
        execution,
        version: 3,
        idle: { idleTimeout: '1h' },
      },
    }),
  );
}

async function relay(event: object): Promise<void> {
  await emulator.sfn().send(
    new StartExecutionCommand({
      stateMachineArn: machine('execution-failure-relay'),
      input: JSON.stringify(event),
    }),
  );
}

async function recordOf(clusterId: string, until: (item: Record<string, unknown>) => boolean) {
  for (let attempt = 0; attempt < 40; attempt++) {
    const { Item = {} } = await emulator
      .dynamo()
      .send(new GetCommand({ TableName: TABLE, Key: clusterKey({ team: TEAM, clusterId }) }));
    if (until(Item)) return Item;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${clusterId} did not change`);
}

describe('the execution-failure relay', () => {
  it.each([
    ['create', 'CREATING', 'CREATE_FAILED', 'FAILED'],
    ['update', 'UPDATING', 'UPDATE_FAILED', 'TIMED_OUT'],
    ['delete', 'DELETING', 'DELETE_FAILED', 'ABORTED'],
  ] as const)(
    'marks a cluster its stopped %s workflow still owns %s -> %s',
    async (workflow, from, to, status) => {
      const clusterId = uniqueId('relay');
      const execution = `${clusterId}-${workflow[0]}-abc`;
      await putRecord(clusterId, from, execution);
      await relay(statusChangeEvent(workflow, execution, clusterId, status));
      const item = await recordOf(clusterId, (record) => record.status !== from);
      expect(item.status).toBe(to);
      expect(item.statusReason).toContain(status);
      expect(item.statusReason).not.toContain('internal detail');
      expect(item.version).toBe(4);
    },
    30_000,
  );

  it('leaves a cluster alone when another execution owns it now', async () => {
    const clusterId = uniqueId('relay-moved');
    await putRecord(clusterId, 'DELETING', `${clusterId}-d-newer`);
    await relay(statusChangeEvent('create', `${clusterId}-c-older`, clusterId, 'FAILED'));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const item = await recordOf(clusterId, () => true);
    expect(item).toMatchObject({ status: 'DELETING', version: 3 });
  }, 30_000);

  it('marks the stopped workflow’s own team’s cluster, not another team’s of the same id (finding 4)', async () => {
    const clusterId = uniqueId('relay-twin');
    const execution = `${clusterId}-c-abc`;
    await putRecord(clusterId, 'CREATING', execution);
    const twin = { ...clusterKey({ team: 'other', clusterId }), clusterId, team: 'other' };
    await emulator.dynamo().send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...twin, status: 'CREATING', execution, version: 3, idle: { idleTimeout: '1h' } },
      }),
    );
    await relay(statusChangeEvent('create', execution, clusterId, 'FAILED'));
    expect((await recordOf(clusterId, (record) => record.status !== 'CREATING')).status).toBe(
      'CREATE_FAILED',
    );
    const { Item = {} } = await emulator
      .dynamo()
      .send(new GetCommand({ TableName: TABLE, Key: clusterKey({ team: 'other', clusterId }) }));
    expect(Item).toMatchObject({ status: 'CREATING', version: 3 });
  }, 30_000);
});
