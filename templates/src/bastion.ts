/** secure: the bastion host in the public subnet; the only way in to the private master. */
import { findInMap, getAtt, ref, region, sub, tags, type Fragment, type Value } from './cfn.ts';
import { encryptedRootVolume, launchTemplateSpec } from './master.ts';

/**
 * The bastion's public address is an Elastic IP: it survives a stop and start (an auto-assigned
 * public IP does not), and it is a resource whose Ref is the address, which moto also reports
 * (moto's CloudFormation ignores MapPublicIpOnLaunch, so GetAtt PublicIp came back empty there).
 */
export function bastion(options: { subnetId: Value; gatewayAttachment: string }): Fragment {
  return {
    Resources: {
      BastionInstance: {
        Type: 'AWS::EC2::Instance',
        Properties: {
          ImageId: findInMap('RegionMap', region, 'Master'),
          InstanceType: 't3.micro',
          KeyName: ref('Keypair'),
          LaunchTemplate: launchTemplateSpec(),
          SubnetId: options.subnetId,
          SecurityGroupIds: [getAtt('BastionSecurityGroup', 'GroupId')],
          BlockDeviceMappings: encryptedRootVolume(16),
          Tags: tags({ Name: sub('det-bastion-${AWS::StackName}') }),
        },
      },
      BastionAddress: {
        Type: 'AWS::EC2::EIP',
        DependsOn: options.gatewayAttachment,
        Properties: {
          Domain: 'vpc',
          InstanceId: ref('BastionInstance'),
          Tags: tags({ Name: sub('det-bastion-${AWS::StackName}') }),
        },
      },
    },
    Outputs: {
      BastionId: { Description: 'EC2 instance of the bastion host', Value: ref('BastionInstance') },
      BastionAddress: {
        Description: 'Public address of the bastion host (ssh -L 8080:<master>:8080)',
        Value: ref('BastionAddress'),
      },
    },
  };
}
