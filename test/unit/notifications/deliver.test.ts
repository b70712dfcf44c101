/**
 * One delivery attempt, and the worker over a batch: signed with the webhook's secret, retried with
 * backoff on a failure, never sent twice, dropped once the webhook is gone, and (FIFO) nothing after
 * a failure handled before it.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { deliver, type DeliverDeps } from '../../../core/notifications/deliver.ts';
import type { Delivery } from '../../../core/notifications/ports.ts';
import { MAX_ATTEMPTS, RETRY_WAITS_SECONDS } from '../../../core/notifications/retry.ts';
import { generateWebhookSecret } from '../../../core/notifications/signature.ts';
import { main as worker, type WorkerDeps } from '../../../functions/webhooks/deliver.ts';
import { MemorySecrets, MemoryWebhooks, ScriptedReceiver, subscription, teamEvent } from './fakes.ts';

// Whole seconds of the real clock: the reference verifier refuses a timestamp 5 minutes off its own.
const now = new Date(Math.floor(Date.now() / 1000) * 1000);

async function setup(script: (number | Error)[] = [], overrides: Parameters<typeof subscription>[0] = {}) {
  const webhooks = new MemoryWebhooks();
  const secrets = new MemorySecrets();
  const secret = generateWebhookSecret();
  const secretId = await secrets.store('bars', 'hook', secret);
  await webhooks.put(subscription({ secretId, ...overrides }));
  const transport = new ScriptedReceiver(script);
  const deps: DeliverDeps = {
    webhooks,
    secrets,
    transport,
    log: webhooks,
    clock: { now: () => now },
    retryScale: 1,
  };
  return { deps, webhooks, transport, secret };
}

const delivery = (overrides: Partial<Delivery['event']> = {}): Delivery => ({
  team: 'bars',
  webhook: 'hook',
  event: teamEvent(overrides),
});

describe('deliver', () => {
  it('posts the Standard Webhooks body, signed so that the reference verifier accepts it', async () => {
    const { deps, transport, secret } = await setup();
    expect(await deliver(deps, delivery(), 1)).toEqual({ kind: 'delivered', status: 200 });
    const [posted] = transport.posted;
    expect(posted?.url).toBe('https://hooks.example.com/det');
    expect(JSON.parse(posted?.body ?? '')).toEqual({
      type: 'cluster.ready',
      timestamp: '2030-01-01T00:00:00.000Z',
      data: { clusterId: 'c1', team: 'bars', status: 'READY' },
    });
    expect(posted?.headers['webhook-id']).toBe(delivery().event.id);
    expect(posted?.headers['webhook-timestamp']).toBe(String(now.getTime() / 1000));
    const verifier = new Webhook(secret) as unknown as {
      verify: (b: string, h: Record<string, string>) => unknown;
    };
    expect(verifier.verify(posted?.body ?? '', posted?.headers ?? {})).toBeDefined();
  });

  it('posts a Slack message for the slack format', async () => {
    const { deps, transport } = await setup([], { format: 'slack' });
    await deliver(deps, delivery({ data: { clusterId: 'c1', masterUrl: 'http://m:8080' } }), 1);
    const body = JSON.parse(transport.posted[0]?.body ?? '{}') as { text: string };
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('*c1*');
    expect(body.text).toContain('<http://m:8080>');
  });

  it('retries a 5xx, a 4xx and a network error with the backoff of the attempt', async () => {
    const { deps } = await setup([500, 404, new Error('ECONNREFUSED')]);
    expect(await deliver(deps, delivery(), 1)).toMatchObject({
      kind: 'retry',
      afterSeconds: RETRY_WAITS_SECONDS[0],
    });
    expect(await deliver(deps, delivery(), 2)).toMatchObject({
      kind: 'retry',
      afterSeconds: RETRY_WAITS_SECONDS[1],
    });
    expect(await deliver(deps, delivery(), 3)).toMatchObject({
      kind: 'retry',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
    expect(await deliver(deps, delivery(), 4)).toEqual({ kind: 'delivered', status: 200 });
  });

  it('retries for at least 24 hours, then gives up', async () => {
    expect(RETRY_WAITS_SECONDS.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThanOrEqual(24 * 3600);
    const { deps } = await setup([503]);
    expect(await deliver(deps, delivery(), MAX_ATTEMPTS)).toMatchObject({ kind: 'given-up' });
  });

  it('never sends an event twice to the same webhook', async () => {
    const { deps, transport } = await setup();
    await deliver(deps, delivery(), 1);
    expect(await deliver(deps, delivery(), 1)).toEqual({ kind: 'skipped', reason: 'delivered before' });
    expect(transport.posted).toHaveLength(1);
  });

  it('drops a delivery whose webhook was removed or no longer subscribes', async () => {
    const { deps, webhooks, transport } = await setup();
    expect(await deliver(deps, delivery({ type: 'cluster.stopped' }), 1)).toMatchObject({ kind: 'skipped' });
    await webhooks.remove('bars', 'hook');
    expect(await deliver(deps, delivery(), 1)).toMatchObject({
      kind: 'skipped',
      reason: 'the webhook was removed',
    });
    expect(transport.posted).toHaveLength(0);
  });
});

describe('the delivery worker', () => {
  const record = (id: string, event: Partial<Delivery['event']>, receiveCount = 1): SQSRecord =>
    ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: JSON.stringify(delivery(event)),
      attributes: { ApproximateReceiveCount: String(receiveCount) },
    }) as unknown as SQSRecord;

  async function workerDeps(script: (number | Error)[]) {
    const { deps, transport } = await setup(script);
    const delays: [string, number][] = [];
    const published: string[] = [];
    const all: WorkerDeps = {
      ...deps,
      visibility: { delay: async (handle, seconds) => void delays.push([handle, seconds]) },
      publisher: {
        publish: (points) => void published.push(...points.map((p) => String(p.dimensions.outcome))),
      },
    };
    return { deps: all, delays, transport, published };
  }

  it('stops at the first failure: it and every later message are reported failed, later ones at once', async () => {
    const { deps, delays, transport, published } = await workerDeps([200, 503]);
    const event: SQSEvent = {
      Records: [
        record('a', { id: 'msg_a' }),
        record('b', { id: 'msg_b' }, 2),
        record('c', { id: 'msg_c', subject: 'c2' }),
      ],
    };
    const result = await worker(event, deps);
    expect(result.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier)).toEqual(['b', 'c']);
    expect(delays).toEqual([
      ['rh-b', RETRY_WAITS_SECONDS[1]],
      ['rh-c', 0],
    ]);
    expect(transport.posted).toHaveLength(2);
    expect(published).toEqual(['delivered', 'retry']);
  });

  it('drops a malformed message rather than retrying it forever', async () => {
    const { deps } = await workerDeps([]);
    const bad = { ...record('x', {}), body: '{"nope":1}' } as SQSRecord;
    expect((await worker({ Records: [bad] }, deps)).batchItemFailures).toEqual([]);
  });

  it('backs off when its own dependencies fail, as for a receiver failure', async () => {
    const { deps, delays } = await workerDeps([]);
    deps.secrets = { read: async () => Promise.reject(new Error('throttled')) };
    const result = await worker({ Records: [record('a', {})] }, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(delays).toEqual([['rh-a', RETRY_WAITS_SECONDS[0]]]);
  });

  it('reports a failed message as failed even when its backoff cannot be set, and the batch still answers', async () => {
    const { deps } = await workerDeps([503, 200]);
    deps.visibility = { delay: async () => Promise.reject(new Error('emulator busy')) };
    const event: SQSEvent = { Records: [record('a', { id: 'msg_a' }), record('b', { id: 'msg_b' })] };
    const result = await worker(event, deps);
    expect(result.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier)).toEqual(['a', 'b']);
  });
});
