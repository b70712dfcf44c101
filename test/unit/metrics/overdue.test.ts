/** The watchdog: executions past their budget (plus grace) are overdue; the count goes out every run. */
import { jest } from '@jest/globals';
import type { MetricPoint } from '../../../core/metrics/catalogue.ts';
import { overdueExecutions } from '../../../core/workflow/overdue.ts';
import { GRACE_SECONDS, main } from '../../../functions/watchdog/handler.ts';

const now = new Date('2026-01-01T12:00:00.000Z');
const startedAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe('overdueExecutions', () => {
  it('finds executions running longer than their workflow budget plus grace', () => {
    const executions = [
      { workflow: 'create', name: 'a', startedAt: startedAgo(3600 + 60 + 1) },
      { workflow: 'create', name: 'b', startedAt: startedAgo(3600 + 60) },
      { workflow: 'delete', name: 'c', startedAt: startedAgo(100) },
      { workflow: 'stop', name: 'd', startedAt: startedAgo(7300) },
    ];
    const overdue = overdueExecutions(executions, {
      budgetSeconds: { create: 3600, delete: 1800 },
      defaultBudgetSeconds: 7200,
      graceSeconds: 60,
      now,
    });
    expect(overdue.map(({ name }) => name)).toEqual(['a', 'd']);
    expect(overdue[0]).toMatchObject({ runningSeconds: 3661, budgetSeconds: 3600 });
  });
});

describe('watchdog main', () => {
  it('publishes the count every run, zero included', async () => {
    // Arrange
    const published: MetricPoint[][] = [];
    const deps = (running: { workflow: string; name: string; startedAt: Date }[]) => ({
      running: jest.fn(async () => running),
      budgetSeconds: { create: 600, update: 600, delete: 600 },
      now: () => now,
      publisher: { publish: (points: readonly MetricPoint[]) => void published.push([...points]) },
    });
    // Act
    await main(deps([]));
    const overdue = await main(
      deps([{ workflow: 'update', name: 'u', startedAt: startedAgo(600 + GRACE_SECONDS + 1) }]),
    );
    // Assert
    expect(overdue.map(({ name }) => name)).toEqual(['u']);
    expect(published).toEqual([
      [{ name: 'OverdueWorkflows', value: 0, dimensions: {} }],
      [{ name: 'OverdueWorkflows', value: 1, dimensions: {} }],
    ]);
  });
});
