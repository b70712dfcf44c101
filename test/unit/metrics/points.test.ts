/**
 * The metric points the code emits: bounded dimensions (route templates, status classes, failure
 * kinds), one heartbeat per reaper run, transitions only when the status changes.
 */
import { METRICS, point } from '../../../core/metrics/catalogue.ts';
import { FAILURE_TYPES, failureType } from '../../../core/metrics/failure-type.ts';
import { reaperPoints } from '../../../core/metrics/reaper.ts';
import { requestPoints, statusClass } from '../../../core/metrics/requests.ts';
import { transitionPoints } from '../../../core/metrics/transitions.ts';

describe('point', () => {
  it('takes exactly the dimensions the catalogue lists', () => {
    expect(point('ApiRequests', 1, { route: 'GET /health', statusClass: '2xx' }).dimensions).toEqual({
      route: 'GET /health',
      statusClass: '2xx',
    });
    expect(() => point('ApiRequests', 1, { route: 'GET /health' })).toThrow(/takes dimensions/);
    expect(() => point('ReaperRuns', 1, { team: 'a' })).toThrow(/takes dimensions/);
  });

  it('keeps every metric to at most two dimensions besides service', () => {
    for (const definition of Object.values(METRICS))
      expect(definition.dimensions.length).toBeLessThanOrEqual(2);
  });
});

describe('requestPoints', () => {
  it.each([
    [200, '2xx'],
    [201, '2xx'],
    [404, '4xx'],
    [429, '4xx'],
    [503, '5xx'],
    [undefined, '5xx'],
    [42, '5xx'],
  ])('puts status %p in class %s', (status, expected) => {
    expect(statusClass(status)).toBe(expected);
  });

  it('counts a request and its time under the route template', () => {
    // Act
    const points = requestPoints({ routeKey: 'GET /clusters/{clusterId}', status: 200, elapsedMs: 12.4 });
    // Assert
    expect(points).toEqual([
      {
        name: 'ApiRequests',
        value: 1,
        dimensions: { route: 'GET /clusters/{clusterId}', statusClass: '2xx' },
      },
      {
        name: 'ApiLatency',
        value: 12,
        dimensions: { route: 'GET /clusters/{clusterId}', statusClass: '2xx' },
      },
    ]);
  });

  it('never uses a raw path or an odd route key as a dimension', () => {
    for (const routeKey of [undefined, '$default', 'GET /clusters/a b', `GET /${'x'.repeat(200)}`]) {
      expect(requestPoints({ routeKey, status: 200, elapsedMs: 1 })[0]?.dimensions.route).toBe('other');
    }
  });
});

describe('failureType', () => {
  it.each([
    ['The control plane workflow stopped unexpectedly (States.Timeout); retry the operation.', 'workflow'],
    ['The stack did not finish creating within 3600 seconds (last status CREATE_IN_PROGRESS).', 'timeout'],
    ['The stack was not deleted within 3600 seconds (last status DELETE_IN_PROGRESS).', 'timeout'],
    ['The key pair bars-key does not exist in us-east-1.', 'keypair'],
    [
      'A stack named x already exists and was not made for this cluster; it is left untouched.',
      'name-conflict',
    ],
    ['Agents of the cluster were still running after 600 seconds: i-1', 'agents-running'],
    [
      'The stack ended ROLLBACK_COMPLETE: Agent (AWS::EC2::Instance) failed: InsufficientInstanceCapacity',
      'capacity',
    ],
    ['The stack ended ROLLBACK_COMPLETE: Role (AWS::IAM::Role) failed: AccessDenied', 'permission'],
    ['CloudFormation did not accept the stack: Template format error', 'rejected'],
    ['The stack ended ROLLBACK_COMPLETE.', 'stack'],
    ['something new', 'other'],
    [undefined, 'other'],
  ])('reads %p as %s', (reason, expected) => {
    expect(failureType(reason)).toBe(expected);
    expect(FAILURE_TYPES).toContain(expected);
  });
});

describe('transitionPoints', () => {
  const record = (status: string, extra: Record<string, string> = {}) => ({
    sk: 'CLUSTER',
    status,
    ...extra,
  });

  it('counts a status entered, once', () => {
    expect(transitionPoints({ new: record('CREATING') })).toEqual([
      { name: 'ClusterTransitions', value: 1, dimensions: { status: 'CREATING' } },
    ]);
    expect(transitionPoints({ old: record('READY'), new: record('READY') })).toEqual([]);
  });

  it('counts a failure by operation and kind', () => {
    const points = transitionPoints({
      old: record('CREATING'),
      new: record('CREATE_FAILED', { statusReason: 'The key pair k does not exist.' }),
    });
    expect(points).toContainEqual({
      name: 'ClusterFailures',
      value: 1,
      dimensions: { operation: 'create', failureType: 'keypair' },
    });
  });

  it('measures the time from the create request to READY', () => {
    const points = transitionPoints({
      old: record('CREATING'),
      new: record('READY', { createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:07:30.000Z' }),
    });
    expect(points).toContainEqual({ name: 'TimeToReady', value: 450, dimensions: {} });
    // An update back to READY is not a create.
    expect(
      transitionPoints({ old: record('UPDATING'), new: record('READY') }).map(({ name }) => name),
    ).toEqual(['ClusterTransitions']);
  });

  it('ignores timeline entries, removed records and keeps odd statuses bounded', () => {
    expect(transitionPoints({ new: { sk: 'EVENT#x', status: 'READY' } })).toEqual([]);
    expect(transitionPoints({ old: record('DELETED') })).toEqual([]);
    expect(transitionPoints({ new: record('weird status') })[0]?.dimensions).toEqual({ status: 'OTHER' });
  });
});

describe('reaperPoints', () => {
  it('sends the heartbeat, the errors (zero included) and the decisions by kind', () => {
    const points = reaperPoints({
      decisions: [{ decision: 'warn' }, { decision: 'warn' }, { decision: 'teardown' }],
      errors: [],
    });
    expect(points).toEqual([
      { name: 'ReaperRuns', value: 1, dimensions: {} },
      { name: 'ReaperErrors', value: 0, dimensions: {} },
      { name: 'ReaperDecisions', value: 2, dimensions: { decision: 'warn' } },
      { name: 'ReaperDecisions', value: 1, dimensions: { decision: 'teardown' } },
    ]);
  });
});
