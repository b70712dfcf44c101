/**
 * An in-place upgrade end to end in the emulator, through the API and the real upgrade workflow:
 * 0.38.0 -> 0.38.1 on a READY cluster leaves a pre-upgrade snapshot in RDS and the cluster READY at
 * the new version, its master restarted with the new version (its boot report says so) at the same
 * URL with the same bucket and database; the team's webhook gets cluster.upgraded (with the
 * snapshot) and the audit trail has the request and the workflow's outcome; a downgrade and an
 * unknown version are 400.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import type { ClusterView } from '../../core/cluster/model.ts';
import { MASTER_BOOT_TAG } from '../../core/cluster/naming.ts';
import { KNOWN_DETERMINED_VERSIONS } from '../../core/cluster/determined-versions.ts';
import {
  call,
  createReady,
  DEMO_KEY_PAIR,
  emulator,
  tokenFor,
  uniqueId,
  waitForStatus,
} from '../support/local-api.ts';

describe('upgrade in the emulator', () => {
  it('upgrades 0.38.0 to 0.38.1 with a snapshot first, keeping the master URL, bucket and database', async () => {
    const token = await tokenFor('upgraders', { sub: 'ada' });
    const clusterId = uniqueId('upg');
    // The team's webhook receives cluster.upgraded (the notifications feature, ADR 0028).
    const received: { type: string; data: Record<string, unknown> }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(body) as { type: string; data: Record<string, unknown> });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const hook = await call('PUT', '/teams/upgraders/webhooks/chat', {
      token,
      body: { url, events: ['cluster.upgraded'], format: 'json' },
    });
    expect(hook.status).toBe(200);
    const before = (
      await createReady(token, {
        clusterId,
        keypair: DEMO_KEY_PAIR,
        determinedVersion: '0.38.0',
        idleTimeout: 'never',
      })
    ).body as ClusterView;
    const database = before.outputs.databaseInstanceId ?? '';

    const accepted = await call('PATCH', `/clusters/${clusterId}`, {
      token,
      body: { determinedVersion: '0.38.1' },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'UPDATING', upgrade: { from: '0.38.0', to: '0.38.1' } });

    const after = (await waitForStatus(clusterId, token, 'READY', 90_000)).body as ClusterView;
    expect(after.parameters.determinedVersion).toBe('0.38.1');
    expect(after.outputs.determinedVersion).toBe('0.38.1');
    expect(after.outputs.masterUrl).toBe(before.outputs.masterUrl);
    expect(after.outputs.checkpointBucket).toBe(before.outputs.checkpointBucket);
    expect(after.outputs.databaseInstanceId).toBe(database);
    expect(after.upgrade).toMatchObject({ from: '0.38.0', to: '0.38.1' });
    expect(after.upgrade?.snapshotTakenAt).toEqual(expect.any(String));

    // The snapshot is in RDS, of the cluster's database.
    const { DBSnapshots = [] } = await emulator
      .rds()
      .send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: after.upgrade?.snapshot }));
    expect(DBSnapshots).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: database, SnapshotType: 'manual' }),
    ]);

    // The master restarted with the new version: its boot reported it (emulator patches 13 and 15).
    const { Tags = [] } = await emulator.ec2().send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'resource-id', Values: [after.outputs.masterId ?? ''] },
          { Name: 'key', Values: [MASTER_BOOT_TAG] },
        ],
      }),
    );
    expect(Tags.map((tag) => tag.Value)).toEqual(['answered 0.38.1']);

    // The workflow writes the timeline entry just after the status: read until it is there.
    let kinds: string[] = [];
    for (let attempt = 0; attempt < 40 && !kinds.includes('upgraded'); attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      const events = await call('GET', `/clusters/${clusterId}/events`, { token });
      kinds = (events.body as { items: { kind: string }[] }).items.map((item) => item.kind);
    }
    expect(kinds).toEqual(expect.arrayContaining(['upgrade-requested', 'snapshot', 'upgraded']));

    // cluster.upgraded reaches the webhook with the versions and the snapshot; the audit has who and what.
    for (let attempt = 0; attempt < 120 && received.length === 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 250));
    server.closeAllConnections();
    server.close();
    expect(received).toEqual([
      {
        type: 'cluster.upgraded',
        timestamp: expect.any(String),
        data: expect.objectContaining({
          clusterId,
          fromVersion: '0.38.0',
          toVersion: '0.38.1',
          snapshot: after.upgrade?.snapshot,
        }),
      },
    ]);
    const audit = await call('GET', `/audit?clusterId=${clusterId}`, { token });
    const actions = (audit.body.items as { actor: string; action: string; outcome: string }[]).map((entry) =>
      [entry.actor, entry.action, entry.outcome].join(' '),
    );
    expect(actions).toEqual(
      expect.arrayContaining(['ada cluster.update accepted', 'workflow cluster.update READY']),
    );

    const downgrade = await call('PATCH', `/clusters/${clusterId}`, {
      token,
      body: { determinedVersion: '0.38.0' },
    });
    expect(downgrade.status).toBe(400);
    expect(JSON.stringify(downgrade.body)).toContain('a downgrade is refused');
    const unknown = await call('PATCH', `/clusters/${clusterId}`, {
      token,
      body: { determinedVersion: '9.9.9' },
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain(KNOWN_DETERMINED_VERSIONS.join(', '));
    expect(((await call('GET', `/clusters/${clusterId}`, { token })).body as ClusterView).status).toBe(
      'READY',
    );
  }, 180_000);
});
