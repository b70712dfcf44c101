/**
 * The webhook routes' operations and the fan-out: a team manages only its own webhooks (another
 * team's are 404), the secret is returned once and never listed, URLs are checked, and an event
 * reaches only the webhooks of its team that subscribe to its type.
 */
import { NotFoundError, ValidationError, ConflictError } from '../../../core/errors.ts';
import { publishTeamEvents } from '../../../core/notifications/publish.ts';
import { MAX_WEBHOOKS_PER_TEAM } from '../../../core/notifications/webhook-request.ts';
import {
  deleteWebhook,
  listWebhooks,
  putWebhook,
  testWebhook,
  type WebhookDeps,
} from '../../../core/operations/webhooks.ts';
import type { Principal } from '../../../core/principal.ts';
import { MemoryQueue, MemorySecrets, MemoryWebhooks, subscription, teamEvent } from './fakes.ts';

const member = (team: string, sub = `${team}-user`): Principal => ({
  sub,
  team,
  scopes: new Set(['read', 'write']),
  admin: false,
});
const admin: Principal = {
  sub: 'root',
  team: 'ops',
  scopes: new Set(['read', 'write', 'admin']),
  admin: true,
};
const request = { url: 'https://hooks.example.com/det', events: ['cluster.ready' as const] };

function deps(): WebhookDeps & { webhooks: MemoryWebhooks; secrets: MemorySecrets; deliveries: MemoryQueue } {
  return {
    webhooks: new MemoryWebhooks(),
    secrets: new MemorySecrets(),
    deliveries: new MemoryQueue(),
    clock: { now: () => new Date('2030-01-01T00:00:00.000Z') },
    urlPolicy: { allowLoopbackHttp: false },
  };
}

describe('webhook operations', () => {
  it('returns the secret once, keeps it only in the secret store, and never lists it', async () => {
    const d = deps();
    const created = await putWebhook(d, member('bars'), { team: 'bars', name: 'hook' }, request);
    expect(created.secret).toMatch(/^whsec_/);
    expect(d.secrets.values.get('arn:secret:bars/hook')).toBe(created.secret);
    const stored = JSON.stringify([...d.webhooks.items.values()]);
    expect(stored).not.toContain(created.secret);
    const listed = await listWebhooks(d, member('bars'), 'bars');
    expect(listed.items).toEqual([
      expect.objectContaining({ name: 'hook', url: request.url, events: ['cluster.ready'], format: 'json' }),
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/secret|whsec_/i);
  });

  it('rotates the secret when a webhook is replaced, keeping its creation time', async () => {
    const d = deps();
    const first = await putWebhook(d, member('bars'), { team: 'bars', name: 'hook' }, request);
    const firstVersion = (await d.webhooks.get('bars', 'hook'))?.secretVersion;
    const second = await putWebhook(
      d,
      member('bars'),
      { team: 'bars', name: 'hook' },
      { ...request, format: 'slack' },
    );
    expect(second.secret).not.toBe(first.secret);
    expect(second.createdAt).toBe(first.createdAt);
    expect((await d.webhooks.get('bars', 'hook'))?.secretVersion).not.toBe(firstVersion);
    expect(d.secrets.values.get('arn:secret:bars/hook')).toBe(second.secret);
  });

  it('refuses a URL that is not https or points inside', async () => {
    const d = deps();
    for (const url of ['http://example.com/x', 'https://169.254.169.254/', 'https://10.0.0.1/x']) {
      await expect(
        putWebhook(d, member('bars'), { team: 'bars', name: 'hook' }, { ...request, url }),
      ).rejects.toThrow(ValidationError);
    }
    expect(d.secrets.values.size).toBe(0);
  });

  it(`holds a team to ${MAX_WEBHOOKS_PER_TEAM} webhooks`, async () => {
    const d = deps();
    for (let i = 0; i < MAX_WEBHOOKS_PER_TEAM; i++) await d.webhooks.put(subscription({ name: `h${i}` }));
    await expect(putWebhook(d, member('bars'), { team: 'bars', name: 'one-more' }, request)).rejects.toThrow(
      ConflictError,
    );
    await expect(putWebhook(d, member('bars'), { team: 'bars', name: 'h0' }, request)).resolves.toBeDefined();
  });

  it('answers another team’s webhooks as absent, for every route; an admin may manage them', async () => {
    const d = deps();
    await putWebhook(d, member('bars'), { team: 'bars', name: 'hook' }, request);
    const other = member('bars-other');
    const target = { team: 'bars', name: 'hook' };
    await expect(listWebhooks(d, other, 'bars')).rejects.toThrow(NotFoundError);
    await expect(putWebhook(d, other, target, request)).rejects.toThrow(NotFoundError);
    await expect(testWebhook(d, other, target, 'req-1')).rejects.toThrow(NotFoundError);
    await expect(deleteWebhook(d, other, target)).rejects.toThrow(NotFoundError);
    expect(d.deliveries.messages).toHaveLength(0);
    expect(await d.webhooks.get('bars', 'hook')).toBeDefined();
    expect((await listWebhooks(d, admin, 'bars')).items).toHaveLength(1);
  });

  it('removes a webhook with its secret; removing it again is 404', async () => {
    const d = deps();
    await putWebhook(d, member('bars'), { team: 'bars', name: 'hook' }, request);
    await deleteWebhook(d, member('bars'), { team: 'bars', name: 'hook' });
    expect(d.secrets.values.size).toBe(0);
    await expect(deleteWebhook(d, member('bars'), { team: 'bars', name: 'hook' })).rejects.toThrow(
      NotFoundError,
    );
  });

  it('queues a test event for that one webhook', async () => {
    const d = deps();
    await putWebhook(d, member('bars'), { team: 'bars', name: 'hook' }, request);
    const { eventId } = await testWebhook(
      d,
      member('bars', 'alice'),
      { team: 'bars', name: 'hook' },
      'req-1',
    );
    expect(d.deliveries.messages).toEqual([
      {
        team: 'bars',
        webhook: 'hook',
        event: expect.objectContaining({
          id: eventId,
          type: 'webhook.test',
          data: expect.objectContaining({ requestedBy: 'alice' }),
        }),
      },
    ]);
  });
});

describe('publishTeamEvents', () => {
  it('queues an event once per subscribed webhook of its own team', async () => {
    const d = deps();
    await d.webhooks.put(subscription({ name: 'ready-only', events: ['cluster.ready'] }));
    await d.webhooks.put(subscription({ name: 'deleted-only', events: ['cluster.deleted'] }));
    await d.webhooks.put(subscription({ team: 'other', name: 'theirs', events: ['cluster.ready'] }));
    const queued = await publishTeamEvents(d, [
      teamEvent(),
      teamEvent({ id: 'msg_2', type: 'cluster.deleted' }),
    ]);
    expect(queued).toBe(2);
    expect(d.deliveries.messages.map((m) => [m.team, m.webhook, m.event.type])).toEqual([
      ['bars', 'ready-only', 'cluster.ready'],
      ['bars', 'deleted-only', 'cluster.deleted'],
    ]);
  });

  it('queues nothing for a team without webhooks, or for no events', async () => {
    const d = deps();
    expect(await publishTeamEvents(d, [teamEvent()])).toBe(0);
    expect(await publishTeamEvents(d, [])).toBe(0);
    expect(d.deliveries.messages).toEqual([]);
  });
});
