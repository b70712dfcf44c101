/**
 * The alarms, all sent to AlarmTopic. Each names its runbook section in docs/operations.md
 * (`runbook`), and a test checks that every section exists and that every alarm on our own
 * namespace watches a metric the code emits.
 */
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../../core/metrics/catalogue.ts';
import { getAtt, join, ref, type Json, type Resources } from './cfn.ts';
import { DEAD_LETTER_QUEUES, type QueueId } from './queues.ts';
import type { ServiceShape } from './service.ts';

export interface AlarmSpec {
  logicalId: string;
  /** The alarm's name after the stack's: <stack>-<suffix>. */
  suffix: string;
  /** The docs/operations.md heading that says what it means and what to do. */
  runbook: string;
  description: string;
  properties: Record<string, Json>;
}

const FIVE_MINUTES = 300;

const stat = (namespace: string, metric: string, dimensions: Record<string, Json>, statistic: string) => ({
  Namespace: namespace,
  MetricName: metric,
  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
  Statistic: statistic,
  Period: FIVE_MINUTES,
});

const atLeastOnce = { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 };

/** Our own metrics carry the `service` dimension Powertools adds. */
const own = (metric: MetricName, statistic: string) =>
  stat(METRICS_NAMESPACE, metric, { service: METRICS_SERVICE }, statistic);

export const RUNBOOKS = {
  api: 'ApiServerErrors',
  functionErrors: 'FunctionErrors',
  functionThrottles: 'FunctionThrottles',
  streamLag: 'StreamMetricsLag',
  workflow: 'WorkflowExecutionsFailed',
  queue: 'DeadLetterQueueNotEmpty',
  overdue: 'OverdueWorkflows',
  reaper: 'ReaperNotRunning',
  audit: 'AuditWriteFailures',
} as const;

