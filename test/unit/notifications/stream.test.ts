/**
 * The stream consumer's notification route over real stream record shapes: a CREATING -> READY
 * record becomes a cluster.ready event (with the master URL from the stored outputs) and a workflow
 * audit entry; the same batch again makes the same event id.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { AuditEntry } from '../../../core/audit/entry.ts';
import type { TeamEvent } from '../../../core/notifications/events.ts';
import { notify } from '../../../functions/stream/notify.ts';

const record = (oldStatus: string, newStatus: string) => ({
  dynamodb: {
    OldImage: {
      pk: { S: 'CLUSTER#bars#c1' },
      sk: { S: 'CLUSTER' },
      team: { S: 'bars' },
      clusterId: { S: 'c1' },
      status: { S: oldStatus },
      version: { N: '2' },
      execution: { S: 'c1-create-x' },
      parameters: { M: { determinedVersion: { S: '0.38.1' } } },
    },
    NewImage: {
      pk: { S: 'CLUSTER#bars#c1' },
      sk: { S: 'CLUSTER' },
      team: { S: 'bars' },
      clusterId: { S: 'c1' },
      owner: { S: 'alice' },
      status: { S: newStatus },
      version: { N: '3' },
      updatedAt: { S: '2030-01-01T00:05:00.000Z' },
      execution: { S: 'c1-create-x' },
      stackOutputs: {
        S: JSON.stringify([{ OutputKey: 'MasterUrl', OutputValue: 'http://203.0.113.5:8080' }]),
      },
      parameters: { M: { determinedVersion: { S: '0.38.1' } } },
      dbPassword: { S: 'never-read' },
    },
  },
});

async function run(event: DynamoDBStreamEvent) {
  const events: TeamEvent[] = [];
  const audits: AuditEntry[] = [];
  const result = await notify(event, {
    publish: async (batch) => {
      events.push(...batch);
      return batch.length;
    },
    audit: { append: async (entries) => void audits.push(...entries) },
  });
  return { events, audits, result };
}

describe('the stream consumer’s notification route', () => {
  it('turns CREATING -> READY into cluster.ready and a workflow audit entry', async () => {
    const { events, audits, result } = await run({
      Records: [record('CREATING', 'READY')],
    } as DynamoDBStreamEvent);
    expect(result).toEqual({ events: 1, audits: 1 });
    expect(events[0]).toMatchObject({
      team: 'bars',
      type: 'cluster.ready',
      subject: 'c1',
      timestamp: '2030-01-01T00:05:00.000Z',
      data: { clusterId: 'c1', owner: 'alice', masterUrl: 'http://203.0.113.5:8080' },
    });
    expect(JSON.stringify(events)).not.toContain('never-read');
    expect(audits[0]).toMatchObject({
      actor: 'workflow',
      action: 'cluster.create',
      outcome: 'READY',
      requestId: 'c1-create-x',
    });
  });

  it('makes the same event again for a retried batch', async () => {
    const first = await run({ Records: [record('CREATING', 'READY')] } as DynamoDBStreamEvent);
    const again = await run({ Records: [record('CREATING', 'READY')] } as DynamoDBStreamEvent);
    expect(again.events[0]?.id).toBe(first.events[0]?.id);
  });

  it('ignores records that are not clusters', async () => {
    const timeline = record('CREATING', 'READY');
    timeline.dynamodb.NewImage.sk = { S: 'EVENT#2030#x' };
    expect((await run({ Records: [timeline] } as DynamoDBStreamEvent)).result).toEqual({
      events: 0,
      audits: 0,
    });
  });
});
