/**
 * Issue 12: "AWS endpoint down for 30 s in the middle of a create, a delete". Every call of the
 * workflow fails as a 503 for 30 s of virtual time; the operation still ends in a clear status:
 * done, or its retryable *_FAILED with a reason. Never left in progress.
 */
import { createInput, deleteInput, FakeAws, name, ownedStack, seed, stackOf } from './fixtures.ts';

describe('AWS down for 30 s', () => {
  it.each([5, 40, 200])(
    'in the middle of a create (from %i s): READY, or CREATE_FAILED with a reason; one stack at most',
    async (fromSeconds) => {
      const aws = new FakeAws();
      aws.plans.create.push({ seconds: 300 });
      const execution = name('ml-down', 'create', aws);
      const record = seed(aws, 'ml-down', { execution });
      aws.outage(fromSeconds, 30);

      const result = await aws.run('create', createInput(record), execution);

      const cluster = aws.cluster('ml-down');
      expect(['READY', 'CREATE_FAILED']).toContain(cluster.status);
      if (cluster.status === 'CREATE_FAILED') expect(cluster.statusReason).toMatch(/retry|again/i);
      else expect(result.status).toBe('SUCCEEDED');
      expect(aws.stacks.filter((stack) => stack.StackName === stackOf('ml-down')).length).toBeLessThanOrEqual(
        1,
      );
      expect(aws.calls.some((call) => call.error === 'ServiceUnavailable')).toBe(true);
    },
  );

  it.each([1, 30, 90])(
    'in the middle of a delete (from %i s): DELETED with the data kept, or DELETE_FAILED saying to retry',
    async (fromSeconds) => {
      const aws = new FakeAws();
      const stack = ownedStack(aws, 'ml-gone');
      aws.plans.delete.push({ seconds: 120 });
      const execution = name('ml-gone', 'delete', aws);
      seed(aws, 'ml-gone', { status: 'DELETING', execution, stackId: stack.StackId, version: 5 });
      aws.outage(fromSeconds, 30);

      await aws.run('delete', deleteInput('ml-gone'), execution);

      const cluster = aws.cluster('ml-gone');
      expect(['DELETED', 'DELETE_FAILED']).toContain(cluster.status);
      if (cluster.status === 'DELETE_FAILED') expect(cluster.statusReason).toMatch(/retry/i);
      else expect(cluster.retained?.checkpointBucket).toBeTruthy();
      expect(aws.calls.some((call) => call.error === 'ServiceUnavailable')).toBe(true);
    },
  );
});
