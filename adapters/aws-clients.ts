/**
 * AWS SDK clients, created once per process and shared by every handler. Endpoints come from the
 * SDK's own settings (AWS_ENDPOINT_URL points them at the emulator locally).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config.ts';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const base = () => ({ region: config().region, maxAttempts: 4 });

export const awsClients = {
  dynamo: once(() =>
    DynamoDBDocumentClient.from(new DynamoDBClient(base()), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  ),
  sfn: once(() => new SFNClient(base())),
  s3: once(() => new S3Client({ ...base(), forcePathStyle: config().emulator })),
  ec2: once(() => new EC2Client(base())),
  cloudFormation: once(() => new CloudFormationClient(base())),
  secrets: once(() => new SecretsManagerClient(base())),
  events: once(() => new EventBridgeClient(base())),
};
