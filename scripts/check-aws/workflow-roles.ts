/**
 * check:aws, part "workflow roles": each state machine runs with the role serverless.yml gives it;
 * every Task state's resource (an optimized integration or an aws-sdk call) is a call that role
 * must be allowed, on the ARN the task's parameters name (the clusters table, a cluster stack under
 * the deployment's prefix and owned by the control plane, a checkpoint bucket, a cluster secret...).
 */
import { TEMPLATE_OBJECT } from '../../core/names/shared.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MASTER_BOOT_TAG, stackName } from '../../core/cluster/naming.ts';
import { CHECKPOINT_BUCKET_PREFIX } from '../../templates/src/storage.ts';
import { ACCOUNT, arn, controlPlaneRole, REGION, ROOT, STACK_PREFIX } from './control-plane.ts';
import { decide, fitArn, type Call } from './simulate.ts';
import type { RoleCheck } from './stack-role.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- ASL and YAML

export interface TaskCall extends Call {
  state: string;
}

const IAM_PREFIX: Record<string, string> = { sfn: 'states', eventbridge: 'events' };
/** SDK operations whose IAM action has another name. */
const IAM_ACTION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadBucket': 's3:ListBucket',
};

/** The state machines and their roles, as serverless.yml declares them. */
export function stateMachineRoles(): { file: string; role: string }[] {
  const tags = ['!GetAtt', '!Ref', '!Sub'].map((tag) => ({
    tag,
    resolve: (value: string) => ({ [tag]: value }),
  }));
  const config = parse(readFileSync(`${ROOT}serverless.yml`, 'utf8'), { customTags: tags }) as Json;
  return Object.values<Json>(config.stepFunctions.stateMachines).map((machine) => {
    const file = /definitions\.cjs\):(\w+)\}/.exec(machine.definition)?.[1];
    const role = String(machine.role?.['!GetAtt'] ?? '').replace(/\.Arn$/, '');
    if (!file || !role) throw new Error(`serverless.yml: a state machine without a definition file or role`);
    const asl =
      { stackEventRelay: 'stack-event-relay', executionFailureRelay: 'execution-failure-relay' }[file] ??
      file;
    return { file: `statemachines/${asl}.asl.json`, role };
  });
}

function tasks(states: Record<string, Json>): [string, Json][] {
  return Object.entries(states).flatMap(([name, state]): [string, Json][] => [
    ...(state.Type === 'Task' ? [[name, state] as [string, Json]] : []),
    ...(state.Branches ?? []).flatMap((branch: Json) => tasks(branch.States)),
    ...(state.ItemProcessor ? tasks(state.ItemProcessor.States) : []),
    ...(state.Iterator ? tasks(state.Iterator.States) : []),
  ]);
}

