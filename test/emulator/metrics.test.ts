/**
 * Issue 19, locally: the local runtime's log carries the same embedded-metric lines as Lambda's, for
 * an API request (the middy chain) and for the cluster's status transitions (the table stream, read
 * from the emulator by local/stream-poller.ts and handed to functions/stream/).
 */
import { readFileSync } from 'node:fs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../core/metrics/catalogue.ts';
import { call, DEMO_KEY_PAIR, tokenFor, uniqueId, waitForStatus } from '../support/local-api.ts';

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

function emfLines(): EmfLine[] {
  const text = readFileSync(process.env.RUNTIME_LOG ?? '', 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

async function eventually<T>(find: () => T | undefined, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not found within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const metricNames = (line: EmfLine) =>
  line._aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics.map(({ Name }) => Name));

describe('embedded metrics in the local runtime', () => {
  it('records the create request and the cluster’s way to READY', async () => {
    // Arrange
    const token = await tokenFor('metrics');
    const clusterId = uniqueId('emf');
    // Act
    const created = await call('POST', '/clusters', { token, body: { clusterId, keypair: DEMO_KEY_PAIR } });
    expect(created.status).toBe(202);
    await waitForStatus(clusterId, token, 'READY');
    // Assert
    const request = await eventually(
      () => emfLines().find((line) => line.route === 'POST /clusters' && line.statusClass === '2xx'),
      10,
    );
    expect(request._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
    expect(request.service).toBe(METRICS_SERVICE);
    expect(metricNames(request)).toEqual(['ApiRequests', 'ApiLatency']);
    for (const status of ['CREATING', 'READY']) {
      await eventually(
        () =>
          emfLines().find(
            (line) => metricNames(line).includes('ClusterTransitions') && line.status === status,
          ),
        15,
      );
    }
    await eventually(() => emfLines().find((line) => typeof line.TimeToReady === 'number'), 15);
  }, 90_000);
});
