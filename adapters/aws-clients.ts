/**
 * AWS clients, one per process, each built on first use. They are separate functions (not one
 * object) so that a function's bundle holds only the clients it calls. Endpoints come from the SDK's
 * own settings: AWS_ENDPOINT_URL points everything at the emulator locally.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config.ts';
import { Ec2Query } from './ec2-query.ts';

const base = () => ({ region: config().region, maxAttempts: 4 });

let dynamo: DynamoDBDocumentClient | undefined;
export function dynamoClient(): DynamoDBDocumentClient {
  return (dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(base()), {
    marshallOptions: { removeUndefinedValues: true },
  }));
}

let sfn: SFNClient | undefined;
export function sfnClient(): SFNClient {
  return (sfn ??= new SFNClient(base()));
}

let cloudFormation: CloudFormationClient | undefined;
export function cloudFormationClient(): CloudFormationClient {
  return (cloudFormation ??= new CloudFormationClient(base()));
}

let secrets: SecretsManagerClient | undefined;
export function secretsClient(): SecretsManagerClient {
  return (secrets ??= new SecretsManagerClient(base()));
}

let events: EventBridgeClient | undefined;
export function eventsClient(): EventBridgeClient {
  return (events ??= new EventBridgeClient(base()));
}

let ec2: Ec2Query | undefined;
export function ec2Client(): Ec2Query {
  const endpoint = config().endpoints.ec2;
  return (ec2 ??= new Ec2Query({ region: config().region, ...(endpoint ? { endpoint } : {}) }));
}