/** The calls one Task state makes, with the ARN and request context its parameters imply. */
export function callsOfTask(name: string, state: Json): TaskCall[] {
  const resource = String(state.Resource).replace(/\.(waitForTaskToken|sync)$/, '');
  const match = /^arn:aws:states:::(?:aws-sdk:)?([a-z0-9]+):(\w+)$/.exec(resource);
  if (!match) throw new Error(`${name}: a task resource check:aws cannot read: ${state.Resource}`);
  const [, service = '', api = ''] = match;
  const sdkAction = `${IAM_PREFIX[service] ?? service}:${api.charAt(0).toUpperCase()}${api.slice(1)}`;
  const action = IAM_ACTION[sdkAction] ?? sdkAction;
  const parameters = state.Parameters ?? {};
  const has = (key: string) => key in parameters || `${key}.$` in parameters;
  const stack = stackName(STACK_PREFIX, 'Sample-Cluster');
  const stackArn = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stack}/0d5b3c1e-8a6f-4a53-9d0e-1f2a3b4c5d6e`;
  const checkpointBucket = `arn:aws:s3:::${CHECKPOINT_BUCKET_PREFIX}0d5b3c1e-8a6f-4a53-9d0e-1f2a3b4c5d6e`;
  const call = (target: string, context: Record<string, string> = {}, other = action): TaskCall => ({
    state: name,
    action: other,
    resource: target,
    context,
  });
  const owned = { 'aws:ResourceTag/managed-by': 'determined' };
  if (service === 'dynamodb')
    return [call(parameters.IndexName ? `${arn.table}/index/${parameters.IndexName}` : arn.table)];
  if (service === 'cloudformation') {
    if (api === 'createStack')
      return [
        call(stackArn, { 'aws:RequestTag/managed-by': 'determined', 'aws:TagKeys': 'managed-by' }),
        call(
          stackArn,
          { 'aws:RequestTag/managed-by': 'determined', 'aws:TagKeys': 'managed-by' },
          'cloudformation:TagResource',
        ),
        call(
          arn.role('ClusterStackRole'),
          { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
          'iam:PassRole',
        ),
      ];
    if (api === 'updateStack')
      return [call(stackArn, owned), call(arn.role('ClusterStackRole'), {}, 'iam:PassRole')];
    if (api === 'deleteStack') return [call(stackArn, owned)];
    return [call(stackArn)];
  }
  if (service === 's3') {
    const bucket = has('Bucket.$') ? checkpointBucket : `arn:aws:s3:::${arn.templatesBucket}`;
    const object = has('Key')
      ? has('Bucket.$')
        ? `${bucket}/experiment/1/x`
        : `${bucket}/${TEMPLATE_OBJECT.format({ stackName: stack, execution: 'execution' })}`
      : bucket;
    return [call(action === 's3:ListBucket' || action === 's3:DeleteBucket' ? bucket : object)];
  }
  if (service === 'states')
    return [
      call(
        arn.stateMachine(
          String(parameters.StateMachineArn).includes('Delete')
            ? 'DeleteClusterStateMachine'
            : 'DeleteClusterStateMachine',
        ),
      ),
    ];
  if (service === 'secretsmanager')
    return [
      call(
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:det-control-plane/clusters/0123456789/x/v1-abc-AbCdEf`,
      ),
    ];
  if (service === 'rds') {
    // Stop and start act on the cluster's database, which the stack tags managed-by=determined.
    if (api === 'stopDBInstance' || api === 'startDBInstance')
      return [
        call(`arn:aws:rds:${REGION}:${ACCOUNT}:db:det-db-0d5b3c1e`, {
          'rds:db-tag/managed-by': 'determined',
        }),
      ];
    const database = `arn:aws:rds:${REGION}:${ACCOUNT}:db:det-db-0d5b3c1e`;
    const upgradeSnapshot = `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:det-upgrade-0123456789-sample-cluster-0-38-1-mm8y7c00`;
    const clusterDatabase = { 'rds:db-tag/managed-by': 'determined' };
    // The upgrade's snapshot of the cluster's database, tagged as the stack is.
    if (api === 'createDBSnapshot')
      return [
        call(database, clusterDatabase),
        call(upgradeSnapshot),
        call(upgradeSnapshot, {}, 'rds:AddTagsToResource'),
      ];
    // The upgrade's rollback sets the migrated database aside under another name.
    if (api === 'modifyDBInstance') return [call(database, clusterDatabase)];
    // ...and restores the snapshot under the database's own name, in its subnet group, tagged.
    if (api === 'restoreDBInstanceFromDBSnapshot') {
      const tagged = { 'aws:RequestTag/managed-by': 'determined', 'aws:TagKeys': 'managed-by' };
      return [
        call(database, tagged),
        call(database, tagged, 'rds:AddTagsToResource'),
        call(upgradeSnapshot),
        call(`arn:aws:rds:${REGION}:${ACCOUNT}:subgrp:default`),
      ];
    }
    return [call(`arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:det-db-0d5b3c1e-final-1a2b3c4d`)];
  }
  if (service === 'ec2') {
    const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0a1b2c3d4e5f60718`;
    // A cluster's master and bastion: tagged by the control plane and by CloudFormation with the stack.
    const clusterInstance = {
      'ec2:ResourceTag/managed-by': 'determined',
      'ec2:ResourceTag/aws:cloudformation:stack-name': stack,
    };
    if (api === 'stopInstances' || api === 'startInstances' || api === 'rebootInstances')
      return [call(instance, clusterInstance)];
    // The start clears the master's boot report, that one tag key only.
    if (api === 'deleteTags') return [call(instance, { ...clusterInstance, 'aws:TagKeys': MASTER_BOOT_TAG })];
    if (api === 'terminateInstances')
      return [call(instance, { 'ec2:ResourceTag/det-cluster': `det-agent-${stack}` })];
    if (api === 'cancelSpotInstanceRequests')
      return [
        call(`arn:aws:ec2:${REGION}:${ACCOUNT}:spot-instances-request/sir-0a1b2c3d`, {
          'ec2:ResourceTag/det-cluster': `det-agent-${stack}`,
        }),
      ];
    return [call('*')];
  }
  return [call('*')];
}

export async function checkWorkflowRoles(): Promise<RoleCheck & { tasks: number }> {
  const denied: string[] = [];
  let checked = 0;
  let taskCount = 0;
  for (const { file, role } of stateMachineRoles()) {
    const definition = JSON.parse(readFileSync(`${ROOT}${file}`, 'utf8'));
    const principal = controlPlaneRole(role);
    // Every workflow traces (serverless.yml tracingConfig): Step Functions sends with its role.
    for (const action of [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ]) {
      checked += 1;
      const decision = await decide(principal.principal, ACCOUNT, principal.policies, {
        action,
        resource: '*',
      });
      if (!decision.allowed)
        denied.push(`${role} denies ${action} on * (${file} traces): ${decision.detail}`);
    }
    for (const [name, state] of tasks(definition.States)) {
      taskCount += 1;
      for (const call of callsOfTask(name, state)) {
        const resource =
          call.resource === '*' ? '*' : await fitArn(call.action, call.resource, REGION, ACCOUNT);
        checked += 1;
        const decision = await decide(principal.principal, ACCOUNT, principal.policies, {
          ...call,
          resource,
        });
        if (!decision.allowed)
          denied.push(
            `${role} denies ${call.action} on ${resource} (${file} state ${name}): ${decision.detail}`,
          );
      }
    }
  }
  return { checked, denied, unknownActions: [], tasks: taskCount };
}