export function alarmSpecs(shape: ServiceShape): AlarmSpec[] {
  const specs: AlarmSpec[] = [
    {
      logicalId: 'ApiServerErrorsAlarm',
      suffix: 'api-5xx-rate',
      runbook: RUNBOOKS.api,
      description:
        'More than 5% of API requests answered 5xx (in 2 of 3 five-minute periods, from 20 requests).',
      properties: {
        Metrics: [
          {
            Id: 'errors',
            MetricStat: metricStat('AWS/ApiGateway', '5xx', { ApiId: ref('HttpApi') }, 'Sum'),
            ReturnData: false,
          },
          {
            Id: 'requests',
            MetricStat: metricStat('AWS/ApiGateway', 'Count', { ApiId: ref('HttpApi') }, 'Sum'),
            ReturnData: false,
          },
          {
            Id: 'rate',
            Expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
            Label: '5xx percent',
            ReturnData: true,
          },
        ],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 5,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      },
    },
  ];
  for (const fn of shape.functions) {
    const dimensions = { FunctionName: ref(fn.logicalId) };
    specs.push(
      {
        logicalId: `${fn.logicalId.replace(/LambdaFunction$/, '')}ErrorsAlarm`,
        suffix: `${fn.name}-errors`,
        runbook: RUNBOOKS.functionErrors,
        description: `Function ${fn.name} failed (an unhandled error or a timeout).`,
        properties: {
          ...stat('AWS/Lambda', 'Errors', dimensions, 'Sum'),
          ...atLeastOnce,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        },
      },
      {
        logicalId: `${fn.logicalId.replace(/LambdaFunction$/, '')}ThrottlesAlarm`,
        suffix: `${fn.name}-throttles`,
        runbook: RUNBOOKS.functionThrottles,
        description: `Function ${fn.name} was throttled (concurrency limit reached).`,
        properties: {
          ...stat('AWS/Lambda', 'Throttles', dimensions, 'Sum'),
          ...atLeastOnce,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        },
      },
    );
    if (fn.stream) {
      specs.push({
        logicalId: `${fn.logicalId.replace(/LambdaFunction$/, '')}IteratorAgeAlarm`,
        suffix: `${fn.name}-lag`,
        runbook: RUNBOOKS.streamLag,
        description: `Function ${fn.name} is more than 15 minutes behind the table stream.`,
        properties: {
          ...stat('AWS/Lambda', 'IteratorAge', dimensions, 'Maximum'),
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 15 * 60 * 1000,
          EvaluationPeriods: 3,
          DatapointsToAlarm: 3,
          TreatMissingData: 'notBreaching',
        },
      });
    }
  }
  for (const machine of shape.stateMachines) {
    const dimensions = { StateMachineArn: ref(machine.logicalId) };
    const outcomes = ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'];
    specs.push({
      logicalId: `${machine.logicalId.replace(/StateMachine$/, '')}ExecutionsAlarm`,
      suffix: `${machine.name}-executions-failed`,
      runbook: RUNBOOKS.workflow,
      description: `Workflow ${machine.name} had executions that failed, timed out or were aborted.`,
      properties: {
        Metrics: [
          ...outcomes.map((metric, index) => ({
            Id: `m${index}`,
            MetricStat: metricStat('AWS/States', metric, dimensions, 'Sum'),
            ReturnData: false,
          })),
          {
            Id: 'ended',
            // Express workflows report no aborted executions: a missing series counts as zero.
            Expression: outcomes.map((_metric, index) => `FILL(m${index}, 0)`).join(' + '),
            Label: 'failed, timed out or aborted',
            ReturnData: true,
          },
        ],
        ...atLeastOnce,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      },
    });
  }
  for (const queue of Object.keys(DEAD_LETTER_QUEUES) as QueueId[]) {
    specs.push({
      logicalId: `${queue}Alarm`,
      suffix: `${queue.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}-not-empty`,
      runbook: RUNBOOKS.queue,
      description: `A message waits in ${queue}: ${DEAD_LETTER_QUEUES[queue]}.`,
      properties: {
        ...stat(
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          { QueueName: getAtt(queue, 'QueueName') },
          'Maximum',
        ),
        ...atLeastOnce,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      },
    });
  }
  specs.push(
    {
      logicalId: 'OverdueWorkflowsAlarm',
      suffix: 'overdue-workflows',
      runbook: RUNBOOKS.overdue,
      description:
        'A workflow has run longer than its budget, or the watchdog that counts them stopped reporting.',
      properties: {
        ...own('OverdueWorkflows', 'Maximum'),
        ...atLeastOnce,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
      },
    },
    {
      logicalId: 'ReaperNotRunningAlarm',
      suffix: 'reaper-not-running',
      runbook: RUNBOOKS.reaper,
      description: 'The reaper has not completed a run for three of its five-minute intervals.',
      properties: {
        ...own('ReaperRuns', 'Sum'),
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'breaching',
      },
    },
    {
      logicalId: 'AuditWriteFailuresAlarm',
      suffix: 'audit-write-failures',
      runbook: RUNBOOKS.audit,
      description: 'An audit entry could not be written; it is in the function’s ERROR log line.',
      properties: {
        ...own('AuditWriteFailures', 'Sum'),
        ...atLeastOnce,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      },
    },
  );
  return specs;
}

function metricStat(
  namespace: string,
  metric: string,
  dimensions: Record<string, Json>,
  statistic: string,
): Json {
  return {
    Metric: {
      Namespace: namespace,
      MetricName: metric,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: FIVE_MINUTES,
    Stat: statistic,
  };
}

export function alarmResources(shape: ServiceShape): Resources {
  const resources: Resources = {};
  for (const spec of alarmSpecs(shape)) {
    resources[spec.logicalId] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: join([ref('AWS::StackName'), `-${spec.suffix}`]),
        AlarmDescription: `${spec.description} Runbook: docs/operations.md#${spec.runbook.toLowerCase()}`,
        ActionsEnabled: true,
        AlarmActions: [ref('AlarmTopic')],
        OKActions: [ref('AlarmTopic')],
        ...spec.properties,
      },
    };
  }
  return resources;
}
