/**
 * The master: an EC2 instance (IMDSv2 required, encrypted 200 GB root volume) whose user data
 * installs Docker, creates the `determined` network, writes master.yaml and runs determined-master
 * at the requested version (seed, "Master Node"). The user data reruns on every boot, so a stack
 * update that changes the configuration restarts the master with it.
 */
import { AGENT_SLOTS } from '../../core/cluster/instance-types.ts';
import {
  base64,
  findInMap,
  getAtt,
  ifThen,
  ref,
  region,
  sub,
  tags,
  type Fragment,
  type Value,
} from './cfn.ts';
import {
  ADMIN_PASSWORD_PLACEHOLDER,
  DB_PASSWORD_PLACEHOLDER,
  masterConfig,
  MASTER_PORT,
  type MasterConfigOptions,
} from './master-config.ts';
import { bootReport } from './master-boot-report.ts';
import { checkpointBucketName } from './storage.ts';

export const IMDS_LAUNCH_TEMPLATE = 'ImdsV2LaunchTemplate';

export function launchTemplateSpec(): Value {
  return {
    LaunchTemplateId: ref(IMDS_LAUNCH_TEMPLATE),
    Version: getAtt(IMDS_LAUNCH_TEMPLATE, 'LatestVersionNumber'),
  };
}

