/**
 * The embedded-metric lines themselves, as CloudWatch Logs reads them: one line per set of
 * dimensions, our namespace, the service dimension, the catalogue's units. The stream consumer
 * turns table stream records into those lines.
 */
import { jest } from '@jest/globals';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { EmbeddedMetrics } from '../../../adapters/metrics.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE, point } from '../../../core/metrics/catalogue.ts';
import { main as streamMain } from '../../../functions/stream/handler.ts';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** Every EMF line a block writes to stdout (Powertools writes there, not through console.log). */
export async function emfLines(
  act: (publisher: EmbeddedMetrics) => void | Promise<void>,
): Promise<EmfLine[]> {
  const before = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act(new EmbeddedMetrics());
  } finally {
    spy.mockRestore();
    process.env.POWERTOOLS_METRICS_DISABLED = before;
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

describe('EmbeddedMetrics', () => {
  it('writes one EMF line per set of dimensions, with the namespace, service and units', async () => {
    // Act
    const lines = await emfLines((publisher) =>
      publisher.publish([
        point('ApiRequests', 1, { route: 'POST /clusters', statusClass: '2xx' }),
        point('ApiLatency', 35, { route: 'POST /clusters', statusClass: '2xx' }),
        point('ReaperRuns', 1),
      ]),
    );
    // Assert
    expect(lines).toHaveLength(2);
    const [request, heartbeat] = lines;
    expect(request?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Metrics: [
        { Name: 'ApiRequests', Unit: 'Count' },
        { Name: 'ApiLatency', Unit: 'Milliseconds' },
      ],
    });
    expect(request?._aws.CloudWatchMetrics[0]?.Dimensions[0]?.sort()).toEqual([
      'route',
      'service',
      'statusClass',
    ]);
    expect(request).toMatchObject({
      service: METRICS_SERVICE,
      route: 'POST /clusters',
      ApiRequests: 1,
      ApiLatency: 35,
    });
    expect(heartbeat).toMatchObject({ service: METRICS_SERVICE, ReaperRuns: 1 });
    expect(heartbeat?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
  });

  it('writes nothing for no points and never throws', async () => {
    expect(await emfLines((publisher) => publisher.publish([]))).toEqual([]);
    const bad = {
      name: 'ApiRequests' as const,
      value: Number.NaN,
      dimensions: { route: 'GET /health', statusClass: '2xx' },
    };
    await emfLines((publisher) => expect(() => publisher.publish([bad])).not.toThrow());
  });
});

describe('the stream consumer', () => {
  const image = (status: string, extra: Record<string, string> = {}) =>
    Object.fromEntries(
      Object.entries({ pk: 'CLUSTER#bars#c1', sk: 'CLUSTER', status, ...extra }).map(([key, value]) => [
        key,
        { S: value },
      ]),
    );

  it('turns status changes into EMF lines and leaves other writes alone', async () => {
    // Arrange
    const event = {
      Records: [
        { eventName: 'INSERT', dynamodb: { NewImage: image('CREATING') } },
        {
          eventName: 'MODIFY',
          dynamodb: { OldImage: image('CREATING'), NewImage: image('CREATING', { stackId: 'x' }) },
        },
        {
          eventName: 'MODIFY',
          dynamodb: {
            OldImage: image('CREATING'),
            NewImage: image('CREATE_FAILED', {
              statusReason: 'The stack did not finish creating within 60 seconds.',
            }),
          },
        },
        { eventName: 'REMOVE', dynamodb: { OldImage: image('DELETED') } },
      ],
    } as unknown as DynamoDBStreamEvent;
    // Act
    const lines = await emfLines((publisher) => void streamMain(event, publisher));
    // Assert
    const values = lines.map(({ _aws, ...rest }) => ({
      metrics: _aws.CloudWatchMetrics[0]?.Metrics.map(({ Name }) => Name),
      ...rest,
    }));
    expect(values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ metrics: ['StreamRecords'], StreamRecords: 4 }),
        expect.objectContaining({
          metrics: ['ClusterTransitions'],
          status: 'CREATING',
          ClusterTransitions: 1,
        }),
        expect.objectContaining({ metrics: ['ClusterTransitions'], status: 'CREATE_FAILED' }),
        expect.objectContaining({
          metrics: ['ClusterFailures'],
          operation: 'create',
          failureType: 'timeout',
        }),
      ]),
    );
    expect(lines).toHaveLength(4);
  });
});
