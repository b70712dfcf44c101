/**
 * Issue 19's checks over serverless.yml and resources/observability.yml: arm64 and tracing everywhere,
 * a dead-letter queue and retries for every asynchronous delivery, an alarm for every function, workflow
 * and queue, every alarm on our namespace watching a metric the code really emits, and a runbook
 * section for every alarm.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  point,
  type MetricPoint,
} from '../../../core/metrics/catalogue.ts';
import { reaperPoints } from '../../../core/metrics/reaper.ts';
import { requestPoints } from '../../../core/metrics/requests.ts';
import { transitionPoints } from '../../../core/metrics/transitions.ts';
import { main as streamMain } from '../../../functions/stream/handler.ts';
import { main as watchdogMain } from '../../../functions/watchdog/handler.ts';
import { renderedObservability } from '../../../resources/render.ts';
import { alarmSpecs } from '../../../resources/src/alarms.ts';
import { DEAD_LETTER_QUEUES } from '../../../resources/src/queues.ts';
import { readServiceShape } from '../../../resources/src/service.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- serverless.yml and CloudFormation

const root = join(import.meta.dirname, '..', '..', '..');
const customTags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If'].map((tag) => ({
  tag,
  resolve: (value: string) => ({ [tag]: value }),
}));
const serverless: Json = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { customTags });
const template: Json = parse(readFileSync(join(root, 'resources', 'observability.yml'), 'utf8'));
const shape = readServiceShape();
const ofType = (type: string): [string, Json][] =>
  Object.entries<Json>(template.Resources).filter(([, resource]) => resource.Type === type);

describe('serverless.yml', () => {
  const functions = Object.entries<Json>(serverless.functions);
  const machines = Object.entries<Json>(serverless.stepFunctions.stateMachines);

  it('runs every function on arm64 with active tracing', () => {
    expect(serverless.provider.architecture).toBe('arm64');
    expect(serverless.provider.tracing).toEqual({ lambda: true });
    for (const [, definition] of functions) {
      expect(definition.architecture ?? 'arm64').toBe('arm64');
      expect(definition.tracing ?? 'Active').toBe('Active');
    }
  });

  it('traces every workflow', () => {
    for (const [, definition] of machines) expect(definition.tracingConfig).toEqual({ enabled: true });
  });

  it('gives every EventBridge target a dead-letter queue and a retry policy', () => {
    const targets = [
      ...functions.flatMap(([name, definition]) =>
        (definition.events ?? []).map((event: Json) => [name, event] as const),
      ),
      ...machines.flatMap(([name, definition]) =>
        (definition.events ?? []).map((event: Json) => [name, event] as const),
      ),
    ];
    // A plain `schedule` event cannot carry one here: schedules are eventBridge events.
    expect(targets.filter(([, event]) => 'schedule' in event || 'cloudwatchEvent' in event)).toEqual([]);
    const rules = targets.filter(([, event]) => 'eventBridge' in event);
    expect(rules.length).toBeGreaterThanOrEqual(4);
    for (const [name, { eventBridge }] of rules) {
      const queue = eventBridge.deadLetterQueueArn ?? eventBridge.deadLetterConfig;
      expect([name, queue]).toEqual([name, { '!GetAtt': 'EventsDeadLetterQueue.Arn' }]);
      expect(eventBridge.retryPolicy).toBeDefined();
    }
  });

  it('sends the failures of every asynchronously invoked function and stream batch to a queue', () => {
    for (const [name, definition] of functions) {
      const events: Json[] = definition.events ?? [];
      if (events.some((event) => 'eventBridge' in event)) {
        expect([name, definition.destinations?.onFailure]).toEqual([
          name,
          { type: 'sqs', arn: { '!GetAtt': 'AsyncFailuresQueue.Arn' } },
        ]);
      }
      for (const { stream } of events.filter((event) => 'stream' in event)) {
        expect(stream.destinations.onFailure).toEqual({
          type: 'sqs',
          arn: { '!GetAtt': 'StreamDeadLetterQueue.Arn' },
        });
        expect(stream.maximumRetryAttempts).toBeGreaterThan(0);
        expect(stream.bisectBatchOnFunctionError).toBe(true);
      }
    }
  });
});

describe('resources/observability.yml', () => {
  it('is what npm run resources renders from serverless.yml', () => {
    expect(readFileSync(join(root, 'resources', 'observability.yml'), 'utf8')).toBe(renderedObservability());
  });

  it('alarms on every function, workflow and dead-letter queue, all to the one topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    const watched = (namespace: string, metric: string) =>
      alarms.flatMap(([, alarm]) => {
        const p = alarm.Properties;
        const stats = p.Metrics
          ? p.Metrics.flatMap((entry: Json) => (entry.MetricStat ? [entry.MetricStat.Metric] : []))
          : [p];
        return stats
          .filter((stat: Json) => stat.Namespace === namespace && stat.MetricName === metric)
          .map((stat: Json) => stat.Dimensions[0].Value.Ref ?? stat.Dimensions[0].Value['Fn::GetAtt']?.[0]);
      });
    for (const fn of shape.functions) {
      expect(watched('AWS/Lambda', 'Errors')).toContain(fn.logicalId);
      expect(watched('AWS/Lambda', 'Throttles')).toContain(fn.logicalId);
    }
    for (const machine of shape.stateMachines) {
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])
        expect(watched('AWS/States', metric)).toContain(machine.logicalId);
    }
    expect(watched('AWS/SQS', 'ApproximateNumberOfMessagesVisible').sort()).toEqual(
      Object.keys(DEAD_LETTER_QUEUES).sort(),
    );
    expect(watched('AWS/ApiGateway', '5xx')).toEqual(['HttpApi']);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: 'AlarmTopic' }]);
    }
    expect(ofType('AWS::SNS::Topic').map(([id]) => id)).toEqual(['AlarmTopic']);
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });

  it('alarms only on metrics of our namespace that the code emits, with the dimensions it emits', async () => {
    // Arrange: run every emitter once.
    const emitted: MetricPoint[] = [
      ...requestPoints({ routeKey: 'GET /health', status: 500, elapsedMs: 1 }),
      ...reaperPoints({ decisions: [{ decision: 'warn' }], errors: [] }),
      ...transitionPoints({
        old: { sk: 'CLUSTER', status: 'CREATING' },
        new: { sk: 'CLUSTER', status: 'READY' },
      }),
      // What functions/http/middleware/audit-trail.ts and the reaper emit when an entry is lost.
      point('AuditWriteFailures', 1),
    ];
    const publisher = { publish: (points: readonly MetricPoint[]) => void emitted.push(...points) };
    streamMain({ Records: [] }, publisher);
    await watchdogMain({ running: async () => [], budgetSeconds: {}, now: () => new Date(), publisher });
    const names = new Set(emitted.map(({ name }) => name));
    // Act
    const own = ofType('AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties)
      .filter((p) => p.Namespace === METRICS_NAMESPACE);
    // Assert
    expect(own.map((p) => p.MetricName).sort()).toEqual([
      'AuditWriteFailures',
      'OverdueWorkflows',
      'ReaperRuns',
    ]);
    for (const p of own) {
      expect(names).toContain(p.MetricName);
      const sample = emitted.find(({ name }) => name === p.MetricName);
      expect(p.Dimensions).toEqual([
        { Name: 'service', Value: METRICS_SERVICE },
        ...Object.entries(sample?.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
      ]);
    }
  });

  it('gives every role a function or workflow runs with the right to send traces', () => {
    const [[, policy]] = ofType('AWS::IAM::ManagedPolicy') as [[string, Json]];
    const roles = policy.Properties.Roles.map((role: Json) => role.Ref);
    for (const entry of [...shape.functions, ...shape.stateMachines]) expect(roles).toContain(entry.role);
  });

  it('lets the watchdog list the executions of every lifecycle workflow, wake parked ones (ADR 0031), release stranded records and restart a delete that never started (ADR 0033), and nothing else', () => {
    const role = template.Resources.WatchdogFunctionRole.Properties;
    const statements = role.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement);
    const list = statements.find((statement: Json) => statement.Action.includes('states:ListExecutions'));
    expect(list.Resource.map((resource: Json) => resource.Ref).sort()).toEqual(
      shape.stateMachines
        .filter((machine) => !machine.express)
        .map((machine) => machine.logicalId)
        .sort(),
    );
    const restart = statements.find((statement: Json) => statement.Action.includes('states:StartExecution'));
    expect(restart.Resource).toEqual({ Ref: 'DeleteClusterStateMachine' });
    expect(statements.flatMap((statement: Json) => statement.Action).sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:SendMessage',
        'states:ListExecutions',
        // The lost-event sweep: an execution's input, the record's token, the stack's status, the wake.
        'states:DescribeExecution',
        'dynamodb:GetItem',
        'cloudformation:DescribeStacks',
        'states:SendTaskSuccess',
        // The stranded-record sweep (ADR 0033): in-progress records, released by a conditional write.
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        // A delete that never started is started again: the delete workflow only, and its timeline entry.
        'states:StartExecution',
        'dynamodb:PutItem',
      ].sort(),
    );
    const stranded = statements.find((statement: Json) => statement.Action.includes('dynamodb:Query'));
    expect(JSON.stringify(stranded.Resource)).toContain('/index/by-created');
    const describe = statements.find((statement: Json) =>
      statement.Action.includes('states:DescribeExecution'),
    );
    expect(JSON.stringify(describe.Resource)).toContain('execution:');
  });

  it('has a runbook section in docs/operations.md for every alarm', () => {
    const docs = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
    const headings = new Set([...docs.matchAll(/^### (\w+)$/gm)].map((match) => match[1]));
    for (const spec of alarmSpecs(shape))
      expect([spec.logicalId, headings.has(spec.runbook)]).toEqual([spec.logicalId, true]);
  });
});
