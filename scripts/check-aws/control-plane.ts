/**
 * The control plane's own roles, read from the files serverless deploys (resources/*.yml) and
 * evaluated as CloudFormation would in a sample deployment (stage dev, us-east-1): the policies
 * check:aws holds against the calls each role must be able to make.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { evaluate, NO_VALUE } from './intrinsics.ts';
import type { PolicyDocument } from './simulate.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const STAGE = 'dev';
export const SERVICE = 'det-control-plane';
/** serverless.yml's params.default.stackPrefix, for the sample stage (read, so a new naming rule is checked). */
export const STACK_PREFIX = stackPrefixOf(
  readFileSync(fileURLToPath(new URL('../../serverless.yml', import.meta.url)), 'utf8'),
);

function stackPrefixOf(serverless: string): string {
  const declared = /^\s+stackPrefix:\s*'?([^'\s#]+)'?/m.exec(serverless)?.[1];
  if (!declared) throw new Error('serverless.yml declares no params.default.stackPrefix');
  return declared.replaceAll('${sls:stage}', STAGE);
}
const CONTROL_PLANE_STACK = `${SERVICE}-${STAGE}`;

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** serverless variables the resource files use, resolved as `serverless deploy --stage dev` would. */
const SERVERLESS_VARIABLES: Record<string, string> = {
  'param:stackPrefix': STACK_PREFIX,
  'sls:stage': STAGE,
};

/** The state machines serverless-step-functions adds (serverless.yml stepFunctions ids). */
const STATE_MACHINES: Record<string, string> = {
  CreateClusterStateMachine: 'create',
  UpdateClusterStateMachine: 'update',
  UpgradeClusterStateMachine: 'upgrade',
  DeleteClusterStateMachine: 'delete',
  StopClusterStateMachine: 'stop',
  StartClusterStateMachine: 'start',
  StackEventRelayStateMachine: 'stack-event-relay',
  ExecutionFailureRelayStateMachine: 'execution-failure-relay',
};

export const arn = {
  table: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${CONTROL_PLANE_STACK}-ClustersTable-1A2B3C4D5E6F`,
  templatesBucket: `${CONTROL_PLANE_STACK}-templatesbucket-1a2b3c4d5e6f`,
  apiKeySecret: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${CONTROL_PLANE_STACK}-api-key-AbCdEf`,
  stateMachine: (id: string) =>
    `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${SERVICE}-${STAGE}-${STATE_MACHINES[id]}`,
  role: (logicalId: string) =>
    `arn:aws:iam::${ACCOUNT}:role/${CONTROL_PLANE_STACK}-${logicalId}-1A2B3C4D5E6F`,
  queue: (logicalId: string) =>
    `arn:aws:sqs:${REGION}:${ACCOUNT}:${CONTROL_PLANE_STACK}-${logicalId}-1A2B3C4D5E6F`,
  auditTable: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${CONTROL_PLANE_STACK}-AuditTable-1A2B3C4D5E6F`,
  tableStream: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${CONTROL_PLANE_STACK}-ClustersTable-1A2B3C4D5E6F/stream/2026-01-01T00:00:00.000`,
};

function physical(logicalId: string, attribute?: string): string | undefined {
  if (logicalId === 'ClustersTable') {
    if (attribute === 'StreamArn') return arn.tableStream;
    return attribute === 'Arn' ? arn.table : arn.table.split('/').pop();
  }
  if (logicalId === 'AuditTable')
    return attribute === 'Arn' ? arn.auditTable : arn.auditTable.split('/').pop();
  if (logicalId.endsWith('Queue'))
    return attribute === 'Arn'
      ? arn.queue(logicalId)
      : `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${logicalId}`;
  if (logicalId === 'TemplatesBucket') {
    if (attribute === 'Arn') return `arn:aws:s3:::${arn.templatesBucket}`;
    if (attribute === 'RegionalDomainName') return `${arn.templatesBucket}.s3.${REGION}.amazonaws.com`;
    return arn.templatesBucket;
  }
  if (logicalId === 'ApiKeySecret') return arn.apiKeySecret;
  if (logicalId in STATE_MACHINES) return arn.stateMachine(logicalId);
  if (logicalId.endsWith('Role'))
    return attribute === 'Arn' ? arn.role(logicalId) : `${CONTROL_PLANE_STACK}-${logicalId}`;
  return undefined;
}

function resolveServerlessVariables(text: string): string {
  return text.replace(/\$\{(param:\w+|sls:\w+)\}/g, (match, name: string) => {
    const value = SERVERLESS_VARIABLES[name];
    if (value === undefined) throw new Error(`no sample value for the serverless variable ${match}`);
    return value;
  });
}

/** The resource files serverless.yml deploys (its `resources:` list). */
export function resourceFiles(): string[] {
  const text = readFileSync(`${ROOT}serverless.yml`, 'utf8');
  const section = text.slice(text.indexOf('\nresources:'));
  return [...section.matchAll(/\$\{file\((resources\/[\w.-]+\.yml)\)\}/g)].map((match) => match[1] as string);
}

/** Every resource of the control plane's resource files, with the state machines serverless adds. */
export function controlPlaneTemplate(): Json {
  const resources: Record<string, Json> = {};
  for (const file of resourceFiles()) {
    const text = resolveServerlessVariables(readFileSync(`${ROOT}${file}`, 'utf8'));
    Object.assign(resources, (parse(text) as Json).Resources ?? {});
  }
  for (const id of Object.keys(STATE_MACHINES)) resources[id] = { Type: 'AWS::StepFunctions::StateMachine' };
  return { Resources: resources };
}

/** A role's inline policies, evaluated; statements an If removed are dropped. */
export function rolePolicies(
  template: Json,
  roleId: string,
  scope: {
    parameters?: Record<string, string>;
    pseudo: Record<string, string>;
    physical?: (id: string, attribute?: string) => string | undefined;
  },
): { name: string; document: PolicyDocument }[] {
  const role = template.Resources?.[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not a role`);
  return (role.Properties.Policies ?? []).map((policy: Json) => {
    const document = evaluate(policy.PolicyDocument, {
      parameters: scope.parameters ?? {},
      pseudo: scope.pseudo,
      template,
      ...(scope.physical ? { physical: scope.physical } : {}),
    });
    document.Statement = (document.Statement ?? []).filter((statement: Json) => statement !== NO_VALUE);
    return {
      name: evaluate(policy.PolicyName, { parameters: {}, pseudo: scope.pseudo, template }),
      document,
    };
  });
}

/** The control plane's role, as deployed in the sample account: inline policies and the policies attached to it. */
export function controlPlaneRole(roleId: string): {
  principal: string;
  policies: { name: string; document: PolicyDocument }[];
} {
  const template = controlPlaneTemplate();
  const scope = {
    pseudo: {
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::StackName': CONTROL_PLANE_STACK,
    },
    physical,
  };
  const attached = Object.entries<Json>(template.Resources)
    .filter(
      ([, resource]) =>
        (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') &&
        (resource.Properties?.Roles ?? []).some((role: Json) => role?.Ref === roleId),
    )
    .map(([id, resource]) => {
      const document = evaluate(resource.Properties.PolicyDocument, { parameters: {}, template, ...scope });
      document.Statement = (document.Statement ?? []).filter((statement: Json) => statement !== NO_VALUE);
      return { name: id, document };
    });
  return { principal: arn.role(roleId), policies: [...rolePolicies(template, roleId, scope), ...attached] };
}
