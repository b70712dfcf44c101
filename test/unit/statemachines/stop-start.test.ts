/**
 * The stop and start workflows (statemachines/stop.asl.json, start.asl.json) against the model of AWS
 * in aws-model/fake-aws.ts, in virtual time: instances that take time to stop and start, databases
 * that take minutes, the master's boot report, agents and spot requests outside the stack, and the
 * failures the issue names (a master that does not stop, a database stuck stopping, a master that
 * never answers).
 */
import { MASTER_BOOT_TAG } from '../../../core/cluster/naming.ts';
import type { ClusterStatus } from '../../../core/cluster/status.ts';
import { FakeAws, name, ownedStack, parkInput, seed, stackOf } from './fixtures.ts';

function setUp(
  clusterId: string,
  status: Extract<ClusterStatus, 'STOPPING' | 'STARTING'>,
  options: { bastion?: boolean } = {},
) {
  const aws = new FakeAws();
  const stack = ownedStack(aws, clusterId);
  const bastion = options.bastion ? aws.addBastion(stack) : undefined;
  const execution = name(clusterId, status === 'STOPPING' ? 'stop' : 'start', aws);
  seed(aws, clusterId, { status, execution, stackId: stack.StackId, version: 4 });
  const outputs = stack.outputs ?? {};
  const masterId = outputs.MasterId ?? '';
  const database = outputs.DatabaseInstanceId ?? '';
  return { aws, stack, execution, masterId, database, bastion };
}

/** A cluster as a stop left it: master (and bastion) and database stopped. */
function parked(aws: FakeAws, masterId: string, database: string, bastion?: string) {
  for (const id of [masterId, bastion]) {
    const instance = id ? aws.instance(id) : undefined;
    if (instance) instance.state = 'stopped';
  }
  const db = aws.database(database);
  if (db) db.status = 'stopped';
}

