/**
 * The CloudWatch dashboard: the figures of docs/operations.md on one page, API to workflows to the
 * reaper, with the alarms' state on top. The body is JSON text; the deployment's names are spliced in
 * with Fn::Join (serverless would read `${}` of Fn::Sub as its own variables).
 */
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../core/metrics/catalogue.ts';
import { getAtt, join, ref, type Json, type Resources } from './cfn.ts';
import { alarmSpecs } from './alarms.ts';
import { DEAD_LETTER_QUEUES } from './queues.ts';
import type { ServiceShape } from './service.ts';

/** Values only CloudFormation knows, stood in for by tokens while the body is built as plain JSON. */
class Splicer {
  private readonly values: Json[] = [];
  token(value: Json): string {
    this.values.push(value);
    return `@@${this.values.length - 1}@@`;
  }
  join(text: string): Json {
    const parts = text
      .split(/@@(\d+)@@/)
      .map((part, index) => (index % 2 === 1 ? (this.values[Number(part)] ?? '') : part));
    return join(parts.filter((part) => part !== ''));
  }
}

const PERIOD = 300;

export function dashboardResources(shape: ServiceShape): Resources {
  const s = new Splicer();
  const region = s.token(ref('AWS::Region'));
  const stack = s.token(ref('AWS::StackName'));
  const ownSearch = (dimensions: string[], metric: string, statistic: string) =>
    `SEARCH('{${METRICS_NAMESPACE},${['service', ...dimensions].sort().join(',')}} MetricName="${metric}" service="${METRICS_SERVICE}"', '${statistic}', ${PERIOD})`;
  const own = (metric: string, statistic: string, label = metric) => [
    METRICS_NAMESPACE,
    metric,
    'service',
    METRICS_SERVICE,
    { stat: statistic, label },
  ];
  const graph = (title: string, metrics: Json[], x: number, y: number, extra: Record<string, Json> = {}) => ({
    type: 'metric',
    x,
    y,
    width: 8,
    height: 6,
    properties: { title, region, view: 'timeSeries', stacked: false, period: PERIOD, metrics, ...extra },
  });
  const search = (expression: string, id: string) => [{ expression, id, label: '' }];
  const lifecycle = shape.stateMachines.filter((machine) => !machine.express);

  const widgets: Json[] = [
    {
      type: 'alarm',
      x: 0,
      y: 0,
      width: 24,
      height: 4,
      properties: {
        title: 'Alarms (runbooks: docs/operations.md)',
        alarms: alarmSpecs(shape).map((spec) => s.token(getAtt(spec.logicalId, 'Arn'))),
      },
    },
    graph(
      'API requests by route and status class',
      [search(ownSearch(['route', 'statusClass'], 'ApiRequests', 'Sum'), 'requests')],
      0,
      4,
    ),
    graph(
      'API time in the function, p99 (ms)',
      [search(ownSearch(['route', 'statusClass'], 'ApiLatency', 'p99'), 'latency')],
      8,
      4,
    ),
    graph(
      'API Gateway: requests, 4xx, 5xx',
      ['Count', '4xx', '5xx'].map((metric) => [
        'AWS/ApiGateway',
        metric,
        'ApiId',
        s.token(ref('HttpApi')),
        { stat: 'Sum' },
      ]),
      16,
      4,
    ),
    graph(
      'Clusters entering each status',
      [search(ownSearch(['status'], 'ClusterTransitions', 'Sum'), 'transitions')],
      0,
      10,
    ),
    graph(
      'Cluster failures by operation and kind',
      [search(ownSearch(['failureType', 'operation'], 'ClusterFailures', 'Sum'), 'failures')],
      8,
      10,
    ),
    graph(
      'Time from create request to READY (s)',
      [
        own('TimeToReady', 'p50', 'p50'),
        own('TimeToReady', 'p90', 'p90'),
        own('TimeToReady', 'Maximum', 'max'),
      ],
      16,
      10,
    ),
    graph(
      'Workflow executions',
      lifecycle.flatMap((machine) =>
        [
          'ExecutionsStarted',
          'ExecutionsSucceeded',
          'ExecutionsFailed',
          'ExecutionsTimedOut',
          'ExecutionsAborted',
        ].map((metric) => [
          'AWS/States',
          metric,
          'StateMachineArn',
          s.token(ref(machine.logicalId)),
          { stat: 'Sum', label: `${machine.name} ${metric.replace('Executions', '').toLowerCase()}` },
        ]),
      ),
      0,
      16,
    ),
    graph('Workflows past their budget (watchdog)', [own('OverdueWorkflows', 'Maximum', 'overdue')], 8, 16),
    graph(
      'Reaper: runs, decisions, errors',
      [
        own('ReaperRuns', 'Sum', 'runs'),
        own('ReaperErrors', 'Sum', 'could not act'),
        search(ownSearch(['decision'], 'ReaperDecisions', 'Sum'), 'decisions')[0] as Json,
      ],
      16,
      16,
    ),
    graph(
      'Function errors and throttles',
      [
        search(
          `SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors" "${stack}"', 'Sum', ${PERIOD})`,
          'errors',
        )[0] as Json,
        search(
          `SEARCH('{AWS/Lambda,FunctionName} MetricName="Throttles" "${stack}"', 'Sum', ${PERIOD})`,
          'throttles',
        )[0] as Json,
      ],
      0,
      22,
    ),
    graph(
      'Function duration, p99 (ms)',
      [
        search(
          `SEARCH('{AWS/Lambda,FunctionName} MetricName="Duration" "${stack}"', 'p99', ${PERIOD})`,
          'duration',
        ),
      ],
      8,
      22,
    ),
    graph(
      'Dead-letter queues: messages waiting',
      Object.keys(DEAD_LETTER_QUEUES).map((queue) => [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        s.token(getAtt(queue, 'QueueName')),
        { stat: 'Maximum', label: queue },
      ]),
      16,
      22,
    ),
  ];
  return {
    Dashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: ref('AWS::StackName'),
        DashboardBody: s.join(JSON.stringify({ start: '-PT12H', periodOverride: 'inherit', widgets })),
      },
    },
  };
}
