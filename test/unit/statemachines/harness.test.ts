/**
 * The scenario tests are only as good as their fakes: the table must refuse what DynamoDB refuses,
 * and the harness must keep AWS's semantics where the interpreter differs.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { FakeTable, toItem } from '../../../aws-model/fake-dynamodb.ts';
import { VirtualClock } from '../../../aws-model/workflow-harness.ts';

const TABLE = 'clusters';
const key = { pk: { S: 'CLUSTER#a' }, sk: { S: 'CLUSTER' } };

function table() {
  const fake = new FakeTable(TABLE);
  fake.write(toItem({ pk: 'CLUSTER#a', sk: 'CLUSTER', status: 'CREATING', execution: 'e1', version: 1 }));
  return fake;
}

const owned = {
  TableName: TABLE,
  Key: key,
  UpdateExpression: 'SET #status = :to, #version = #version + :one',
  ConditionExpression: '#status = :from AND #execution = :me',
  ExpressionAttributeNames: { '#status': 'status', '#version': 'version', '#execution': 'execution' },
  ExpressionAttributeValues: {
    ':to': { S: 'READY' },
    ':from': { S: 'CREATING' },
    ':me': { S: 'e1' },
    ':one': { N: '1' },
  },
  ReturnValues: 'ALL_NEW',
};

describe('fake cluster table', () => {
  it('applies a conditional update whose condition holds', () => {
    expect(table().updateItem(owned).Attributes).toMatchObject({
      status: { S: 'READY' },
      version: { N: '2' },
    });
  });

  it('refuses it when the status or the owning execution differ', () => {
    const fake = table();
    for (const values of [
      { ...owned.ExpressionAttributeValues, ':me': { S: 'e2' } },
      { ...owned.ExpressionAttributeValues, ':from': { S: 'UPDATING' } },
    ]) {
      expect(() => fake.updateItem({ ...owned, ExpressionAttributeValues: values })).toThrow(
        expect.objectContaining({ name: 'DynamoDB.ConditionalCheckFailedException' }),
      );
    }
    expect(fake.read('CLUSTER#a', 'CLUSTER')?.status).toEqual({ S: 'CREATING' });
  });

  it('refuses what DynamoDB refuses: unused or undefined names and values, reserved words, overlaps', () => {
    const fake = table();
    const attempt = (changes: object) => () => fake.updateItem({ ...owned, ...changes });
    expect(
      attempt({ ExpressionAttributeNames: { ...owned.ExpressionAttributeNames, '#extra': 'x' } }),
    ).toThrow(/unused in expressions: keys: \{#extra\}/);
    expect(
      attempt({ ExpressionAttributeValues: { ...owned.ExpressionAttributeValues, ':extra': { S: 'x' } } }),
    ).toThrow(/unused in expressions: keys: \{:extra\}/);
    expect(
      attempt({ UpdateExpression: 'SET #status = :to, #version = #version + :one, #missing = :to' }),
    ).toThrow(/attribute name: #missing/);
    expect(attempt({ UpdateExpression: 'SET #status = :to, #version = #version + :one REMOVE ttl' })).toThrow(
      /reserved keyword: ttl/,
    );
    expect(
      attempt({ UpdateExpression: 'SET #status = :to, #version = #version + :one REMOVE #status' }),
    ).toThrow(/Two document paths overlap/);
    expect(attempt({ UpdateExpression: 'SET #status = :to, #version = #version + :one, pk = :to' })).toThrow(
      /part of the key/,
    );
  });

  it('reads the old item for every SET, and refuses one that reads a missing attribute', () => {
    const fake = table();
    fake.updateItem({
      TableName: TABLE,
      Key: key,
      UpdateExpression: 'SET #a = #execution, #execution = :next',
      ExpressionAttributeNames: { '#a': 'previous', '#execution': 'execution' },
      ExpressionAttributeValues: { ':next': { S: 'e2' } },
    });
    expect(fake.read('CLUSTER#a', 'CLUSTER')).toMatchObject({
      previous: { S: 'e1' },
      execution: { S: 'e2' },
    });
    expect(() =>
      fake.updateItem({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET #a = #pending',
        ExpressionAttributeNames: { '#a': 'parameters', '#pending': 'pendingParameters' },
      }),
    ).toThrow(/does not exist in the item/);
  });
});

describe('workflow harness', () => {
  it('runs a long Wait in virtual time', async () => {
    const clock = new VirtualClock(0);
    const machine = new StateMachine({
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', Seconds: 1200, Next: 'Done' }, Done: { Type: 'Succeed' } },
    });
    const started = performance.now();
    await clock.drive(() => machine.run({}).result);
    expect(clock.now()).toBe(1_200_000);
    expect(performance.now() - started).toBeLessThan(10_000); // of the 1,200 s it models
  });

  it('gives lists for filters and wildcards, as Step Functions does', async () => {
    const machine = new StateMachine({
      StartAt: 'Read',
      States: {
        Read: {
          Type: 'Pass',
          Parameters: {
            'one.$': "$.items[?(@.k == 'a')].v",
            'none.$': "$.items[?(@.k == 'z')].v",
            'all.$': '$.items[*].v',
          },
          End: true,
        },
      },
    });
    const output = await machine.run({ items: [{ k: 'a', v: 1 }] }).result;
    expect(output).toEqual({ one: [1], none: [], all: [1] });
  });
});