describe('stop', () => {
  it('stops the master, terminates the tagged agents and their spot requests, stops the database: STOPPED', async () => {
    const { aws, execution, masterId, database } = setUp('ml-park', 'STOPPING');
    const agents = [aws.addAgent(stackOf('ml-park')), aws.addAgent(stackOf('ml-park'))];
    const otherCluster = aws.addAgent(stackOf('ml-other'));
    const longerName = aws.addAgent(stackOf('ml-park-2')); // a prefix match would take these too
    const spot = aws.addSpotRequest(stackOf('ml-park'), { fulfilAfterSeconds: 5 });

    const result = await aws.run('stop', parkInput('ml-park'), execution);

    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { clusterId: 'ml-park', status: 'STOPPED' },
    });
    expect(aws.instance(masterId)?.state).toBe('stopped');
    expect(aws.database(database)?.status).toBe('stopped');
    expect(aws.agentsOf(stackOf('ml-park')).map((agent) => agent.state)).toEqual([
      'terminated',
      'terminated',
      'terminated',
    ]);
    expect(aws.instance(otherCluster)?.state).toBe('running');
    expect(aws.instance(longerName)?.state).toBe('running');
    expect(aws.spotRequests.find((request) => request.SpotInstanceRequestId === spot)?.state).toBe(
      'cancelled',
    );
    const record = aws.rawCluster('ml-park');
    expect(record).toMatchObject({ status: 'STOPPED', version: 5 });
    expect(record.stoppedAt).toEqual(expect.any(String));
    expect(record.reapShard).toBe('STOPPED');
    expect(aws.timeline('ml-park')).toContainEqual(
      expect.objectContaining({ kind: 'stopped', status: 'STOPPED' }),
    );

    const actions = aws.actions(execution, { timeline: false });
    // The master first (it launches no more agents), then the agents, then the database.
    expect(actions.indexOf('ec2:stopInstances')).toBeLessThan(actions.indexOf('ec2:terminateInstances'));
    expect(actions.indexOf('ec2:cancelSpotInstanceRequests')).toBeLessThan(
      actions.indexOf('rds:stopDBInstance'),
    );
    const calls = aws.calls.filter((call) => call.execution === execution);
    expect(calls.find((call) => call.action === 'ec2:stopInstances')?.params).toEqual({
      InstanceIds: [masterId],
    });
    expect(calls.find((call) => call.action === 'ec2:terminateInstances')?.params).toEqual({
      InstanceIds: agents,
    });
    expect(calls.find((call) => call.action === 'rds:stopDBInstance')?.params).toEqual({
      DBInstanceIdentifier: database,
    });
    // 180 s for the database, polled every 10 s: well within the budget.
    expect(result.transitions).toBeLessThan(400);
  });

  it('stops the bastion of a secure cluster with its master', async () => {
    const { aws, execution, masterId, bastion } = setUp('ml-secure', 'STOPPING', { bastion: true });
    const result = await aws.run('stop', parkInput('ml-secure'), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(aws.instance(masterId)?.state).toBe('stopped');
    expect(aws.instance(bastion ?? '')?.state).toBe('stopped');
  });

  it('ends STOP_FAILED with the reason when the master does not stop; a retried stop finishes the job', async () => {
    const { aws, execution, masterId } = setUp('ml-hung', 'STOPPING');
    aws.stuckInstances.add(masterId);

    const result = await aws.run(
      'stop',
      parkInput('ml-hung', { budgetSeconds: { ...budgets, stop: 600 } }),
      execution,
    );

    expect(result).toMatchObject({ status: 'FAILED', error: 'ClusterStopFailed' });
    const failed = aws.cluster('ml-hung');
    expect(failed.status).toBe('STOP_FAILED');
    expect(failed.statusReason).toBe(
      `The master did not stop within 600 seconds (still running: ["${masterId}"]).`,
    );

    // The shutdown completes after all; the operator retries the stop.
    aws.stuckInstances.delete(masterId);
    const instance = aws.instance(masterId);
    if (instance) instance.state = 'stopped';
    const retry = name('ml-hung', 'stop', aws, 1000);
    aws.apiUpdate('ml-hung', { status: 'STOPPING', execution: retry });
    expect((await aws.run('stop', parkInput('ml-hung'), retry)).status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-hung').status).toBe('STOPPED');
  });

  it('ends STOP_FAILED when the database stays "stopping" past the budget', async () => {
    const { aws, execution, database } = setUp('ml-slow-db', 'STOPPING');
    aws.stuckDatabases.add(database);
    const result = await aws.run('stop', parkInput('ml-slow-db'), execution);
    expect(result.status).toBe('FAILED');
    expect(aws.cluster('ml-slow-db')).toMatchObject({
      status: 'STOP_FAILED',
      statusReason: `The database ${database} was still stopping after 1800 seconds.`,
    });
  });

  it('fails at once, naming the state, when RDS cannot stop the database in its state', async () => {
    const { aws, execution, database } = setUp('ml-broken-db', 'STOPPING');
    const db = aws.database(database);
    if (db) db.status = 'storage-full';
    const result = await aws.run('stop', parkInput('ml-broken-db'), execution);
    expect(result.status).toBe('FAILED');
    expect(aws.cluster('ml-broken-db').statusReason).toContain(`The database ${database} is storage-full`);
    expect(aws.actions(execution)).not.toContain('rds:stopDBInstance');
  });

  it('waits out a database that AWS is starting again (7 days stopped) and stops it', async () => {
    const { aws, execution, database } = setUp('ml-restarted', 'STOPPING');
    const db = aws.database(database);
    if (db) db.status = 'starting';
    aws.at(120, () => {
      if (db) db.status = 'available';
    });
    const result = await aws.run('stop', parkInput('ml-restarted'), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(db?.status).toBe('stopped');
  });

  it('keeps the date of the first stop when it stops a cluster again (stoppedTeardownAfter counts from it)', async () => {
    const { aws, execution } = setUp('ml-again', 'STOPPING');
    aws.apiUpdate('ml-again', { stoppedAt: '2026-02-20T09:00:00.000Z' });
    const result = await aws.run('stop', parkInput('ml-again'), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-again')).toMatchObject({
      status: 'STOPPED',
      stoppedAt: '2026-02-20T09:00:00.000Z',
    });
  });

  it('touches nothing of a stack whose ownership tags are not the cluster’s', async () => {
    const aws = new FakeAws();
    const stack = aws.addCompleteStack(stackOf('ml-foreign'), {}, [
      { Key: 'managed-by', Value: 'someone-else' },
    ]);
    const execution = name('ml-foreign', 'stop', aws);
    seed(aws, 'ml-foreign', { status: 'STOPPING', execution, stackId: stack.StackId });
    const result = await aws.run('stop', parkInput('ml-foreign'), execution);
    expect(result.status).toBe('FAILED');
    expect(aws.cluster('ml-foreign').statusReason).toContain('does not carry its ownership tags');
    expect(aws.instance(stack.outputs?.MasterId ?? '')?.state).toBe('running');
    expect(aws.actions(execution)).not.toContain('ec2:stopInstances');
  });

  it('hands over to delete when a DELETE arrived during the stop', async () => {
    const { aws, execution } = setUp('ml-bye', 'STOPPING');
    aws.at(30, () => aws.apiUpdate('ml-bye', { deleteRequested: { purge: false, recordTtl: 1790000000 } }));
    const result = await aws.run('stop', parkInput('ml-bye'), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-bye').status).toBe('DELETING');
    expect(aws.startedExecutions).toEqual([
      expect.objectContaining({
        name: `${execution}-d`,
        input: expect.objectContaining({ clusterId: 'ml-bye', purge: false }),
      }),
    ]);
  });

  it('ends the execution without writing when another operation took the cluster over', async () => {
    const { aws, execution } = setUp('ml-taken', 'STOPPING');
    aws.at(5, () => aws.apiUpdate('ml-taken', { execution: 'someone-else' }));
    const result = await aws.run('stop', parkInput('ml-taken'), execution);
    expect(result).toMatchObject({ status: 'FAILED', error: 'StatusConflict' });
    expect(aws.cluster('ml-taken').status).toBe('STOPPING');
  });
});

const budgets = { create: 3600, update: 3600, delete: 3600, stop: 1800, start: 1800 };

describe('start', () => {
  it('starts the database, then the master once the database is available; READY when Determined answers', async () => {
    const { aws, execution, masterId, database } = setUp('ml-resume', 'STARTING');
    parked(aws, masterId, database);
    aws.apiUpdate('ml-resume', {
      stoppedAt: '2026-03-01T00:00:00.000Z',
      statusReason: 'Stopped by the reaper',
    });

    const result = await aws.run('start', parkInput('ml-resume'), execution);

    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { clusterId: 'ml-resume', status: 'READY' },
    });
    expect(aws.instance(masterId)?.state).toBe('running');
    expect(aws.database(database)?.status).toBe('available');
    const record = aws.cluster('ml-resume');
    expect(record).toMatchObject({
      status: 'READY',
      outputs: { masterId, masterUrl: 'http://203.0.113.10:8080' },
    });
    expect(record.statusReason).toBeUndefined();
    expect(record.stoppedAt).toBeUndefined();
    expect(aws.rawCluster('ml-resume').reapShard).toBe('READY');

    const calls = aws.calls.filter((call) => call.execution === execution);
    const at = (action: string) => calls.find((call) => call.action === action)?.at ?? -1;
    // The master boots only once its database is available (300 s after the start), and its boot
    // report is cleared before it starts, so an old report never counts.
    expect(at('ec2:startInstances')).toBeGreaterThanOrEqual(at('rds:startDBInstance') + 300);
    expect(at('ec2:deleteTags')).toBeLessThanOrEqual(at('ec2:startInstances'));
    expect(calls.find((call) => call.action === 'ec2:deleteTags')?.params).toEqual({
      Resources: [masterId],
      Tags: [{ Key: MASTER_BOOT_TAG }],
    });
    // READY only after the boot reported (20 s to run, 90 s to answer).
    const ready = aws.timeline('ml-resume').find((entry) => entry.kind === 'ready');
    expect(Date.parse(String(ready?.at)) - aws.started).toBeGreaterThanOrEqual(
      (at('ec2:startInstances') + 110) * 1000,
    );
  });

  it('ends START_FAILED with the reason when the master never answers; a retry waits again', async () => {
    const { aws, execution, masterId, database } = setUp('ml-silent', 'STARTING');
    parked(aws, masterId, database);
    aws.transitions.boot = 'silent';

    const result = await aws.run('start', parkInput('ml-silent'), execution);

    expect(result).toMatchObject({ status: 'FAILED', error: 'ClusterStartFailed' });
    const failed = aws.cluster('ml-silent');
    expect(failed.status).toBe('START_FAILED');
    expect(failed.statusReason).toContain(
      `The master ${masterId} is running, but Determined did not answer GET /info within 1800 seconds`,
    );
    expect(failed.statusReason).toContain('Retry the start');

    // Determined comes up after all: a retried start finds the master running and its report written.
    aws.bootReports.set(masterId, 'answered 0.38.1');
    const retry = name('ml-silent', 'start', aws, 1000);
    aws.apiUpdate('ml-silent', { status: 'STARTING', execution: retry });
    expect((await aws.run('start', parkInput('ml-silent'), retry)).status).toBe('SUCCEEDED');
    expect(aws.cluster('ml-silent').status).toBe('READY');
    expect(aws.actions(retry)).not.toContain('ec2:startInstances');
  });

  it('ends START_FAILED with the boot’s own reason when the boot reports a failure', async () => {
    const { aws, execution, masterId, database } = setUp('ml-bad-boot', 'STARTING');
    parked(aws, masterId, database);
    aws.transitions.boot = 'failed: docker pull determinedai/determined-master:0.38.1 failed';
    const result = await aws.run('start', parkInput('ml-bad-boot'), execution);
    expect(result.status).toBe('FAILED');
    expect(aws.cluster('ml-bad-boot').statusReason).toBe(
      `The master ${masterId} started, but its boot reported: failed: docker pull determinedai/determined-master:0.38.1 failed. Retry the start, or stop the cluster.`,
    );
  });

  it('starts the bastion of a secure cluster with its master', async () => {
    const { aws, execution, masterId, database, bastion } = setUp('ml-secure', 'STARTING', { bastion: true });
    parked(aws, masterId, database, bastion);
    const result = await aws.run('start', parkInput('ml-secure'), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(aws.instance(bastion ?? '')?.state).toBe('running');
  });

  it('keeps the boot report of a master that kept running when only the bastion was stopped', async () => {
    const { aws, execution, masterId, database, bastion } = setUp('ml-half', 'STARTING', { bastion: true });
    parked(aws, '', database, bastion); // a failed stop: the bastion stopped, the master never did
    const result = await aws.run('start', parkInput('ml-half'), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(aws.actions(execution)).not.toContain('ec2:deleteTags');
    const started = aws.calls.find(
      (call) => call.execution === execution && call.action === 'ec2:startInstances',
    );
    expect(started?.params).toEqual({ InstanceIds: [bastion] });
    expect(aws.instance(masterId)?.state).toBe('running');
  });

  it('skips the database start when AWS already started it (7 days stopped)', async () => {
    const { aws, execution, masterId, database } = setUp('ml-db-up', 'STARTING');
    parked(aws, masterId, database);
    const db = aws.database(database);
    if (db) db.status = 'available';
    const result = await aws.run('start', parkInput('ml-db-up'), execution);
    expect(result.status).toBe('SUCCEEDED');
    expect(aws.actions(execution)).not.toContain('rds:startDBInstance');
  });

  it('ends START_FAILED, without starting the master, when the database does not become available', async () => {
    const { aws, execution, masterId, database } = setUp('ml-db-stuck', 'STARTING');
    parked(aws, masterId, database);
    aws.stuckDatabases.add(database);
    const result = await aws.run('start', parkInput('ml-db-stuck'), execution);
    expect(result.status).toBe('FAILED');
    expect(aws.cluster('ml-db-stuck').statusReason).toBe(
      `The database ${database} was still starting after 1800 seconds; the master was not started.`,
    );
    expect(aws.instance(masterId)?.state).toBe('stopped');
  });

  it('refuses to resume a cluster whose master was terminated behind its back', async () => {
    const { aws, execution, masterId, database } = setUp('ml-gone', 'STARTING');
    parked(aws, masterId, database);
    const instance = aws.instance(masterId);
    if (instance) instance.state = 'terminated';
    const result = await aws.run('start', parkInput('ml-gone'), execution);
    expect(result.status).toBe('FAILED');
    expect(aws.cluster('ml-gone').statusReason).toContain(`terminated or terminating (["${masterId}"]`);
  });
});