export function encryptedRootVolume(sizeGiB: number): Value {
  return [
    {
      DeviceName: '/dev/sda1',
      Ebs: { VolumeSize: sizeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
    },
  ];
}

function userData(config: string): string {
  return `Content-Type: multipart/mixed; boundary="//"
MIME-Version: 1.0

--//
Content-Type: text/cloud-config; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="cloud-config.txt"

#cloud-config
cloud_final_modules:
- [scripts-user, always]

--//
Content-Type: text/x-shellscript; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="userdata.txt"

#!/bin/bash
# Runs on every boot: rebuilds master.yaml from the stack's current parameters.
set -euo pipefail
exec >>/var/log/determined-master-setup.log 2>&1
etc=/usr/local/determined/etc
mkdir -p $etc

# Docker and the determined network.
if ! command -v docker >/dev/null 2>&1; then
  apt-get remove -y docker docker-engine docker.io containerd runc || true
  apt-get update
  apt-get install -y ca-certificates curl gnupg python3
  install -m 0755 -d /etc/apt/keyrings
  curl -fsSL https://download.docker.com/linux/ubuntu/gpg -o /etc/apt/keyrings/docker.asc
  echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu $(. /etc/os-release && echo $VERSION_CODENAME) stable" >/etc/apt/sources.list.d/docker.list
  apt-get update
  apt-get install -y docker-ce docker-ce-cli containerd.io
fi
systemctl enable --now docker
docker network inspect determined >/dev/null 2>&1 || docker network create determined

# master.yaml; the passwords are read at boot with the instance role, which may read only this secret.
cat >$etc/master.yaml.template <<'MASTER_YAML'
${config}
MASTER_YAML
secret=$(docker run --rm --network host public.ecr.aws/aws-cli/aws-cli:latest secretsmanager get-secret-value --region \${AWS::Region} --secret-id \${ClusterSecretName} --query SecretString --output text)
SECRET="$secret" python3 - "$etc" <<'RENDER'
import json, os, sys
secret = json.loads(os.environ["SECRET"])
folder = sys.argv[1]
text = open(folder + "/master.yaml.template").read()
text = text.replace('"${DB_PASSWORD_PLACEHOLDER}"', json.dumps(secret["dbPassword"]))
text = text.replace('"${ADMIN_PASSWORD_PLACEHOLDER}"', json.dumps(secret["adminPassword"]))
fd = os.open(folder + "/master.yaml", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, text.encode())
os.close(fd)
RENDER

# The master at the requested version; Docker restarts it after a reboot.
docker rm -f determined-master >/dev/null 2>&1 || true
docker run -d --name determined-master --network determined --restart unless-stopped \\
  --log-driver=awslogs --log-opt awslogs-region=\${AWS::Region} --log-opt awslogs-group=\${LogGroup} --log-opt awslogs-stream=determined-master \\
  -p ${MASTER_PORT}:${MASTER_PORT} -v $etc/master.yaml:/etc/determined/master.yaml:ro \\
  determinedai/determined-master:\${DeterminedVersion}
${bootReport(MASTER_PORT)}--//--
`;
}

export interface MasterOptions extends MasterConfigOptions {
  subnetId?: Value;
  /** An Elastic IP and a public master URL (every type but secure). */
  publicAddress: boolean;
  /** The route the user data needs at boot (a VPC of the stack; none in the default VPC). */
  outboundRoute?: string;
  /** The internet gateway attachment an Elastic IP needs (a VPC of the stack). */
  gatewayAttachment?: string;
}

export function master(options: MasterOptions): Fragment {
  const slotMap = (pool: 'Cpu' | 'Gpu') => findInMap('AgentSlots', ref(`${pool}AgentInstanceType`), 'Slots');
  const masterUrl = options.publicAddress
    ? sub(`http://\${MasterAddress}:${MASTER_PORT}`)
    : sub(`http://\${MasterInstance.PrivateIp}:${MASTER_PORT}`);
  return {
    Mappings: {
      AgentSlots: Object.fromEntries(
        Object.entries(AGENT_SLOTS).map(([type, slots]) => [type, { Slots: String(slots) }]),
      ),
    },
    Resources: {
      [IMDS_LAUNCH_TEMPLATE]: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: {
          LaunchTemplateData: {
            MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
          },
        },
      },
      MasterInstance: {
        Type: 'AWS::EC2::Instance',
        ...(options.outboundRoute ? { DependsOn: options.outboundRoute } : {}),
        Properties: {
          ImageId: findInMap('RegionMap', region, 'Master'),
          InstanceType: ref('MasterInstanceType'),
          KeyName: ref('Keypair'),
          IamInstanceProfile: ref('MasterInstanceProfile'),
          LaunchTemplate: launchTemplateSpec(),
          SecurityGroupIds: [getAtt('MasterSecurityGroup', 'GroupId')],
          ...(options.subnetId ? { SubnetId: options.subnetId } : {}),
          BlockDeviceMappings: encryptedRootVolume(200),
          UserData: base64(
            sub(userData(masterConfig(options)), {
              AgentAmi: findInMap('RegionMap', region, 'Agent'),
              CheckpointBucketName: checkpointBucketName,
              DatabaseAddress: getAtt('Database', 'Endpoint.Address'),
              CpuAgentSlots: slotMap('Cpu'),
              GpuAgentSlots: slotMap('Gpu'),
              SpotMaxPriceSetting: ifThen(
                'HasSpotMaxPrice',
                sub('spot_max_price: "${SpotMaxPrice}"'),
                '# spot_max_price: the on-demand price',
              ),
            }),
          ),
          Tags: tags({ Name: sub('det-master-${AWS::StackName}') }),
        },
      },
      ...(options.publicAddress
        ? {
            MasterAddress: {
              Type: 'AWS::EC2::EIP',
              ...(options.gatewayAttachment ? { DependsOn: options.gatewayAttachment } : {}),
              Properties: {
                Domain: 'vpc',
                InstanceId: ref('MasterInstance'),
                Tags: tags({ Name: sub('det-master-${AWS::StackName}') }),
              },
            },
          }
        : {}),
    },
    Outputs: {
      MasterUrl: { Description: 'URL of the Determined master (export DET_MASTER=...)', Value: masterUrl },
      MasterId: { Description: 'EC2 instance of the master', Value: ref('MasterInstance') },
      MasterPrivateIp: {
        Description: 'Private address of the master',
        Value: getAtt('MasterInstance', 'PrivateIp'),
      },
      ...(options.publicAddress
        ? { MasterAddress: { Description: 'Elastic IP of the master', Value: ref('MasterAddress') } }
        : {}),
    },
  };
}
