/**
 * Metrics as CloudWatch embedded-metric-format lines on stdout (Powertools Metrics): CloudWatch Logs
 * turns them into metrics, so recording one costs no API call in the request path. Locally the
 * same lines land in the local runtime's log. POWERTOOLS_METRICS_DISABLED=true turns them off.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricPoint } from '../core/metrics/catalogue.ts';
import { logger } from './logger.ts';
import { once } from './once.ts';

export interface MetricsPublisher {
  publish(points: readonly MetricPoint[]): void;
}

export class EmbeddedMetrics implements MetricsPublisher {
  private readonly metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

  /** One line per set of dimensions (a line's metrics all share its dimensions). Never throws. */
  publish(points: readonly MetricPoint[]): void {
    try {
      this.write(points);
    } catch (error) {
      // A metric must never fail the work it measures.
      logger.warn('cannot publish metrics', { error: (error as Error).message });
    }
  }

  private write(points: readonly MetricPoint[]): void {
    const groups = new Map<string, MetricPoint[]>();
    for (const entry of points) {
      const key = JSON.stringify(Object.entries(entry.dimensions).sort(([a], [b]) => a.localeCompare(b)));
      groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
    for (const group of groups.values()) {
      const [first] = group;
      if (!first) continue;
      this.metrics.addDimensions(first.dimensions);
      for (const entry of group) this.metrics.addMetric(entry.name, METRICS[entry.name].unit, entry.value);
      this.metrics.publishStoredMetrics();
    }
  }
}

/** The process's publisher, built on first use. */
export const metrics = once<MetricsPublisher>(() => new EmbeddedMetrics());
