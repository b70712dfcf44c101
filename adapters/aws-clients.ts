/**
 * AWS clients, one per process, each built on first use. They are separate functions (not one
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
  SECRETS_MANAGER,
  STEP_FUNCTIONS,
  type EventBridgeClient,
  type SecretsManagerClient,
  type StepFunctionsClient,
} from './aws/services.ts';
import { config, type Config } from './config.ts';

const base = (service: keyof Config['endpoints']): ClientOptions => {
  const endpoint = config().endpoints[service];
  return { region: config().region, maxAttempts: 4, ...(endpoint ? { endpoint } : {}) };
};

let dynamo: DynamoDocumentClient | undefined;
export function dynamoClient(): DynamoDocumentClient {
  return (dynamo ??= new DynamoDocumentClient(base('dynamodb')));
}

let sfn: StepFunctionsClient | undefined;
export function sfnClient(): StepFunctionsClient {
  return (sfn ??= new AwsJsonClient(STEP_FUNCTIONS, base('sfn')));
}

let cloudFormation: AwsQueryClient | undefined;
export function cloudFormationClient(): AwsQueryClient {
  return (cloudFormation ??= new AwsQueryClient(CLOUDFORMATION, base('cloudFormation')));
}

let secrets: SecretsManagerClient | undefined;
export function secretsClient(): SecretsManagerClient {
  return (secrets ??= new AwsJsonClient(SECRETS_MANAGER, base('secretsManager')));
}

let events: EventBridgeClient | undefined;
export function eventsClient(): EventBridgeClient {
  return (events ??= new AwsJsonClient(EVENTBRIDGE, base('eventBridge')));
}

let ec2: AwsQueryClient | undefined;
export function ec2Client(): AwsQueryClient {
  return (ec2 ??= new AwsQueryClient(EC2, base('ec2')));
}
