/**
 * Every metric the control plane emits (CloudWatch embedded metric format, one namespace), with the
 * dimensions each carries besides `service`. Dimensions are few and bounded on purpose: each distinct
 * combination is a custom metric that CloudWatch bills (docs/operations.md, "Metrics").
 * The alarms and the dashboard (resources/src/observability.ts) are built from these names.
 */
export const METRICS_NAMESPACE = 'DetControlPlane';
/** Powertools adds it to every metric as the `service` dimension. */
export const METRICS_SERVICE = 'det-control-plane';

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

export interface MetricDefinition {
  unit: MetricUnit;
  /** The dimensions besides `service`, in the order they are emitted. */
  dimensions: readonly string[];
  description: string;
}

export const METRICS = {
  ApiRequests: {
    unit: 'Count',
    dimensions: ['route', 'statusClass'],
    description: 'Answered API requests, by route template and status class (2xx, 4xx, 5xx).',
  },
  ApiLatency: {
    unit: 'Milliseconds',
    dimensions: ['route', 'statusClass'],
    description: 'Time the function spent on a request, by route template and status class.',
  },
  ClusterTransitions: {
    unit: 'Count',
    dimensions: ['status'],
    description: 'Cluster records entering a status (CREATING, READY, DELETED, CREATE_FAILED, ...).',
  },
  ClusterFailures: {
    unit: 'Count',
    dimensions: ['operation', 'failureType'],
    description: 'Clusters entering a *_FAILED status, by operation and kind of failure.',
  },
  TimeToReady: {
    unit: 'Seconds',
    dimensions: [],
    description: 'From the create request to READY.',
  },
  ReaperRuns: {
    unit: 'Count',
    dimensions: [],
    description: 'Completed reaper runs (the heartbeat the ReaperNotRunning alarm watches).',
  },
  ReaperDecisions: {
    unit: 'Count',
    dimensions: ['decision'],
    description: 'Reaper decisions acted on: track, warn, cancel, teardown.',
  },
  ReaperErrors: {
    unit: 'Count',
    dimensions: [],
    description: 'Clusters the reaper decided on but could not act on in a run.',
  },
  OverdueWorkflows: {
    unit: 'Count',
    dimensions: [],
    description: 'Workflow executions running longer than their budget, counted by the watchdog each run.',
  },
  StreamRecords: {
    unit: 'Count',
    dimensions: [],
    description: 'Table stream records read by the metrics consumer.',
  },
  WebhookDeliveries: {
    unit: 'Count',
    dimensions: ['outcome'],
    description: 'Webhook delivery attempts, by outcome: delivered, skipped, retry, given-up.',
  },
  WebhookEvents: {
    unit: 'Count',
    dimensions: [],
    description: 'Deliveries queued (one per event and subscribed webhook).',
  },
  AuditWriteFailures: {
    unit: 'Count',
    dimensions: [],
    description: 'Audit entries that could not be written (the entry is in the ERROR log line).',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

/** One data point, ready to be written as an embedded-metric line. */
export interface MetricPoint {
  name: MetricName;
  value: number;
  dimensions: Record<string, string>;
}

/** A point for `name`, with exactly the dimensions its definition lists. */
export function point(name: MetricName, value: number, dimensions: Record<string, string> = {}): MetricPoint {
  const expected: readonly string[] = METRICS[name].dimensions;
  const given = Object.keys(dimensions);
  if (given.length !== expected.length || !expected.every((key) => given.includes(key)))
    throw new Error(`metric ${name} takes dimensions [${expected.join(', ')}], got [${given.join(', ')}]`);
  return { name, value, dimensions };
}
