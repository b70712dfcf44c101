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

/** The agent's setup, once more after a reboot into a kernel the Lustre client supports. */
export const AGAIN_AFTER_REBOOT = '/var/lib/cloud/scripts/per-boot/det-agent-setup-again';

/** The ports Lustre uses (FSx for Lustre user guide, "File system access control with Amazon VPC"). */
export const LUSTRE_PORTS: [number, number][] = [
  [988, 988],
  [1018, 1023],
];

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
  const fsxGroup = accessGroup(
    'FSx for Lustre access from the Determined agents',
    options.vpcId,
    LUSTRE_PORTS,
    true,
  );
  // Lustre clients (the agents) take inbound traffic from the file servers on the same ports.
  const lustreClientRules = Object.fromEntries(
    LUSTRE_PORTS.map(([from, to], index) => [
      `AgentIngressFromFsx${index}`,
      {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: getAtt('AgentSecurityGroup', 'GroupId'),
          IpProtocol: 'tcp',
          FromPort: from,
          ToPort: to,
          SourceSecurityGroupId: getAtt('FsxSecurityGroup', 'GroupId'),
          Description: 'Lustre from the file servers',
        },
      },
    ]),
  );
  return {
    fragment: {
      Resources: {
        ...fsxGroup,
        ...lustreClientRules,
        FsxFileSystem: {
          Type: 'AWS::FSx::FileSystem',
          ...GOES_WITH_THE_CLUSTER,
          // FSx refuses a security group that does not let the file servers talk LNET to each other
          // and to their clients: the rules must exist before the file system is created.
          DependsOn: Object.keys(fsxGroup ?? {}).filter((name) => name !== 'FsxSecurityGroup'),
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
    // The Lustre client comes from AWS's own apt repository (not in Ubuntu's), built per kernel.
    mountScript: [
      `rm -f ${AGAIN_AFTER_REBOOT}`,
      'curl -fsSL https://fsx-lustre-client-repo-public-keys.s3.amazonaws.com/fsx-ubuntu-public-key.asc | gpg --dearmor --yes -o /usr/share/keyrings/fsx-ubuntu-public-key.gpg',
      'echo "deb [signed-by=/usr/share/keyrings/fsx-ubuntu-public-key.gpg] https://fsx-lustre-client-repo.s3.amazonaws.com/ubuntu $(sed -n \'s/^VERSION_CODENAME=//p\' /etc/os-release) main" >/etc/apt/sources.list.d/fsxlustreclientrepo.list',
      'apt-get update',
      'if ! apt-get install -y "lustre-client-modules-$(uname -r)"; then',
      '  # No client for the running kernel: install the AWS kernel with its client and boot into it;',
      "  # the agent's setup (this script included) runs once more then, as a cloud-init per-boot script.",
      '  apt-get install -y linux-aws lustre-client-modules-aws',
      `  install -m 0755 /var/lib/cloud/instance/user-data.txt ${AGAIN_AFTER_REBOOT}`,
      '  echo "rebooting into the kernel of the Lustre client"',
      '  reboot',
      '  exit 1',
      'fi',
      'mkdir -p /mnt/fsx',
      'mount -t lustre -o relatime,flock ${FsxFileSystem}.fsx.${AWS::Region}.amazonaws.com@tcp:/${FsxFileSystem.LustreMountName} /mnt/fsx',
    ].join('\n'),
    hostPath: '/mnt/fsx',
  };
}
