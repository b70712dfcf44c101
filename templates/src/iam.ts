/**
 * Roles of the master and the agents (seed, "IAM Roles"), scoped tighter than the seed's examples:
 * agents reach only this cluster's bucket; the master terminates only instances carrying this
 * cluster's agent tag, gets the spot actions only when spot is on, and passes only the agent role.
 */
import { AGENT_TAG } from '../../core/names/shared.ts';
import { getAtt, ifThen, noValue, ref, sub, type Fragment, type Value } from './cfn.ts';
import { bootReportPermission } from './master-boot-report.ts';
import { checkpointBucketName } from './storage.ts';

/** The only path the control plane's CloudFormation role may create roles under (resources/workflow-roles.yml). */
export const ROLE_PATH = '/det-clusters/';

const assumedByEc2 = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
};

const bucketArn = sub('arn:${AWS::Partition}:s3:::${Bucket}', { Bucket: checkpointBucketName });
const objectsArn = sub('arn:${AWS::Partition}:s3:::${Bucket}/*', { Bucket: checkpointBucketName });

function checkpointAccess(): Value[] {
  return [
    {
      Sid: 'CheckpointBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation'],
      Resource: bucketArn,
    },
    {
      Sid: 'CheckpointObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: objectsArn,
    },
  ];
}

function logAccess(): Value {
  return {
    Sid: 'Logs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    Resource: [getAtt('LogGroup', 'Arn'), sub('${LogGroup.Arn}:log-stream:*')],
  };
}

/**
 * Agents' volumes are encrypted with the account's default EBS key. When that is a customer managed
 * key, RunInstances needs these KMS calls from the caller, through EC2 only (EBS encryption: "Permissions
 * for IAM users"); with the AWS managed key they are never asked for.
 */
export function ebsKeyUse(): Value[] {
  return [
    {
      Sid: 'DefaultEbsKeyThroughEc2',
      Effect: 'Allow',
      Action: [
        'kms:CreateGrant',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': sub('ec2.${AWS::Region}.amazonaws.com') } },
    },
  ];
}

export function iam(): Fragment {
  return {
    Resources: {
      AgentRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Path: ROLE_PATH,
          AssumeRolePolicyDocument: assumedByEc2,
          Policies: [
            {
              PolicyName: 'determined-agent',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  ...checkpointAccess(),
                  {
                    Sid: 'DescribeInstances',
                    Effect: 'Allow',
                    Action: ['ec2:DescribeInstances'],
                    Resource: '*',
                  },
                  {
                    // Agents require IMDSv2 on themselves at boot (the master launches them without a launch template).
                    Sid: 'RequireImdsV2OnSelf',
                    Effect: 'Allow',
                    Action: ['ec2:ModifyInstanceMetadataOptions'],
                    Resource: '*',
                    Condition: {
                      StringEquals: {
                        [`ec2:ResourceTag/${AGENT_TAG.key}`]: sub(
                          AGENT_TAG.value.cfnSub({ stackName: 'AWS::StackName' }),
                        ),
                      },
                    },
                  },
                  logAccess(),
                ],
              },
            },
          ],
        },
      },
      AgentInstanceProfile: {
        Type: 'AWS::IAM::InstanceProfile',
        Properties: { Path: ROLE_PATH, Roles: [ref('AgentRole')] },
      },
      MasterRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Path: ROLE_PATH,
          AssumeRolePolicyDocument: assumedByEc2,
          Policies: [
            {
              PolicyName: 'determined-master',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'LaunchAgents',
                    Effect: 'Allow',
                    Action: ['ec2:DescribeInstances', 'ec2:RunInstances'],
                    Resource: '*',
                  },
                  {
                    Sid: 'TerminateOwnAgents',
                    Effect: 'Allow',
                    Action: ['ec2:TerminateInstances'],
                    Resource: '*',
                    Condition: {
                      StringEquals: {
                        [`ec2:ResourceTag/${AGENT_TAG.key}`]: sub(
                          AGENT_TAG.value.cfnSub({ stackName: 'AWS::StackName' }),
                        ),
                      },
                    },
                  },
                  {
                    Sid: 'TagAtLaunch',
                    Effect: 'Allow',
                    Action: ['ec2:CreateTags'],
                    Resource: '*',
                    Condition: {
                      StringEquals: { 'ec2:CreateAction': ['RunInstances', 'RequestSpotInstances'] },
                    },
                  },
                  ifThen(
                    'SpotEnabled',
                    {
                      Sid: 'SpotAgents',
                      Effect: 'Allow',
                      Action: [
                        'ec2:RequestSpotInstances',
                        'ec2:DescribeSpotInstanceRequests',
                        'ec2:CancelSpotInstanceRequests',
                      ],
                      Resource: '*',
                    },
                    noValue,
                  ),
                  ifThen(
                    'SpotEnabled',
                    {
                      // Spot requests do not pass their tags on: the master tags fulfilled instances
                      // afterwards, and may only write this cluster's agent tag.
                      Sid: 'TagSpotAgents',
                      Effect: 'Allow',
                      Action: ['ec2:CreateTags'],
                      Resource: sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*'),
                      Condition: {
                        StringEquals: {
                          [`aws:RequestTag/${AGENT_TAG.key}`]: sub(
                            AGENT_TAG.value.cfnSub({ stackName: 'AWS::StackName' }),
                          ),
                        },
                      },
                    },
                    noValue,
                  ),
                  ifThen(
                    'SpotEnabled',
                    {
                      // The first spot request of an account creates EC2's spot service-linked role.
                      Sid: 'SpotServiceLinkedRole',
                      Effect: 'Allow',
                      Action: ['iam:CreateServiceLinkedRole'],
                      Resource: sub(
                        'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot',
                      ),
                      Condition: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
                    },
                    noValue,
                  ),
                  ...ebsKeyUse(),
                  {
                    // The boot tells CloudFormation that Determined answers (templates/src/master-boot.ts).
                    Sid: 'SignalOwnStack',
                    Effect: 'Allow',
                    Action: ['cloudformation:SignalResource'],
                    Resource: sub(
                      'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*',
                    ),
                  },
                  {
                    Sid: 'PassAgentRole',
                    Effect: 'Allow',
                    Action: ['iam:PassRole'],
                    Resource: getAtt('AgentRole', 'Arn'),
                  },
                  ...checkpointAccess(),
                  bootReportPermission(),
                  {
                    Sid: 'ClusterSecret',
                    Effect: 'Allow',
                    Action: ['secretsmanager:GetSecretValue'],
                    Resource: sub(
                      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${ClusterSecretName}-??????',
                    ),
                  },
                  logAccess(),
                ],
              },
            },
          ],
        },
      },
      MasterInstanceProfile: {
        Type: 'AWS::IAM::InstanceProfile',
        // The stack role may create instance profiles under this path only.
        Properties: { Path: ROLE_PATH, Roles: [ref('MasterRole')] },
      },
    },
    Outputs: {
      AgentInstanceProfileArn: {
        Description: 'Instance profile the master gives its agents',
        Value: getAtt('AgentInstanceProfile', 'Arn'),
      },
    },
  };
}
