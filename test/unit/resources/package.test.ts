/**
 * The packaged control plane (`osls package`, as `npm run package` runs it) against issue 19: arm64 and
 * active tracing on every function, tracing on every workflow, a dead-letter queue and a retry policy on
 * every EventBridge target, an on-failure destination on every stream mapping (a redrive policy on every
 * consumed queue) and every asynchronously
 * invoked function, and cfn-lint with no error and no warning of ours.
 *
 * W3005 ("dependency already enforced by a GetAtt/Ref") is filtered out: serverless itself writes a
 * DependsOn on each function's role and each HTTP route's integration next to the reference that
 * already implies it. Nothing of ours causes one (docs/operations.md, "Template lint").
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const root = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);
const FRAMEWORK_WARNINGS = ['W3005'];

let out: string;
let template: Json;
const ofType = (type: string): [string, Json][] =>
  Object.entries<Json>(template.Resources).filter(([, resource]) => resource.Type === type);

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'package-'));
  await run(join(root, 'node_modules', '.bin', 'osls'), ['package', '--package', out], {
    cwd: root,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    maxBuffer: 16 * 1024 * 1024,
  });
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the packaged control plane', () => {
  it('runs every function on arm64 with active tracing, and traces every workflow', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(12);
    for (const [id, { Properties }] of functions) {
      expect([id, Properties.Architectures, Properties.TracingConfig]).toEqual([
        id,
        ['arm64'],
        { Mode: 'Active' },
      ]);
    }
    for (const [id, { Properties }] of ofType('AWS::StepFunctions::StateMachine'))
      expect([id, Properties.TracingConfiguration]).toEqual([id, { Enabled: true }]);
  });

  it('sends what cannot be delivered asynchronously to a dead-letter queue, after retries', () => {
    const targets = ofType('AWS::Events::Rule').flatMap(([id, rule]) =>
      rule.Properties.Targets.map((target: Json) => [id, target] as const),
    );
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const [id, target] of targets) {
      expect([id, target.DeadLetterConfig]).toEqual([
        id,
        { Arn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] } },
      ]);
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    }
    for (const [id, { Properties }] of ofType('AWS::Lambda::EventSourceMapping')) {
      const queue = Properties.EventSourceArn['Fn::GetAtt']?.[0];
      if (template.Resources[queue]?.Type === 'AWS::SQS::Queue') {
        // A queue's own redrive policy parks what its consumer gave up on.
        expect([id, template.Resources[queue].Properties.RedrivePolicy.deadLetterTargetArn]).toEqual([
          id,
          { 'Fn::GetAtt': ['WebhookDeadLetterQueue', 'Arn'] },
        ]);
        expect(Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
        continue;
      }
      expect([id, Properties.DestinationConfig?.OnFailure]).toEqual([
        id,
        { Destination: { 'Fn::GetAtt': ['StreamDeadLetterQueue', 'Arn'] } },
      ]);
    }
    const scheduled = targets.filter(([, target]) => JSON.stringify(target.Arn).includes('LambdaFunction'));
    const invokeConfigs = ofType('AWS::Lambda::EventInvokeConfig');
    for (const [, target] of scheduled) {
      const config = invokeConfigs.find(
        ([, { Properties }]) => Properties.FunctionName.Ref === target.Arn['Fn::GetAtt'][0],
      );
      expect(config?.[1].Properties.DestinationConfig.OnFailure).toEqual({
        Destination: { 'Fn::GetAtt': ['AsyncFailuresQueue', 'Arn'] },
      });
    }
  });

  it('passes cfn-lint with no error and no warning of ours', async () => {
    const file = join(out, 'cloudformation-template-update-stack.json');
    // The exit code is a bit mask of the finding levels; the JSON on stdout is what counts.
    const stdout = await new Promise<string>((resolve) =>
      execFile('cfn-lint', ['-f', 'json', '--', file], { maxBuffer: 16 * 1024 * 1024 }, (_error, text) =>
        resolve(text),
      ),
    );
    const findings = (
      JSON.parse(stdout) as { Level: string; Rule: { Id: string }; Message: string }[]
    ).filter((finding) => !FRAMEWORK_WARNINGS.includes(finding.Rule.Id));
    expect(findings.map(({ Rule, Message }) => `${Rule.Id} ${Message}`)).toEqual([]);
  }, 60_000);
});
