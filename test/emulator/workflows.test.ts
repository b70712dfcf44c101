/**
 * The lifecycle workflows end to end in the emulator's real Step Functions executions: an update
 * that keeps every other parameter, deletes that keep or purge the data, and the fast path woken by a
 * CloudFormation "Stack Status Change" event of the real shape, sent through the relay workflow.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { clusterKey, toItem } from '../../adapters/cluster-store.ts';
import type { ClusterParameters, ClusterRecord } from '../../core/cluster/model.ts';
import { executionName, secretName, stackName } from '../../core/cluster/naming.ts';
import { CREATE_DEFAULTS } from '../../core/cluster/request.ts';
import { createWorkflowInput } from '../../core/workflow/create-input.ts';
import { renderTemplate } from '../../templates/src/index.ts';
import { stackStatusChangeEvent } from '../../aws-model/cloudformation-events.ts';
import { call, DEMO_KEY_PAIR, emulator, tokenFor, uniqueId, waitForStatus } from '../support/local-api.ts';

const TABLE = 'det-control-plane-local-clusters';
const TEAM = 'workflows';
const MACHINES = 'arn:aws:states:us-east-1:123456789012:stateMachine:det-control-plane-local';

async function stackParameters(stackId: string): Promise<Record<string, string | undefined>> {
  const { Stacks = [] } = await emulator
    .cloudFormation()
    .send(new DescribeStacksCommand({ StackName: stackId }));
  return Object.fromEntries(
    (Stacks[0]?.Parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]),
  );
}

/** The stored cluster item, with what the API does not show (secret name, retained secret, waitToken). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an item of the table, as stored
async function readRecord(clusterId: string): Promise<Record<string, any>> {
  const { Item } = await emulator.dynamo().send(
    new GetCommand({
      TableName: TABLE,
      Key: clusterKey({ team: TEAM, clusterId }),
      ConsistentRead: true,
    }),
  );
  return Item ?? {};
}

async function bucketExists(bucket: string): Promise<boolean> {
  try {
    await emulator.s3().send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch {
    return false;
  }
}

async function manualSnapshots(filter: { DBSnapshotIdentifier?: string; DBInstanceIdentifier?: string }) {
  try {
    const { DBSnapshots = [] } = await emulator
      .rds()
      .send(new DescribeDBSnapshotsCommand({ ...filter, SnapshotType: 'manual' }));
    return DBSnapshots.map((snapshot) => snapshot.DBSnapshotIdentifier);
  } catch {
    return [];
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('lifecycle workflows in the emulator', () => {
  let token: string;
  beforeAll(async () => {
    token = await tokenFor(TEAM);
  });

  it('updates only what a PATCH changed, then a plain DELETE keeps the bucket and a final snapshot', async () => {
    const clusterId = uniqueId('wf-up');
    const created = await call('POST', '/clusters', {
      token,
      body: { clusterId, keypair: DEMO_KEY_PAIR, maxDynamicAgents: 4, spot: false },
    });
    expect(created.status).toBe(202);
    const ready = await waitForStatus(clusterId, token, 'READY');
    const before = await stackParameters(ready.body.stackId);
    expect(before.MaxDynamicAgents).toBe('4');

    const patched = await call('PATCH', `/clusters/${clusterId}`, { token, body: { maxDynamicAgents: 7 } });
    expect(patched.status).toBe(202);
    expect(patched.body.status).toBe('UPDATING');
    const updated = await waitForStatus(clusterId, token, 'READY');
    expect(updated.body.parameters).toEqual({ ...ready.body.parameters, maxDynamicAgents: 7 });
    // UsePreviousValue kept every other parameter of the stack as it was.
    expect(await stackParameters(ready.body.stackId)).toEqual({ ...before, MaxDynamicAgents: '7' });

    const deleting = await call('DELETE', `/clusters/${clusterId}`, { token });
    expect(deleting.status).toBe(202);
    const deleted = await waitForStatus(clusterId, token, 'DELETED');
    const { retained } = deleted.body;
    expect(retained.checkpointBucket).toBe(ready.body.outputs.checkpointBucket);
    expect(await bucketExists(retained.checkpointBucket)).toBe(true);
    expect(retained.dbSnapshot).toEqual(expect.stringContaining('-final-'));
    expect(await manualSnapshots({ DBSnapshotIdentifier: retained.dbSnapshot })).toEqual([
      retained.dbSnapshot,
    ]);
    // The secret with the database's password is kept with the snapshot (recorded, never shown).
    const stored = await readRecord(clusterId);
    expect(stored.retained).toMatchObject({ secretName: stored.secretName });
    const secret = await emulator.secrets().send(new DescribeSecretCommand({ SecretId: stored.secretName }));
    expect(secret.DeletedDate).toBeUndefined();
  }, 45_000);

  it('DELETE ?purge=true removes the bucket, the final snapshot and the secret', async () => {
    const clusterId = uniqueId('wf-purge');
    await call('POST', '/clusters', { token, body: { clusterId, keypair: DEMO_KEY_PAIR } });
    const ready = await waitForStatus(clusterId, token, 'READY');
    const bucket = ready.body.outputs.checkpointBucket;
    const database = ready.body.outputs.databaseInstanceId;
    expect(await bucketExists(bucket)).toBe(true);

    const deleting = await call('DELETE', `/clusters/${clusterId}?purge=true`, { token });
    expect(deleting.status).toBe(202);
    const deleted = await waitForStatus(clusterId, token, 'DELETED');

    expect(deleted.body.retained).toBeUndefined();
    expect(await bucketExists(bucket)).toBe(false);
    expect(await manualSnapshots({ DBInstanceIdentifier: database })).toEqual([]);
    const stored = await readRecord(clusterId);
    expect(stored.retained).toEqual({ checkpointBucket: '', dbSnapshot: '', secretName: '' });
    const secret = await emulator.secrets().send(new DescribeSecretCommand({ SecretId: stored.secretName }));
    expect(secret.DeletedDate).toBeDefined();
  }, 45_000);

  it('a DELETE during the create is handed over to the delete workflow when the create ends', async () => {
    const clusterId = uniqueId('wf-handover');
    const created = await call('POST', '/clusters', { token, body: { clusterId, keypair: DEMO_KEY_PAIR } });
    expect(created.status).toBe(202);
    // The create's own writes bump the version; a DELETE that raced one is refused and sent again.
    let deleting = await call('DELETE', `/clusters/${clusterId}?purge=true`, { token });
    if (deleting.status === 409)
      deleting = await call('DELETE', `/clusters/${clusterId}?purge=true`, { token });
    expect(deleting.status).toBe(202);
    expect(deleting.body.status).toBe('CREATING');

    const deleted = await waitForStatus(clusterId, token, 'DELETED');
    expect(deleted.body.retained).toBeUndefined(); // the purge asked for while creating was honoured
    const stored = await readRecord(clusterId);
    expect(stored.execution).toMatch(/-c-[a-z0-9]+-d$/); // the delete execution the create started
    const { Stacks = [] } = await emulator
      .cloudFormation()
      .send(new DescribeStacksCommand({ StackName: stored.stackId }));
    expect(Stacks[0]?.StackStatus).toBe('DELETE_COMPLETE');
  }, 45_000);

  it('fast path: a parked create wakes on the relayed CloudFormation event', async () => {
    const clusterId = uniqueId('wf-fast');
    const cluster = { team: TEAM, clusterId };
    const now = new Date();
    const execution = executionName(cluster, 'create', now);
    const parameters: ClusterParameters = {
      ...CREATE_DEFAULTS,
      keypair: DEMO_KEY_PAIR,
      region: 'us-east-1',
      idleTimeout: 'never',
      tags: {},
    };
    const secret = secretName(cluster, 1, now);
    await emulator.secrets().send(
      new CreateSecretCommand({
        Name: secret,
        SecretString: JSON.stringify({
          dbPassword: 'a-long-db-password',
          adminPassword: 'a-long-admin-password',
        }),
      }),
    );
    // The record as the API writes it before it starts a create.
    const record: ClusterRecord = {
      clusterId,
      team: TEAM,
      owner: 'workflows-user',
      deploymentType: 'simple',
      status: 'CREATING',
      parameters,
      outputs: {},
      secretName: secret,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 1,
      idle: { idleTimeout: 'never' },
      execution,
    };
    await emulator.dynamo().send(new PutCommand({ TableName: TABLE, Item: toItem(record) }));
    const input = createWorkflowInput(record, {
      stackName: stackName('', cluster.clusterId),
      template: renderTemplate('simple'),
      inputs: { secretName: secret },
      timing: {
        pollSeconds: 1,
        pollIncrementSeconds: 0,
        maxPollSeconds: 2,
        fastPath: true,
        fallbackPollSeconds: 300,
        budgetSeconds: { create: 3600, update: 3600, delete: 3600, stop: 1800, start: 1800 },
      },
    });
    const sfn = emulator.sfn();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `${MACHINES}-create`,
        name: execution,
        input: JSON.stringify(input),
      }),
    );

    // Parked: the stack id and the task token are on the record, and the execution waits. The relay
    // finds the record from the stack id alone, through the table's keys-only by-stack index.
    const parked = await until(
      () => readRecord(clusterId),
      (item) => typeof item.waitToken === 'string',
      15_000,
    );
    expect(parked).toMatchObject({
      status: 'CREATING',
      waitToken: expect.any(String),
      stackId: expect.any(String),
    });
    const stackId = String(parked.stackId);
    const { Stacks = [] } = await emulator
      .cloudFormation()
      .send(new DescribeStacksCommand({ StackName: stackId }));
    expect(Stacks[0]?.StackStatus).toBe('CREATE_COMPLETE'); // the emulator creates stacks at once
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    expect((await readRecord(clusterId)).status).toBe('CREATING');

    // CloudFormation's event, as EventBridge hands it to the relay.
    const event = stackStatusChangeEvent({
      stackId,
      status: 'CREATE_COMPLETE',
      clientRequestToken: execution,
    });
    const relayed = Date.now();
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `${MACHINES}-stack-event-relay`,
        name: `relay-${clusterId}`,
        input: JSON.stringify(event),
      }),
    );

    const ready = await waitForStatus(clusterId, token, 'READY', 45_000);
    // Well under the fallback poll (300 s) and the lost-event sweep (60 s), with room for a loaded CI machine.
    expect(Date.now() - relayed).toBeLessThan(40_000);
    expect(ready.body.outputs.masterUrl).toMatch(/^http:/);
    expect((await readRecord(clusterId)).waitToken).toBeUndefined();
    const finished = await until(
      () => sfn.send(new DescribeExecutionCommand({ executionArn })),
      (described) => described.status !== 'RUNNING',
      5_000,
    );
    expect(finished.status).toBe('SUCCEEDED');
  }, 90_000);
});
