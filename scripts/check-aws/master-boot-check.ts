/**
 * check:aws, part "boot": for every deployment type, the master's user data as CloudFormation would
 * render it runs in the sandbox (scripts/check-aws/boot-sandbox.ts). It must write a master.yaml
 * that passes Determined's rules, read the passwords from the secret only, signal success only after
 * GET /info answers with the version, and signal failure with a reason on each failure; the boot
 * script and the agents' startup script must have no shellcheck finding.
 */
import { parse } from 'yaml';
import type { ClusterParameters } from '../../core/cluster/model.ts';
import { CREATE_DEFAULTS, DEPLOYMENT_TYPES, type DeploymentType } from '../../core/cluster/request.ts';
import { toStackParameters, type StackInputs } from '../../core/cluster/stack-parameters.ts';
import { renderTemplate } from '../../templates/src/index.ts';
import { WAIT_HANDLE } from '../../templates/src/master-boot.ts';
import { runBoot, type BootRun, type BootScenario } from './boot-sandbox.ts';
import { determinedConfigProblems } from './determined-config.ts';
import { renderedUserData, userDataScript } from './intrinsics.ts';
import { shellcheck } from './shellcheck.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

export const SAMPLE_ACCOUNT = '123456789012';
export const SAMPLE_SECRET_NAME = 'det-control-plane/clusters/ml/abc123';
export const SAMPLE_HANDLE_URL =
  'https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/arn%3Aaws%3Acloudformation/MasterBootHandle?X-Amz-Signature=abc&X-Amz-Expires=86399';

export const sampleParameters = (overrides: Partial<ClusterParameters> = {}): ClusterParameters => ({
  ...CREATE_DEFAULTS,
  keypair: 'team-key',
  region: 'us-east-1',
  idleTimeout: '1h',
  tags: { project: 'vision' },
  ...overrides,
});

/** The user data a stack of this type would give its master, for these parameters and stack name. */
export function userDataFor(
  type: DeploymentType,
  parameters: ClusterParameters,
  stackName = 'Team-Vision-7',
  inputs: Partial<StackInputs> = {},
): string {
  const values = toStackParameters(parameters, { secretName: SAMPLE_SECRET_NAME, ...inputs });
  return renderedUserData(renderTemplate(type), {
    parameters: values,
    pseudo: {
      'AWS::Region': parameters.region,
      'AWS::StackName': stackName,
      'AWS::AccountId': SAMPLE_ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::StackId': `arn:aws:cloudformation:${parameters.region}:${SAMPLE_ACCOUNT}:stack/${stackName}/0d5b3c1e-8a6f-4a53-9d0e-1f2a3b4c5d6e`,
    },
    physical: (logicalId, attribute) =>
      logicalId === WAIT_HANDLE && !attribute ? SAMPLE_HANDLE_URL : undefined,
  });
}

export interface BootResult extends BootRun {
  config?: Json;
  userData: string;
}

export function bootFor(
  type: DeploymentType,
  parameters: ClusterParameters,
  scenario: Partial<BootScenario> = {},
  stackName?: string,
  inputs: Partial<StackInputs> = {},
): BootResult {
  const userData = userDataFor(type, parameters, stackName, inputs);
  const run = runBoot(userDataScript(userData), {
    secret: { dbPassword: 'db-Pass.word_1', adminPassword: 'admin-Pass_2' },
    version: parameters.determinedVersion,
    ...scenario,
  });
  return { ...run, userData, ...(run.masterYaml ? { config: parse(run.masterYaml) } : {}) };
}

/** The agents' startup script as the master will give it to them. */
export function agentStartupOf(config: Json): string {
  const pool = config?.resource_pools?.find((candidate: Json) => candidate.provider);
  return pool?.provider?.startup_script ?? '';
}

/** Every problem the boot shows for one type; empty when it behaves. */
export function bootProblems(type: DeploymentType): string[] {
  const problems: string[] = [];
  const say = (case_: string, message: string) => problems.push(`${type}: ${case_}: ${message}`);
  const cases: [string, ClusterParameters, string][] = [
    ['defaults', sampleParameters(), 'Team-Vision-7'],
    ['no dynamic agents', sampleParameters({ maxDynamicAgents: 0 }), 'a'],
    [
      'spot, 64-character id',
      sampleParameters({ spot: true, spotMaxPrice: '0.75', keypair: "it's #1: a key" }),
      'A'.repeat(32) + 'b'.repeat(32),
    ],
  ];
  for (const [name, parameters, stack] of cases) {
    const run = bootFor(type, parameters, {}, stack);
    if (run.status !== 0) say(name, `the boot failed: ${run.log.slice(-300)}`);
    if (run.resourceSignal !== 'SUCCESS' || run.handleSignal?.Status !== 'SUCCESS')
      say(name, 'success was not signalled on both channels');
    if (!run.config) {
      say(name, 'no master.yaml was written');
      continue;
    }
    if (run.masterYamlMode !== 0o600)
      say(name, `master.yaml is mode ${run.masterYamlMode?.toString(8)}, not 600`);
    for (const problem of determinedConfigProblems(run.config))
      say(name, `master.yaml${problem.path} ${problem.message} (${problem.source})`);
    if (run.userData.includes('db-Pass.word_1')) say(name, 'the password is in the user data');
    const info = run.calls.findIndex((call) => call.includes('localhost:8080/info'));
    const signal = run.calls.findIndex((call) => call.includes('signal-resource'));
    if (info < 0 || signal < info) say(name, 'success was signalled before GET /info answered');
    if (name !== 'defaults') continue; // the scripts differ by values only; shellcheck them once per type
    for (const finding of shellcheck(userDataScript(run.userData)))
      say(name, `shellcheck SC${finding.code} on the boot, line ${finding.line}: ${finding.message}`);
    const startup = agentStartupOf(run.config);
    if (startup)
      for (const finding of shellcheck(startup))
        say(
          name,
          `shellcheck SC${finding.code} on the agents' startup script, line ${finding.line}: ${finding.message}`,
        );
  }
  const failures: [string, Partial<BootScenario>, RegExp][] = [
    ['unreadable secret', { secret: 'unreadable' }, /secret .* could not be read/],
    ['failed docker pull', { pull: 'fails' }, /docker pull .* failed/],
    ['master exits', { master: 'exits' }, /the master exited/],
    ['wrong version answers', { info: 'wrong-version' }, /did not answer GET \/info with version/],
  ];
  for (const [name, scenario, reason] of failures) {
    const run = bootFor(type, sampleParameters(), scenario);
    if (run.status === 0) say(name, 'the boot succeeded');
    if (run.resourceSignal !== 'FAILURE')
      say(name, `the master was signalled ${run.resourceSignal ?? 'nothing'}, not FAILURE`);
    if (run.handleSignal?.Status !== 'FAILURE' || !reason.test(run.handleSignal.Reason))
      say(name, `the wait condition got no failure with the reason (${JSON.stringify(run.handleSignal)})`);
  }
  return problems;
}

export function allBootProblems(): { checked: number; problems: string[] } {
  const problems = DEPLOYMENT_TYPES.flatMap(bootProblems);
  return { checked: DEPLOYMENT_TYPES.length * 7, problems };
}
