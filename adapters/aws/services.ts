/**
 * The AWS services the Lambda functions call, how to reach them, and the part of each API they use
 * (inputs and outputs as on the wire: JSON numbers for timestamps, XML text for the Query services).
 */
import type { AwsJsonClient, JsonService } from './json.ts';
import type { QueryService } from './query.ts';

export const STEP_FUNCTIONS: JsonService = {
  signingName: 'states',
  targetPrefix: 'AWSStepFunctions',
  jsonVersion: '1.0',
};
export type StepFunctionsClient = AwsJsonClient<{
  StartExecution: [
    { stateMachineArn: string; name: string; input: string; traceHeader?: string },
    { executionArn?: string },
  ];
  ListExecutions: [
    { stateMachineArn: string; statusFilter?: 'RUNNING'; maxResults?: number; nextToken?: string },
    { executions?: { executionArn?: string; name?: string; startDate?: number }[]; nextToken?: string },
  ];
  DescribeExecution: [{ executionArn: string }, { input?: string; status?: string }];
  SendTaskSuccess: [{ taskToken: string; output: string }, object];
}>;

export const SECRETS_MANAGER: JsonService = {
  signingName: 'secretsmanager',
  targetPrefix: 'secretsmanager',
  jsonVersion: '1.1',
};
export type SecretsManagerClient = AwsJsonClient<{
  CreateSecret: [
    {
      Name: string;
      Description?: string;
      SecretString: string;
      Tags?: { Key: string; Value: string }[];
      /** Makes a retried create idempotent (the SDK fills it in; here the caller does). */
      ClientRequestToken: string;
    },
    { ARN?: string },
  ];
  PutSecretValue: [{ SecretId: string; SecretString: string; ClientRequestToken: string }, { ARN?: string }];
  DeleteSecret: [{ SecretId: string; ForceDeleteWithoutRecovery?: boolean }, object];
  GetSecretValue: [{ SecretId: string }, { SecretString?: string }];
  BatchGetSecretValue: [
    { SecretIdList: string[] },
    { SecretValues?: { ARN?: string; Name?: string; SecretString?: string }[] },
  ];
}>;

export const SQS: JsonService = {
  signingName: 'sqs',
  targetPrefix: 'AmazonSQS',
  jsonVersion: '1.0',
};
export interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  Attributes?: Record<string, string>;
}
export type SqsClient = AwsJsonClient<{
  SendMessageBatch: [
    {
      QueueUrl: string;
      Entries: {
        Id: string;
        MessageBody: string;
        MessageGroupId?: string;
        MessageDeduplicationId?: string;
      }[];
    },
    { Successful?: { Id: string }[]; Failed?: { Id: string; Code?: string; Message?: string }[] },
  ];
  ChangeMessageVisibility: [{ QueueUrl: string; ReceiptHandle: string; VisibilityTimeout: number }, object];
  ReceiveMessage: [
    {
      QueueUrl: string;
      MaxNumberOfMessages?: number;
      WaitTimeSeconds?: number;
      VisibilityTimeout?: number;
      MessageSystemAttributeNames?: string[];
    },
    { Messages?: SqsMessage[] },
  ];
  DeleteMessage: [{ QueueUrl: string; ReceiptHandle: string }, object];
}>;

export const EVENTBRIDGE: JsonService = {
  signingName: 'events',
  targetPrefix: 'AWSEvents',
  jsonVersion: '1.1',
};
export type EventBridgeClient = AwsJsonClient<{
  PutEvents: [
    { Entries: { Source: string; DetailType: string; EventBusName: string; Detail: string }[] },
    { FailedEntryCount?: number },
  ];
}>;

export const CLOUDFORMATION: QueryService = { signingName: 'cloudformation', version: '2010-05-15' };
export const EC2: QueryService = { signingName: 'ec2', version: '2016-11-15' };
export const RDS: QueryService = { signingName: 'rds', version: '2014-10-31' };
