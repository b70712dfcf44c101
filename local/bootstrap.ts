/**
 * Creates the control plane's own resources in the emulator from the same definitions serverless.yml
 * deploys: the table and bucket from resources/*.yml (as a CloudFormation stack), the workflows from
 * statemachines/*.asl.json (with the DefinitionSubstitutions CloudFormation would apply).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateKeyPairCommand, DescribeKeyPairsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { parse } from 'yaml';
import type { Operation } from '../core/cluster/naming.ts';
import { substitute, type Substitution } from '../statemachines/src/index.ts';
import { projectRoot } from './paths.ts';

export const LOCAL_STACK = 'det-control-plane-local';
export const DEMO_KEY_PAIR = 'demo-key';
const ACCOUNT = '123456789012';

export interface LocalResources {
  clustersTable: string;
  auditTable: string;
  webhookQueueUrl: string;
  templatesBucket: string;
  /** The lifecycle workflows, and the two relays that feed them. */
  stateMachines: Record<Operation | 'relay' | 'failureRelay', string>;
}

interface Clients {
  cloudFormation: CloudFormationClient;
  sfn: SFNClient;
  ec2: EC2Client;
}

export function emulatorClients(endpoint: string, region: string): Clients {
  const config = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return {
    cloudFormation: new CloudFormationClient(config),
    sfn: new SFNClient(config),
    ec2: new EC2Client(config),
  };
}

export async function bootstrap(endpoint: string, region: string): Promise<LocalResources> {
  const clients = emulatorClients(endpoint, region);
  const outputs = await deployResources(clients.cloudFormation);
  const clustersTable = outputs.ClustersTableName ?? '';
  const templatesBucket = outputs.TemplatesBucketName ?? '';
  const values: Record<Substitution, string> = {
    ClustersTable: clustersTable,
    DeleteStateMachineArn: '',
    StackRoleArn: `arn:aws:iam::${ACCOUNT}:role/${LOCAL_STACK}-stacks`,
    TemplatesBucket: templatesBucket,
    TemplatesBucketDomain: `${templatesBucket}.s3.${region}.amazonaws.com`,
  };
  const machine = async (file: string, name: string, type: 'STANDARD' | 'EXPRESS' = 'STANDARD') => {
    const definition = substitute(
      readFileSync(join(projectRoot, 'statemachines', `${file}.asl.json`), 'utf8'),
      values,
    );
    const { stateMachineArn } = await clients.sfn.send(
      new CreateStateMachineCommand({
        name: `${LOCAL_STACK}-${name}`,
        definition,
        type,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/${LOCAL_STACK}-${name}`,
      }),
    );
    return stateMachineArn ?? '';
  };
  // The other workflows hand over to delete, so it comes first.
  values.DeleteStateMachineArn = await machine('delete', 'delete');
  const stateMachines = {
    delete: values.DeleteStateMachineArn,
    create: await machine('create', 'create'),
    update: await machine('update', 'update'),
    stop: await machine('stop', 'stop'),
    start: await machine('start', 'start'),
    upgrade: await machine('upgrade', 'upgrade'),
    relay: await machine('stack-event-relay', 'stack-event-relay', 'EXPRESS'),
    failureRelay: await machine('execution-failure-relay', 'execution-failure-relay', 'EXPRESS'),
  };
  await ensureKeyPair(clients.ec2, DEMO_KEY_PAIR);
  return {
    clustersTable,
    auditTable: outputs.AuditTableName ?? '',
    webhookQueueUrl: outputs.WebhookDeliveryQueueUrl ?? '',
    templatesBucket,
    stateMachines,
  };
}

async function deployResources(cloudFormation: CloudFormationClient): Promise<Record<string, string>> {
  const template: { Resources: Record<string, unknown>; Outputs: Record<string, unknown> } = {
    Resources: {},
    Outputs: {},
  };
  for (const file of ['cluster-table.yml', 'templates-bucket.yml', 'notifications.yml']) {
    const part = parse(readFileSync(join(projectRoot, 'resources', file), 'utf8')) as typeof template;
    Object.assign(template.Resources, part.Resources);
    Object.assign(template.Outputs, part.Outputs);
  }
  await cloudFormation.send(
    new CreateStackCommand({ StackName: LOCAL_STACK, TemplateBody: JSON.stringify(template) }),
  );
  const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: LOCAL_STACK }));
  return Object.fromEntries(
    (Stacks[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
  );
}

export async function ensureKeyPair(ec2: EC2Client, name: string): Promise<void> {
  try {
    await ec2.send(new DescribeKeyPairsCommand({ KeyNames: [name] }));
  } catch {
    await ec2.send(new CreateKeyPairCommand({ KeyName: name }));
  }
}
