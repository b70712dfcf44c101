/**
 * The rendered workflow files: fresh, valid ASL, direct service integrations only, placeholders that
 * the deployment fills in, and roles that allow every call the workflows make.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderedAsl, SUBSTITUTIONS, WORKFLOWS } from '../../../statemachines/src/index.ts';
import { actionOf, type AslDefinition, type AslState } from '../../../aws-model/workflow-harness.ts';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..', '..', '..');
const validate = require('asl-validator') as (
  definition: unknown,
  options: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const definitions = require(join(root, 'statemachines', 'definitions.cjs')) as Record<string, () => unknown>;

const NAMES = Object.keys(WORKFLOWS);
const fileText = (workflow: string) =>
  readFileSync(join(root, 'statemachines', `${workflow}.asl.json`), 'utf8');
const definition = (workflow: string) => JSON.parse(fileText(workflow)) as AslDefinition;

function tasks(machine: AslDefinition): [string, AslState][] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, AslState]] : []),
    ...(state.Branches ?? []).flatMap(tasks),
    ...(state.ItemProcessor ? tasks(state.ItemProcessor) : []),
  ]);
}

describe('rendered workflows', () => {
  it.each(NAMES)('%s.asl.json is what statemachines/src renders (npm run statemachines)', (workflow) => {
    expect(fileText(workflow)).toBe(renderedAsl(workflow));
  });

  it.each(NAMES)('%s.asl.json passes asl-validator', (workflow) => {
    const result = validate(definition(workflow), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(NAMES)('%s uses direct service integrations only, no Lambda', (workflow) => {
    for (const [name, state] of tasks(definition(workflow))) {
      expect([name, state.Resource]).toEqual([
        name,
        expect.stringMatching(/^arn:aws:states:::(aws-sdk:|dynamodb:|states:)/),
      ]);
      expect(state.Resource).not.toMatch(/lambda/);
    }
  });

  it.each(NAMES)('%s has only placeholders the deployment and the local runtime fill in', (workflow) => {
    const placeholders = [...fileText(workflow).matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]);
    expect(placeholders.length).toBeGreaterThan(0);
    for (const placeholder of placeholders) expect(SUBSTITUTIONS).toContain(placeholder);
    // serverless.yml loads the files through definitions.cjs, which maps every placeholder.
    const exported = workflow.replace(/-(\w)/g, (_match, letter: string) => letter.toUpperCase());
    const deployed = JSON.stringify(definitions[exported]?.());
    expect(deployed).not.toMatch(/\$\{/);
    expect(deployed).toContain('#{ClustersTable}');
  });

  it('every optional path a Choice compares is checked with IsPresent first', () => {
    // A Choice on a path that matches nothing is States.Runtime, which no Catch handles on AWS. These
    // are the fields services may leave out, and the results states write only on some paths.
    const optional =
      /^\$\.(event\.(ClientRequestToken|ResourceStatusReason)|record\.Item|page\.NextToken|rootCause|describe\.Stack\.(StackStatusReason|Outputs|Tags)|error|listing|snapshots|agents|spot|keyPair\.pairs|found\.items|previousStackId|cluster\.item\.stackId)/;
    for (const workflow of NAMES) {
      const choices: [string, string][] = [];
      const collect = (machine: AslDefinition) => {
        for (const [name, state] of Object.entries(machine.States)) {
          state.Branches?.forEach(collect);
          if (state.ItemProcessor) collect(state.ItemProcessor);
          if (state.Type === 'Choice') choices.push([name, JSON.stringify(state.Choices)]);
        }
      };
      collect(definition(workflow));
      const checked = new Set(
        choices.flatMap(([, rules]) =>
          [...rules.matchAll(/"Variable":"([^"]+)","IsPresent":true/g)].map((m) => m[1]),
        ),
      );
      for (const [name, rules] of choices) {
        for (const [, variable = '', operator] of rules.matchAll(/"Variable":"([^"]+)","(\w+)"/g)) {
          if (operator === 'IsPresent' || !optional.test(variable)) continue;
          expect([workflow, name, variable, checked.has(variable)]).toEqual([workflow, name, variable, true]);
        }
      }
    }
  });
});

describe('workflow roles (resources/workflow-roles.yml)', () => {
  const ROLES: Record<string, string> = {
    create: 'CreateWorkflowRole',
    update: 'UpdateWorkflowRole',
    upgrade: 'UpgradeWorkflowRole',
    delete: 'DeleteWorkflowRole',
    stop: 'StopWorkflowRole',
    start: 'StartWorkflowRole',
    'stack-event-relay': 'StackEventRelayRole',
    'execution-failure-relay': 'ExecutionFailureRelayRole',
  };
  const IAM_SERVICE: Record<string, string> = { sfn: 'states' };
  const IAM_ACTION: Record<string, string> = { 's3:ListObjectsV2': 's3:ListBucket' };

  function allowed(role: string): Set<string> {
    const text = readFileSync(join(root, 'resources', 'workflow-roles.yml'), 'utf8');
    const customTags = ['!Ref', '!GetAtt', '!Sub', '!Join'].map((tag) => ({
      tag,
      resolve: (value: string) => value,
    }));
    const template = parse(text, { customTags }) as {
      Resources: Record<
        string,
        { Properties: { Policies: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[] } }
      >;
    };
    const policies = template.Resources[role]?.Properties.Policies ?? [];
    return new Set(
      policies.flatMap((policy) =>
        policy.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat()),
      ),
    );
  }

  it.each(NAMES)('the role of %s allows every call it makes', (workflow) => {
    const grants = allowed(ROLES[workflow] ?? '');
    const needed = new Set<string>();
    for (const [, state] of tasks(definition(workflow))) {
      const [service = '', action = ''] = actionOf(String(state.Resource))
        .action.replace(/\.waitForTaskToken$/, '')
        .split(':');
      const iam = `${IAM_SERVICE[service] ?? service}:${action.charAt(0).toUpperCase()}${action.slice(1)}`;
      needed.add(IAM_ACTION[iam] ?? iam);
      if (iam === 'cloudformation:CreateStack') needed.add('s3:GetObject'); // CloudFormation reads TemplateURL as the caller
      if (JSON.stringify(state.Parameters ?? {}).includes('"RoleARN"')) needed.add('iam:PassRole');
    }
    expect([...needed].filter((action) => !grants.has(action))).toEqual([]);
  });
});

describe('the control plane’s stack permissions (issue 18, finding 1)', () => {
  type Statement = {
    Action: string | string[];
    Resource: unknown;
    Condition?: Record<string, Record<string, string>>;
  };
  const PREFIXED = ':stack/${param:stackPrefix}*/*';

  function statements(file: string): { role: string; statement: Statement }[] {
    const customTags = ['!Ref', '!GetAtt', '!Sub', '!Join'].map((tag) => ({
      tag,
      resolve: (value: string) => value,
    }));
    const template = parse(readFileSync(join(root, 'resources', file), 'utf8'), { customTags }) as {
      Resources: Record<
        string,
        { Type: string; Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } }
      >;
    };
    return Object.entries(template.Resources).flatMap(([role, resource]) =>
      (resource.Properties.Policies ?? []).flatMap((policy) =>
        policy.PolicyDocument.Statement.map((statement) => ({ role, statement })),
      ),
    );
  }

  const stackStatements = ['workflow-roles.yml', 'function-roles.yml'].flatMap((file) =>
    statements(file)
      .filter(({ role }) => role !== 'ClusterStackRole')
      .filter(({ statement }) =>
        [statement.Action].flat().some((action) => action.startsWith('cloudformation:')),
      ),
  );

  it('name only stacks under the deployment’s prefix, never stack/*/*', () => {
    expect(stackStatements.length).toBeGreaterThan(5);
    for (const { role, statement } of stackStatements) {
      expect([role, JSON.stringify(statement.Resource)]).toEqual([role, expect.stringContaining(PREFIXED)]);
    }
  });

  it('change or delete a stack only when it is tagged managed-by=determined, and create only so tagged', () => {
    const byAction = (action: string) =>
      stackStatements.filter(({ statement }) => [statement.Action].flat().includes(action));
    for (const action of ['cloudformation:UpdateStack', 'cloudformation:DeleteStack']) {
      expect(byAction(action).length).toBeGreaterThan(0);
      for (const { statement } of byAction(action))
        expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'determined' } });
    }
    for (const { statement } of byAction('cloudformation:CreateStack'))
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:RequestTag/managed-by': 'determined' } });
  });

  it('let the delete workflow remove stack-name claims and no other item', () => {
    const deletes = statements('workflow-roles.yml').filter(({ statement }) =>
      [statement.Action].flat().includes('dynamodb:DeleteItem'),
    );
    expect(deletes.map(({ role }) => role)).toEqual(['DeleteWorkflowRole']);
    expect(deletes[0]?.statement.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STACKNAME#*'] },
    });
  });

  it('gives serverless a stack prefix to fill in, per stage', () => {
    const text = readFileSync(join(root, 'serverless.yml'), 'utf8');
    expect(text).toMatch(/stackPrefix: detcp-\$\{sls:stage\}-\n/);
    expect(text).toContain('STACK_PREFIX: ${param:stackPrefix}');
  });
});
