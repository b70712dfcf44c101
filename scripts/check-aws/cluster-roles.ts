/**
 * check:aws, part "cluster roles": the roles a cluster stack gives its instances, evaluated from the
 * rendered template, against the calls made with them:
 *  - MasterRole: Determined's AWS provisioner (master/internal/rm/agentrm/provisioner/aws/aws.go,
 *    aws_spot.go at release 0.38.1): RunInstances with tags and the agents' instance profile,
 *    CreateTags, Describe*, TerminateInstances, the spot request calls when spot is on, PassRole of
 *    the agent role, the spot service-linked role, the default EBS key; and the boot's own calls
 *    (the secret, SignalResource, the awslogs driver) and checkpoints.
 *  - AgentRole: checkpoints (bucket and objects), the awslogs driver, and IMDSv2 on itself.
 * With spot on and off, for cluster ids of 1 and 64 characters.
 */
import type { DeploymentType } from '../../core/cluster/request.ts';
import { DEPLOYMENT_TYPES } from '../../core/cluster/request.ts';
import { AGENT_TAG_KEY } from '../../core/cluster/naming.ts';
import { ACCOUNT, REGION, rolePolicies } from './control-plane.ts';
import { decide, defaultKeyPolicy, fitArn, type Call, type PolicyDocument } from './simulate.ts';
import { SAMPLE_CLUSTER_IDS, sampleStack, type RoleCheck } from './stack-role.ts';
import { CHECKPOINT_BUCKET_PREFIX } from '../../templates/src/storage.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

interface Expected extends Call {
  why: string;
}

export function clusterRoleCalls(stack: string, uuid: string, spot: boolean, secretName: string) {
  const bucket = `arn:aws:s3:::${CHECKPOINT_BUCKET_PREFIX}${uuid}`;
  const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/determined/${stack}`;
  const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0a1b2c3d4e5f60718`;
  const agentTag = { [`ec2:ResourceTag/${AGENT_TAG_KEY}`]: `det-agent-${stack}` };
  const agentRole = `arn:aws:iam::${ACCOUNT}:role/det-clusters/${stack.slice(0, 30)}-AgentRole-A1B2C3D4E5F6`;
  const bucketPolicy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucket, `${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
  const checkpoints = (who: string): Expected[] => [
    {
      action: 's3:ListBucket',
      resource: bucket,
      resourcePolicy: bucketPolicy,
      why: `${who} lists checkpoints`,
    },
    ...['s3:GetObject', 's3:PutObject', 's3:DeleteObject'].map((action) => ({
      action,
      resource: `${bucket}/experiment/1/checkpoint/x`,
      resourcePolicy: bucketPolicy,
      why: `${who} reads and writes checkpoints`,
    })),
  ];
  const logs = (stream: string, who: string): Expected[] =>
    ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      action,
      resource: `${logGroup}:log-stream:${stream}`,
      why: `the awslogs driver of ${who}`,
    }));
  const master: Expected[] = [
    { action: 'ec2:DescribeInstances', resource: '*', why: 'the provisioner lists its agents' },
    { action: 'ec2:RunInstances', resource: instance, why: 'the provisioner launches agents' },
    {
      action: 'ec2:CreateTags',
      resource: instance,
      context: {
        'ec2:CreateAction': 'RunInstances',
        [`aws:RequestTag/${AGENT_TAG_KEY}`]: `det-agent-${stack}`,
      },
      why: 'tags on RunInstances (Name, the agent tag, determined-resource-pool, custom tags)',
    },
    {
      action: 'ec2:TerminateInstances',
      resource: instance,
      context: agentTag,
      why: 'the provisioner ends idle agents',
    },
    {
      action: 'iam:PassRole',
      resource: agentRole,
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      why: 'RunInstances with the agents’ instance profile',
    },
    {
      action: 'kms:CreateGrant',
      resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0d5b3c1e-8a6f-4a53-9d0e-1f2a3b4c5d6e`,
      context: { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` },
      resourcePolicy: defaultKeyPolicy(ACCOUNT),
      why: 'agents’ volumes under a customer managed default EBS key',
    },
    {
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secretName}-AbCdEf`,
      why: 'the boot reads the cluster secret',
    },
    {
      action: 'cloudformation:SignalResource',
      resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stack}/${uuid}`,
      why: 'the boot signals the master’s CreationPolicy',
    },
    ...logs('determined-master', 'the master'),
    ...checkpoints('the master'),
  ];
  if (spot) {
    master.push(
      {
        action: 'ec2:RequestSpotInstances',
        resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:spot-instances-request/sir-0a1b2c3d`,
        why: 'spot agents',
      },
      {
        action: 'ec2:CreateTags',
        resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:spot-instances-request/sir-0a1b2c3d`,
        context: { 'ec2:CreateAction': 'RequestSpotInstances' },
        why: 'tags on RequestSpotInstances',
      },
      { action: 'ec2:DescribeSpotInstanceRequests', resource: '*', why: 'spot agents' },
      {
        action: 'ec2:CancelSpotInstanceRequests',
        resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:spot-instances-request/sir-0a1b2c3d`,
        why: 'spot agents',
      },
      {
        action: 'ec2:CreateTags',
        resource: instance,
        context: { [`aws:RequestTag/${AGENT_TAG_KEY}`]: `det-agent-${stack}` },
        why: 'the provisioner tags fulfilled spot instances',
      },
      {
        action: 'iam:CreateServiceLinkedRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`,
        context: { 'iam:AWSServiceName': 'spot.amazonaws.com' },
        why: 'the first spot request of an account',
      },
    );
  }
  const agent: Expected[] = [
    { action: 'ec2:DescribeInstances', resource: '*', why: 'the agent describes itself' },
    {
      action: 'ec2:ModifyInstanceMetadataOptions',
      resource: instance,
      context: agentTag,
      why: 'the startup script requires IMDSv2 on the agent',
    },
    ...logs('determined-agent', 'the agents'),
    ...checkpoints('tasks on the agents'),
  ];
  return { MasterRole: master, AgentRole: agent, agentRole };
}

