/**
 * The checkpoint bucket (encrypted, private, TLS only, retained when the stack goes: users' work
 * lives there) and the log group of the master and agents. A restored cluster reuses the retained
 * bucket of its predecessor instead of creating one.
 */
import { getAtt, ifThen, ref, stackUuid, sub, tags, type Fragment, type Value } from './cfn.ts';

/**
 * Checkpoint buckets are named det-checkpoints-<stack UUID> (52 characters): the stack role's S3
 * rights are scoped to that prefix, which a name CloudFormation generates from a long stack name
 * would not keep (it truncates), and a re-created cluster never meets its predecessor's bucket.
 */
export const CHECKPOINT_BUCKET_PREFIX = 'det-checkpoints-';

export const checkpointBucketName: Value = ifThen(
  'CreateCheckpointBucket',
  ref('CheckpointBucket'),
  ref('ExistingCheckpointBucket'),
);

export function storage(): Fragment {
  return {
    Resources: {
      CheckpointBucket: {
        Type: 'AWS::S3::Bucket',
        Condition: 'CreateCheckpointBucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BucketName: sub(`${CHECKPOINT_BUCKET_PREFIX}\${StackUuid}`, { StackUuid: stackUuid }),
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          Tags: tags({ Name: sub('${AWS::StackName}-checkpoints') }),
        },
      },
      CheckpointBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        // The policy belongs to the bucket: it stays when the bucket is retained, so kept data is
        // still reachable over TLS only, and a restored cluster finds it there instead of adding one.
        Condition: 'CreateCheckpointBucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          Bucket: ref('CheckpointBucket'),
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'TlsOnly',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [
                  sub('arn:${AWS::Partition}:s3:::${CheckpointBucket}'),
                  sub('arn:${AWS::Partition}:s3:::${CheckpointBucket}/*'),
                ],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        },
      },
      LogGroup: {
        Type: 'AWS::Logs::LogGroup',
        // Deleted with the stack: its name is fixed, and a retained group would block re-creating the id.
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: { LogGroupName: sub('/determined/${AWS::StackName}'), RetentionInDays: 30 },
      },
    },
    Outputs: {
      CheckpointBucket: {
        Description: 'S3 bucket of the checkpoints (kept when the cluster is deleted)',
        Value: checkpointBucketName,
      },
      LogGroup: { Description: 'CloudWatch log group of the master and the agents', Value: ref('LogGroup') },
      LogGroupArn: { Description: 'ARN of the log group', Value: getAtt('LogGroup', 'Arn') },
    },
  };
}
