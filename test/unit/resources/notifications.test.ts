/**
 * The audit table is append-only for the control plane: no role of serverless.yml's resources may
 * update, delete or batch-write it (a BatchWriteItem can delete), and only PutItem and Query are
 * granted on it. The delivery queue is FIFO with a FIFO dead-letter queue after MAX_ATTEMPTS.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MAX_ATTEMPTS } from '../../../core/notifications/retry.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation

const root = join(import.meta.dirname, '..', '..', '..');
const resources: Record<string, Json> = Object.assign(
  {},
  ...readdirSync(join(root, 'resources'))
    .filter((file) => file.endsWith('.yml'))
    .map((file) => (parse(readFileSync(join(root, 'resources', file), 'utf8')) as Json).Resources ?? {}),
);

function statements(): Json[] {
  return Object.values(resources).flatMap((resource: Json) => {
    const documents = [
      ...(resource.Properties?.Policies ?? []).map((policy: Json) => policy.PolicyDocument),
      ...(resource.Properties?.PolicyDocument ? [resource.Properties.PolicyDocument] : []),
    ];
    return documents.flatMap((document: Json) => document?.Statement ?? []);
  });
}

const mentionsAuditTable = (statement: Json) =>
  JSON.stringify(statement.Resource ?? '').includes('AuditTable');
const actionsOf = (statement: Json): string[] => [statement.Action].flat();

describe('the audit table', () => {
  it('is only ever put into and queried: no update, delete or batch write', () => {
    const onAudit = statements().filter(mentionsAuditTable);
    expect(onAudit.length).toBeGreaterThanOrEqual(2);
    const actions = new Set(onAudit.flatMap(actionsOf));
    expect([...actions].sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    for (const statement of statements()) {
      if (JSON.stringify(statement.Resource) === '"*"')
        expect(
          actionsOf(statement).filter(
            (action) => action.startsWith('dynamodb:') && !action.includes('Stream'),
          ),
        ).toEqual([]);
    }
  });

  it('keeps entries 400 days and is retained with the stack', () => {
    expect(resources.AuditTable.DeletionPolicy).toBe('Retain');
    expect(resources.AuditTable.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'ttl',
      Enabled: true,
    });
  });
});

describe('the delivery queue', () => {
  it('is FIFO, moves a message to a FIFO dead-letter queue after the last attempt', () => {
    const queue = resources.WebhookDeliveryQueue.Properties;
    expect(queue.FifoQueue).toBe(true);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['WebhookDeadLetterQueue', 'Arn'] },
      maxReceiveCount: MAX_ATTEMPTS,
    });
    expect(resources.WebhookDeadLetterQueue.Properties.FifoQueue).toBe(true);
    // Messages outlive the retries (about 26 hours).
    expect(queue.MessageRetentionPeriod).toBeGreaterThan(26 * 3600);
  });
});
