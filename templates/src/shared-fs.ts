/**
 * The shared file system of the efs and fsx types: mounted on every agent (startup script) and
 * bind-mounted into task containers at /run/determined/workdir/shared_fs.
 */
import { getAtt, ref, type Fragment, type Value } from './cfn.ts';

export interface SharedFileSystem {
  fragment: Fragment;
  /** Lines of the agents' startup script that mount it (shell; ${...} are CloudFormation substitutions). */
  mountScript: string;
  hostPath: string;
}

const CONTAINER_PATH = '/run/determined/workdir/shared_fs';

/**
 * Scratch space shared by tasks, not the users' data of record (the bucket and the database are):
 * it goes with the cluster, as in det-deploy. Explicit, so the choice is visible (cfn-lint I3011).
 */
const GOES_WITH_THE_CLUSTER = { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' } as const;
export const SHARED_FS_CONTAINER_PATH = CONTAINER_PATH;

function accessGroup(
  description: string,
  vpcId: Value,
  ports: [number, number][],
  self: boolean,
): Fragment['Resources'] {
  const name = description.split(' ')[0] === 'EFS' ? 'EfsSecurityGroup' : 'FsxSecurityGroup';
  const resources: NonNullable<Fragment['Resources']> = {
    [name]: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: description, VpcId: vpcId } },
  };
  ports.forEach(([from, to], index) => {
    resources[`${name}IngressFromAgents${index}`] = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: getAtt(name, 'GroupId'),
        IpProtocol: 'tcp',
        FromPort: from,
        ToPort: to,
        SourceSecurityGroupId: getAtt('AgentSecurityGroup', 'GroupId'),
        Description: 'From the agents',
      },
    };
    if (self) {
      resources[`${name}IngressFromSelf${index}`] = {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: getAtt(name, 'GroupId'),
          IpProtocol: 'tcp',
          FromPort: from,
          ToPort: to,
          SourceSecurityGroupId: getAtt(name, 'GroupId'),
          Description: 'Between file servers',
        },
      };
    }
  });
  return resources;
}

export function efs(options: { vpcId: Value; subnetId: Value }): SharedFileSystem {
  return {
    fragment: {
      Resources: {
        ...accessGroup('EFS access from the Determined agents', options.vpcId, [[2049, 2049]], false),
        EfsFileSystem: {
          Type: 'AWS::EFS::FileSystem',
          ...GOES_WITH_THE_CLUSTER,
          Properties: {
            Encrypted: true,
            PerformanceMode: 'generalPurpose',
            FileSystemTags: [{ Key: 'Name', Value: ref('AWS::StackName') }],
          },
        },
        EfsMountTarget: {
          Type: 'AWS::EFS::MountTarget',
          Properties: {
            FileSystemId: ref('EfsFileSystem'),
            SubnetId: options.subnetId,
            SecurityGroups: [getAtt('EfsSecurityGroup', 'GroupId')],
          },
        },
      },
      Outputs: {
        EfsId: {
          Description: 'EFS file system mounted on the agents at /mnt/efs',
          Value: ref('EfsFileSystem'),
        },
      },
    },
    mountScript: [
      'apt-get update',
      'apt-get install -y nfs-common',
      'mkdir -p /mnt/efs',
      'mount -t nfs4 -o nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport ${EfsFileSystem}.efs.${AWS::Region}.amazonaws.com:/ /mnt/efs',
    ].join('\n'),
    hostPath: '/mnt/efs',
  };
}

export function fsx(options: { vpcId: Value; subnetId: Value }): SharedFileSystem {
  return {
    fragment: {
      Resources: {
        ...accessGroup(
          'FSx for Lustre access from the Determined agents',
          options.vpcId,
          [
            [988, 988],
            [1018, 1023],
          ],
          true,
        ),
        FsxFileSystem: {
          Type: 'AWS::FSx::FileSystem',
          ...GOES_WITH_THE_CLUSTER,
          Properties: {
            FileSystemType: 'LUSTRE',
            FileSystemTypeVersion: '2.15',
            StorageCapacity: 1200,
            StorageType: 'SSD',
            SubnetIds: [options.subnetId],
            SecurityGroupIds: [getAtt('FsxSecurityGroup', 'GroupId')],
            LustreConfiguration: {
              DeploymentType: 'PERSISTENT_2',
              PerUnitStorageThroughput: 125,
              DataCompressionType: 'LZ4',
            },
            Tags: [{ Key: 'Name', Value: ref('AWS::StackName') }],
          },
        },
      },
      Outputs: {
        FsxId: {
          Description: 'FSx for Lustre file system mounted on the agents at /mnt/fsx',
          Value: ref('FsxFileSystem'),
        },
        FsxMountName: {
          Description: 'Lustre mount name of the file system',
          Value: getAtt('FsxFileSystem', 'LustreMountName'),
        },
      },
    },
    // The Lustre client comes from AWS's own apt repository (not in Ubuntu's).
    mountScript: [
      'curl -fsSL https://fsx-lustre-client-repo-public-keys.s3.amazonaws.com/fsx-ubuntu-public-key.asc | gpg --dearmor --yes -o /usr/share/keyrings/fsx-ubuntu-public-key.gpg',
      'echo "deb [signed-by=/usr/share/keyrings/fsx-ubuntu-public-key.gpg] https://fsx-lustre-client-repo.s3.amazonaws.com/ubuntu $(. /etc/os-release && echo $VERSION_CODENAME) main" >/etc/apt/sources.list.d/fsxlustreclientrepo.list',
      'apt-get update',
      'apt-get install -y lustre-client-modules-$(uname -r) || apt-get install -y lustre-client-modules-aws',
      'mkdir -p /mnt/fsx',
      'mount -t lustre -o relatime,flock ${FsxFileSystem}.fsx.${AWS::Region}.amazonaws.com@tcp:/${FsxFileSystem.LustreMountName} /mnt/fsx',
    ].join('\n'),
    hostPath: '/mnt/fsx',
  };
}
