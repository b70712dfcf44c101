/**
 * Issue 17 in the local runtime, through the API only, with a real receiver on 127.0.0.1: a team's
 * webhook gets cluster.ready and cluster.deleted signed per Standard Webhooks (checked with the
 * standardwebhooks verifier); a receiver that is down while a cluster becomes ready and is deleted
 * gets both events once it is back, each once and in order; another team can neither see nor use the
 * webhook nor read the audit trail, which records who created and deleted the cluster.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { call, DEMO_KEY_PAIR, tokenFor, uniqueId, waitForStatus } from '../support/local-api.ts';

interface Received {
  headers: Record<string, string>;
  body: string;
  event: { type: string; timestamp: string; data: { clusterId?: string } };
}

let server: Server;
let hookUrl: string;
let down = false;
const received: Received[] = [];
const refused: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (down) {
        refused.push(body);
        response.writeHead(503).end();
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      );
      received.push({ headers, body, event: JSON.parse(body) as Received['event'] });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function eventually<T>(find: () => T | undefined, seconds: number, what: string): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const deliveries = (clusterId: string, type?: string) =>
  received.filter((r) => r.event.data.clusterId === clusterId && (!type || r.event.type === type));

describe('webhooks and the audit trail in the local runtime', () => {
  const team = uniqueId('hooks').replace(/-/g, '');
  const hook = { url: '', events: ['cluster.ready', 'cluster.deleted'], format: 'json' };
  let secret: string;
  let token: string;
  let other: string;

  beforeAll(async () => {
    token = await tokenFor(team, { sub: 'alice' });
    other = await tokenFor(`${team}x`, { sub: 'mallory' });
    hook.url = hookUrl;
    const put = await call('PUT', `/teams/${team}/webhooks/chat`, { token, body: hook });
    expect(put.status).toBe(200);
    secret = put.body.secret;
    expect(secret).toMatch(/^whsec_/);
  });

  it('keeps the webhook inside its team', async () => {
    const listed = await call('GET', `/teams/${team}/webhooks`, { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ name: 'chat', url: hookUrl })]);
    expect(listed.text).not.toContain('whsec_');
    expect((await call('GET', `/teams/${team}/webhooks`, { token: other })).status).toBe(404);
    expect((await call('POST', `/teams/${team}/webhooks/chat/test`, { token: other })).status).toBe(404);
    expect((await call('DELETE', `/teams/${team}/webhooks/chat`, { token: other })).status).toBe(404);
    expect((await call('PUT', `/teams/${team}/webhooks/chat`, { token: other, body: hook })).status).toBe(
      404,
    );
    expect((await call('GET', `/teams/${team}/webhooks`, { token })).body.items).toHaveLength(1);
  });

  it('refuses a webhook URL that is not loopback http or https to a public host', async () => {
    for (const url of ['http://example.com/x', 'https://169.254.169.254/latest', 'https://10.0.0.8/x']) {
      const reply = await call('PUT', `/teams/${team}/webhooks/bad`, { token, body: { ...hook, url } });
      expect([url, reply.status]).toEqual([url, 400]);
    }
  });

  it('delivers cluster.ready and cluster.deleted, signed, once each; audits who did it', async () => {
    const clusterId = uniqueId('hooked');
    expect(
      (await call('POST', '/clusters', { token, body: { clusterId, keypair: DEMO_KEY_PAIR } })).status,
    ).toBe(202);
    await waitForStatus(clusterId, token, 'READY', 90_000);
    const ready = await eventually(() => deliveries(clusterId, 'cluster.ready')[0], 30, 'cluster.ready');
    expect(new Webhook(secret).verify(ready.body, ready.headers)).toMatchObject({ type: 'cluster.ready' });
    expect(ready.headers['webhook-id']).toMatch(/^msg_/);

    expect((await call('DELETE', `/clusters/${clusterId}`, { token })).status).toBe(202);
    await waitForStatus(clusterId, token, 'DELETED', 90_000);
    const deleted = await eventually(
      () => deliveries(clusterId, 'cluster.deleted')[0],
      30,
      'cluster.deleted',
    );
    expect(new Webhook(secret).verify(deleted.body, deleted.headers)).toMatchObject({
      type: 'cluster.deleted',
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(deliveries(clusterId).map((r) => r.event.type)).toEqual(['cluster.ready', 'cluster.deleted']);

    const audit = await call('GET', `/audit?clusterId=${clusterId}`, { token });
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((entry: { actor: string; action: string; outcome: string }) =>
      [entry.actor, entry.action, entry.outcome].join(' '),
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'alice cluster.create accepted',
        'workflow cluster.create READY',
        'alice cluster.delete accepted',
        'workflow cluster.delete DELETED',
      ]),
    );
    const foreign = await call('GET', `/audit?clusterId=${clusterId}`, { token: other });
    expect(foreign.status).toBe(200);
    expect(foreign.body.items).toEqual([]);
    expect((await call('GET', `/audit?team=${team}`, { token: other })).body.items).toEqual([]);
  }, 240_000);

  it('delivers what happened while the receiver was down, once each and in order', async () => {
    const clusterId = uniqueId('downtime');
    down = true;
    try {
      expect(
        (await call('POST', '/clusters', { token, body: { clusterId, keypair: DEMO_KEY_PAIR } })).status,
      ).toBe(202);
      await waitForStatus(clusterId, token, 'READY', 90_000);
      await eventually(
        () => (refused.some((body) => body.includes(clusterId)) ? true : undefined),
        30,
        'a refusal',
      );
      expect((await call('DELETE', `/clusters/${clusterId}`, { token })).status).toBe(202);
      await waitForStatus(clusterId, token, 'DELETED', 90_000);
      // The deleted event waits behind the ready one (same cluster, same webhook): nothing overtakes it.
      expect(deliveries(clusterId)).toEqual([]);
      down = false;
      await eventually(() => (deliveries(clusterId).length >= 2 ? true : undefined), 120, 'both events');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(deliveries(clusterId).map((r) => r.event.type)).toEqual(['cluster.ready', 'cluster.deleted']);
      for (const r of deliveries(clusterId))
        expect(new Webhook(secret).verify(r.body, r.headers)).toBeDefined();
    } finally {
      // A failure above must not leave the receiver refusing the events of the next test.
      down = false;
    }
  }, 360_000);

  it('sends a test event, and nothing once the webhook is removed', async () => {
    const tested = await call('POST', `/teams/${team}/webhooks/chat/test`, { token });
    expect(tested.status).toBe(202);
    await eventually(
      () => received.find((r) => r.headers['webhook-id'] === tested.body.eventId),
      30,
      'the test event',
    );
    expect((await call('DELETE', `/teams/${team}/webhooks/chat`, { token })).status).toBe(204);
    expect((await call('GET', `/teams/${team}/webhooks`, { token })).body.items).toEqual([]);
    expect((await call('POST', `/teams/${team}/webhooks/chat/test`, { token })).status).toBe(404);
  }, 60_000);
});