export async function checkClusterRoles(
  types: readonly DeploymentType[] = DEPLOYMENT_TYPES,
  mutateTemplate?: (template: Json) => void,
): Promise<RoleCheck> {
  const denied = new Set<string>();
  let checked = 0;
  for (const type of types) {
    for (const clusterId of SAMPLE_CLUSTER_IDS) {
      for (const spot of [false, true]) {
        const context = sampleStack(type, clusterId, spot);
        mutateTemplate?.(context.template);
        const calls = clusterRoleCalls(
          context.stack,
          context.uuid,
          spot,
          context.parameters.ClusterSecretName ?? '',
        );
        const pseudo = {
          'AWS::Region': REGION,
          'AWS::AccountId': ACCOUNT,
          'AWS::Partition': 'aws',
          'AWS::StackName': context.stack,
          'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${context.stack}/${context.uuid}`,
        };
        const physical = (logicalId: string, attribute?: string): string | undefined => {
          if (logicalId === 'AgentRole' && attribute === 'Arn') return calls.agentRole;
          if (logicalId === 'LogGroup')
            return attribute === 'Arn'
              ? `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/determined/${context.stack}:*`
              : `/determined/${context.stack}`;
          if (logicalId === 'CheckpointBucket') return `${CHECKPOINT_BUCKET_PREFIX}${context.uuid}`;
          return undefined;
        };
        for (const role of ['MasterRole', 'AgentRole'] as const) {
          const policies = rolePolicies(context.template as Json, role, {
            parameters: context.parameters,
            pseudo,
            physical,
          });
          for (const call of calls[role]) {
            const resource =
              call.resource === '*' ? '*' : await fitArn(call.action, call.resource, REGION, ACCOUNT);
            checked += 1;
            const decision = await decide(
              `arn:aws:iam::${ACCOUNT}:role/det-clusters/${role}`,
              ACCOUNT,
              policies,
              { ...call, resource },
            );
            if (!decision.allowed)
              denied.add(
                `${role} denies ${call.action} on ${resource} (${call.why}; ${type}, spot ${spot ? 'on' : 'off'}, cluster id of ${clusterId.length}): ${decision.detail}`,
              );
          }
        }
      }
    }
  }
  return { checked, denied: [...denied], unknownActions: [] };
}
