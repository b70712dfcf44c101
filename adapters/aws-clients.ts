/**
 * AWS clients, one per process, each built on first use. They are separate values (not one
 * object) so that a function's bundle holds only the clients it calls. They are the small clients of
 * adapters/aws/ (docs/adr/0015-aws-calls-without-sdk-clients.md); AWS_ENDPOINT_URL (or
 * AWS_ENDPOINT_URL_<SERVICE>) points them at the emulator locally.
 */
import { DynamoDocumentClient } from './aws/dynamodb.ts';
import type { ClientOptions } from './aws/json.ts';
import { AwsJsonClient } from './aws/json.ts';
import { AwsQueryClient } from './aws/query.ts';
import {
  CLOUDFORMATION,
  EC2,
  EVENTBRIDGE,
  RDS,
  SECRETS_MANAGER,
  SQS,
  STEP_FUNCTIONS,
  type EventBridgeClient,
  type SecretsManagerClient,
  type SqsClient,
  type StepFunctionsClient,
} from './aws/services.ts';
import { config, type Config } from './config.ts';
import { once } from './once.ts';

const base = (service: keyof Config['endpoints']): ClientOptions => {
  const endpoint = config().endpoints[service];
  return { region: config().region, maxAttempts: 4, ...(endpoint ? { endpoint } : {}) };
};

export const dynamoClient = once(() => new DynamoDocumentClient(base('dynamodb')));

export const sfnClient = once<StepFunctionsClient>(() => new AwsJsonClient(STEP_FUNCTIONS, base('sfn')));

export const secretsClient = once<SecretsManagerClient>(
  () => new AwsJsonClient(SECRETS_MANAGER, base('secretsManager')),
);

export const eventsClient = once<EventBridgeClient>(
  () => new AwsJsonClient(EVENTBRIDGE, base('eventBridge')),
);

export const cloudFormationClient = once(() => new AwsQueryClient(CLOUDFORMATION, base('cloudFormation')));

export const ec2Client = once(() => new AwsQueryClient(EC2, base('ec2')));

export const rdsClient = once(() => new AwsQueryClient(RDS, base('rds')));
export const sqsClient = once<SqsClient>(() => new AwsJsonClient(SQS, base('sqs')));
