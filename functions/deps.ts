/** Production wiring: adapters over the AWS SDK, built once per Lambda container on first use. */
import { randomBytes } from 'node:crypto';
import { CloudFormationStackReader } from '../adapters/stack-reader.ts';
import { DynamoClusterStore } from '../adapters/cluster-store.ts';
import { awsClients } from '../adapters/aws-clients.ts';
import { config } from '../adapters/config.ts';
import { DynamoIdempotencyStore } from '../adapters/idempotency-store.ts';
import { Ec2KeyPairs } from '../adapters/key-pairs.ts';
import { SecretsManagerSecrets } from '../adapters/secrets.ts';
import { S3TemplateStore } from '../adapters/template-store.ts';
import { StepFunctionsWorkflows } from '../adapters/workflows.ts';
import type { OperationDeps } from '../core/operations/deps.ts';
import { systemClock, type IdempotencyStore } from '../core/ports.ts';
import { timingFrom } from '../core/workflow/inputs.ts';
import { renderTemplate } from '../templates/src/index.ts';

let operations: OperationDeps | undefined;
let idempotency: IdempotencyStore | undefined;

export function operationDeps(): OperationDeps {
  if (operations) return operations;
  const settings = config();
  const now = () => systemClock.now();
  operations = {
    store: new DynamoClusterStore(awsClients.dynamo(), {
      tableName: settings.clustersTable,
      deletedRetentionDays: settings.retention.deletedDays,
      now,
    }),
    workflows: new StepFunctionsWorkflows(awsClients.sfn(), settings.stateMachines),
    secrets: new SecretsManagerSecrets(awsClients.secrets()),
    keyPairs: new Ec2KeyPairs(awsClients.ec2()),
    templates: new S3TemplateStore(awsClients.s3(), {
      bucket: settings.templatesBucket,
      region: settings.region,
    }),
    stacks: new CloudFormationStackReader(awsClients.cloudFormation()),
    renderTemplate,
    generatePassword: () => randomBytes(24).toString('base64url'),
    clock: systemClock,
    settings: {
      region: settings.region,
      policies: settings.policies,
      timing: timingFrom(settings.workflow),
      deletedRetentionDays: settings.retention.deletedDays,
    },
  };
  return operations;
}

export function idempotencyStore(): IdempotencyStore {
  idempotency ??= new DynamoIdempotencyStore(awsClients.dynamo(), {
    tableName: config().clustersTable,
    ttlHours: config().retention.idempotencyHours,
    now: () => systemClock.now(),
  });
  return idempotency;
}
