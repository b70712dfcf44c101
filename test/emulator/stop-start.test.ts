/**
 * Stop and start end to end in the emulator, through the API and the real workflows: for every
 * deployment type the master and the database are stopped and the tagged agents terminated, and a
 * start brings back the same master at the same URL. The reaper, with an injected clock, stops an
 * idle cluster under the default policy and stops again a database that AWS started by itself.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, StartDBInstanceCommand } from '@aws-sdk/client-rds';
import { DEPLOYMENT_TYPES } from '../../core/cluster/request.ts';
import { reap, type ReapDeps } from '../../core/operations/reap.ts';
import { emulatorDeps, reapingOnly, startAgent } from '../support/emulator-deps.ts';
import { FixedClock } from '../support/fakes.ts';
import { call, DEMO_KEY_PAIR, emulator, tokenFor, uniqueId, waitForStatus } from '../support/local-api.ts';

const TEAM = 'parking';

interface Cluster {
  clusterId: string;
  stackId: string;
  status: string;
  outputs: Record<string, string>;
}

async function instanceStates(ids: string[]): Promise<Record<string, string>> {
  const { Reservations = [] } = await emulator.ec2().send(new DescribeInstancesCommand({ InstanceIds: ids }));
  return Object.fromEntries(
    Reservations.flatMap((reservation) => reservation.Instances ?? []).map((instance) => [
      instance.InstanceId ?? '',
      instance.State?.Name ?? '',
    ]),
  );
}

async function databaseStatus(identifier: string): Promise<string | undefined> {
  const { DBInstances = [] } = await emulator
    .rds()
    .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
  return DBInstances[0]?.DBInstanceStatus;
}

describe('stop and start in the emulator', () => {
  let token: string;
  beforeAll(async () => {
    token = await tokenFor(TEAM);
  });

  async function readyCluster(prefix: string, body: Record<string, unknown> = {}): Promise<Cluster> {
    const clusterId = uniqueId(prefix);
    const created = await call('POST', '/clusters', {
      token,
      body: { clusterId, keypair: DEMO_KEY_PAIR, idleTimeout: 'never', ...body },
    });
    expect(created.status).toBe(202);
    return (await waitForStatus(clusterId, token, 'READY', 90_000)).body as Cluster;
  }

  it.each(DEPLOYMENT_TYPES)(
    'parks a %s cluster (master and database stopped, agents terminated) and brings the same master back',
    async (deploymentType) => {
      const cluster = await readyCluster(`park-${deploymentType}`, { deploymentType });
      const { masterId, databaseInstanceId, masterUrl, bastionId } = cluster.outputs;
      expect(masterId && databaseInstanceId && masterUrl).toBeTruthy();
      const agent = await startAgent(cluster);

      const stopping = await call('POST', `/clusters/${cluster.clusterId}/stop`, { token });
      expect(stopping.status).toBe(202);
      expect(stopping.body.status).toBe('STOPPING');
      const stopped = await waitForStatus(cluster.clusterId, token, 'STOPPED', 90_000);
      expect(stopped.body.stoppedAt).toEqual(expect.any(String));
      const instances = [masterId ?? '', ...(bastionId ? [bastionId] : [])];
      expect(await instanceStates([...instances, agent])).toEqual({
        [masterId ?? '']: 'stopped',
        ...(bastionId ? { [bastionId]: 'stopped' } : {}),
        [agent]: 'terminated',
      });
      expect(await databaseStatus(databaseInstanceId ?? '')).toBe('stopped');
      // Stopping it again is a conflict; so is changing it.
      expect((await call('POST', `/clusters/${cluster.clusterId}/stop`, { token })).status).toBe(409);
      expect(
        (await call('PATCH', `/clusters/${cluster.clusterId}`, { token, body: { maxDynamicAgents: 1 } }))
          .status,
      ).toBe(409);

      const starting = await call('POST', `/clusters/${cluster.clusterId}/start`, { token });
      expect(starting.status).toBe(202);
      const ready = (await waitForStatus(cluster.clusterId, token, 'READY', 90_000)).body as Cluster;
      expect(ready.outputs.masterId).toBe(masterId);
      expect(ready.outputs.masterUrl).toBe(masterUrl);
      expect(ready).not.toHaveProperty('stoppedAt');
      expect(Object.values(await instanceStates(instances))).toEqual(instances.map(() => 'running'));
      expect(await databaseStatus(databaseInstanceId ?? '')).toBe('available');

      // The workflow records READY, then its timeline entry: read until the entry is there (30 s at most).
      let kinds: string[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const events = await call('GET', `/clusters/${cluster.clusterId}/events`, { token });
        kinds = (events.body.items as { kind: string; source: string }[])
          .filter((entry) => entry.source === 'control-plane')
          .map((entry) => entry.kind);
        if (kinds[0] === 'ready') break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(kinds.slice(0, 4)).toEqual(['ready', 'start-requested', 'stopped', 'stop-requested']);
      await call('DELETE', `/clusters/${cluster.clusterId}`, { token });
    },
    240_000,
  );

  describe('the reaper, with an injected clock', () => {
    const clock = new FixedClock(new Date());
    const mine = new Set<string>();
    let deps: ReapDeps;

    beforeAll(() => {
      const emulated = emulatorDeps({
        clock,
        // The built-in policy: idleAction stop, stoppedTeardownAfter 720h.
        settings: { policies: {} },
        masterTimeoutMs: 500,
      });
      deps = {
        ...emulated,
        // Other test files share the emulator: this reaper sees only this file's clusters.
        store: reapingOnly(emulated.store, (cluster) => mine.has(cluster.clusterId)),
        reaper: { graceSeconds: 600, pageSize: 200, masterConcurrency: 10 },
      };
    });

    it('stops an idle cluster under the default policy after the warning’s grace', async () => {
      const cluster = await readyCluster('park-idle', { idleTimeout: '1h' });
      mine.add(cluster.clusterId);
      await reap(deps, { dryRun: false });
      clock.advance(3601);
      await reap(deps, { dryRun: false });
      const warned = (await call('GET', `/clusters/${cluster.clusterId}`, { token })).body;
      expect(warned.idle.teardownReason).toBe('idle');
      clock.advance(601);
      const report = await reap(deps, { dryRun: false });
      expect(report.decisions).toContainEqual(
        expect.objectContaining({
          clusterId: cluster.clusterId,
          decision: 'teardown',
          detail: expect.stringMatching(/^stop: /),
        }),
      );
      const stopped = await waitForStatus(cluster.clusterId, token, 'STOPPED', 90_000);
      expect(stopped.body.statusReason).toContain('Stopped by the reaper');
      expect(await databaseStatus(cluster.outputs.databaseInstanceId ?? '')).toBe('stopped');
      mine.delete(cluster.clusterId);
    }, 180_000);

    it('stops at the schedule’s autostop and starts at its autostart', async () => {
      const schedule = { timezone: 'UTC', autostop: '0 19 * * *', autostart: '0 8 * * *' };
      const cluster = await readyCluster('park-sched', { schedule });
      mine.add(cluster.clusterId);
      const next = (hour: number) => {
        const at = new Date(clock.now());
        at.setUTCHours(hour, 1, 0, 0);
        if (at.getTime() <= clock.now().getTime()) at.setUTCDate(at.getUTCDate() + 1);
        return at;
      };
      clock.advance((next(19).getTime() - clock.now().getTime()) / 1000);
      expect((await reap(deps, { dryRun: false })).decisions).toEqual([
        expect.objectContaining({ clusterId: cluster.clusterId, decision: 'schedule-stop' }),
      ]);
      const stopped = await waitForStatus(cluster.clusterId, token, 'STOPPED', 90_000);
      expect(stopped.body.statusReason).toContain('As scheduled: schedule autostop "0 19 * * *" (UTC)');

      clock.advance((next(8).getTime() - clock.now().getTime()) / 1000);
      expect((await reap(deps, { dryRun: false })).decisions).toEqual([
        expect.objectContaining({ clusterId: cluster.clusterId, decision: 'schedule-start' }),
      ]);
      const ready = await waitForStatus(cluster.clusterId, token, 'READY', 90_000);
      expect(ready.body.outputs.masterId).toBe(cluster.outputs.masterId);
      mine.delete(cluster.clusterId);
    }, 180_000);

    it('stops again a database that AWS started after 7 days stopped', async () => {
      const cluster = await readyCluster('park-7d');
      expect((await call('POST', `/clusters/${cluster.clusterId}/stop`, { token })).status).toBe(202);
      const first = await waitForStatus(cluster.clusterId, token, 'STOPPED', 90_000);
      mine.add(cluster.clusterId);
      const database = cluster.outputs.databaseInstanceId ?? '';

      // Seven days later RDS starts the database by itself.
      clock.advance(7 * 86400 + 60);
      expect((await reap(deps, { dryRun: false })).decisions).toEqual([]);
      await emulator.rds().send(new StartDBInstanceCommand({ DBInstanceIdentifier: database }));
      expect(await databaseStatus(database)).toBe('available');

      const report = await reap(deps, { dryRun: false });
      expect(report.decisions).toEqual([
        expect.objectContaining({ clusterId: cluster.clusterId, decision: 'restop' }),
      ]);
      const again = await waitForStatus(cluster.clusterId, token, 'STOPPED', 90_000);
      expect(again.body.statusReason).toContain('after 7 days stopped');
      expect(again.body.stoppedAt).toBe(first.body.stoppedAt);
      expect(await databaseStatus(database)).toBe('stopped');
      expect(await instanceStates([cluster.outputs.masterId ?? ''])).toEqual({
        [cluster.outputs.masterId ?? '']: 'stopped',
      });
      mine.delete(cluster.clusterId);
    }, 180_000);
  });

  it('the CLI stops and starts a cluster through the API', async () => {
    const cluster = await readyCluster('park-cli');
    const { spawnSync } = await import('node:child_process');
    const env = { ...process.env, DET_DEPLOY_API_URL: process.env.API_URL ?? '', DET_DEPLOY_TOKEN: token };
    const cli = (command: string) =>
      spawnSync(
        process.execPath,
        ['cli/dist/det-deploy.mjs', 'aws', command, '--cluster-id', cluster.clusterId],
        {
          env,
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
    const stop = cli('stop');
    expect(stop.status).toBe(0);
    expect(stop.stdout).toContain('is STOPPED');
    const list = spawnSync(process.execPath, ['cli/dist/det-deploy.mjs', 'aws', 'list'], {
      env,
      encoding: 'utf8',
    });
    expect(list.stdout).toMatch(new RegExp(`${cluster.clusterId}\\s+simple\\s+STOPPED`));
    const start = cli('start');
    expect(start.status).toBe(0);
    expect(start.stdout).toContain(`export DET_MASTER=${cluster.outputs.masterUrl}`);
  }, 240_000);
});
