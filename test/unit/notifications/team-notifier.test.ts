/**
 * The reaper's notices reach the team's webhooks as well as the event bus (core/notifications/team-notifier.ts):
 * a budget threshold (core/operations/enforce-budgets.ts, 80 % and 100 %) is a `team.budget-threshold`
 * event with the same id however often it is reported, a teardown warning a `cluster.teardown-warning`
 * with the way to keep the cluster; a failing bus does not keep the webhooks from being told.
 */
import type { BudgetThreshold } from '../../../core/cost/notifications.ts';
import { publishTeamEvents } from '../../../core/notifications/publish.ts';
import { TeamNotifier } from '../../../core/notifications/team-notifier.ts';
import type { TeardownWarning } from '../../../core/ports.ts';
import { MemoryQueue, MemoryWebhooks, subscription } from './fakes.ts';

const threshold = (thresholdPercent: number): BudgetThreshold => ({
  team: 'bars',
  month: '2030-01',
  thresholdPercent,
  budgetUsd: 100,
  spentUsd: thresholdPercent,
  at: '2030-01-20T10:00:00.000Z',
  message: `Team bars has spent $${thresholdPercent} of its monthly budget of $100 in 2030-01 (${thresholdPercent} %).`,
});

function setup(bus: { fail?: boolean } = {}) {
  const webhooks = new MemoryWebhooks();
  const queue = new MemoryQueue();
  const told: string[] = [];
  const notifier = new TeamNotifier(
    {
      teardownWarnings: async (warnings) => {
        if (bus.fail) throw new Error('EventBridge is down');
        told.push(...warnings.map((warning) => warning.clusterId));
      },
      budgetThreshold: async (event) => {
        if (bus.fail) throw new Error('EventBridge is down');
        told.push(`${event.team} ${event.thresholdPercent}`);
      },
    },
    (events) => publishTeamEvents({ webhooks, deliveries: queue }, events),
    () => new Date('2030-01-20T10:00:00.000Z'),
  );
  return { webhooks, queue, told, notifier };
}

describe('the team notifier', () => {
  it('sends budget thresholds to the webhooks that subscribe to them, and to the bus', async () => {
    const { webhooks, queue, told, notifier } = setup();
    await webhooks.put(subscription({ name: 'money', events: ['team.budget-threshold'] }));
    await webhooks.put(subscription({ name: 'status', events: ['cluster.ready'] }));
    await webhooks.put(subscription({ team: 'other', name: 'theirs', events: ['team.budget-threshold'] }));

    await notifier.budgetThreshold(threshold(80));
    await notifier.budgetThreshold(threshold(100));

    expect(told).toEqual(['bars 80', 'bars 100']);
    expect(queue.messages.map((m) => [m.team, m.webhook, m.event.type])).toEqual([
      ['bars', 'money', 'team.budget-threshold'],
      ['bars', 'money', 'team.budget-threshold'],
    ]);
    const [eighty, hundred] = queue.messages.map((m) => m.event);
    expect(eighty?.data).toEqual({
      team: 'bars',
      month: '2030-01',
      thresholdPercent: 80,
      budgetUsd: 100,
      spentUsd: 80,
      message: expect.stringContaining('(80 %)'),
    });
    expect(eighty?.timestamp).toBe('2030-01-20T10:00:00.000Z');
    expect(eighty?.id).not.toBe(hundred?.id);
  });

  it('gives a threshold reported again the same id, so receivers drop the copy', async () => {
    const { webhooks, queue, notifier } = setup();
    await webhooks.put(subscription({ name: 'money', events: ['team.budget-threshold'] }));
    await notifier.budgetThreshold(threshold(80));
    await notifier.budgetThreshold({ ...threshold(80), at: '2030-01-20T10:05:00.000Z', spentUsd: 81 });
    const [first, second] = queue.messages.map((m) => m.event.id);
    expect(first).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(second).toBe(first);
  });

  it('sends a teardown warning with the way to keep the cluster', async () => {
    const { webhooks, queue, notifier } = setup();
    await webhooks.put(subscription({ name: 'warn', events: ['cluster.teardown-warning'] }));
    const warning: TeardownWarning = {
      clusterId: 'c1',
      team: 'bars',
      owner: 'alice',
      reason: 'idle',
      teardownAt: '2030-01-20T11:00:00.000Z',
      message: 'Idle for 2h: torn down at 11:00 unless kept alive.',
    };
    await notifier.teardownWarnings([warning]);
    expect(queue.messages[0]?.event).toMatchObject({
      type: 'cluster.teardown-warning',
      subject: 'c1',
      data: { teardownAt: warning.teardownAt, keepalive: { method: 'POST', path: '/clusters/c1/keepalive' } },
    });
  });

  it('tells the webhooks even when the bus fails, then reports the failure', async () => {
    const { webhooks, queue, notifier } = setup({ fail: true });
    await webhooks.put(subscription({ name: 'money', events: ['team.budget-threshold'] }));
    await expect(notifier.budgetThreshold(threshold(100))).rejects.toThrow('EventBridge is down');
    expect(queue.messages).toHaveLength(1);
  });
});
