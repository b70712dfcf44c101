/** Metrics of one reaper run: the heartbeat, the decisions acted on by kind, and the clusters it could not act on. */
import { point, type MetricPoint } from './catalogue.ts';

export function reaperPoints(report: {
  decisions: readonly { decision: string }[];
  errors: readonly unknown[];
}): MetricPoint[] {
  const counts = new Map<string, number>();
  for (const { decision } of report.decisions) counts.set(decision, (counts.get(decision) ?? 0) + 1);
  return [
    point('ReaperRuns', 1),
    point('ReaperErrors', report.errors.length),
    ...[...counts].map(([decision, count]) => point('ReaperDecisions', count, { decision })),
  ];
}
