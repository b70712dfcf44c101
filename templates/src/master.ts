/**
 * The master: an EC2 instance (IMDSv2 required, encrypted 200 GB root volume) whose boot
 * (templates/src/master-boot.ts) writes master.yaml and runs determined-master at the requested
 * version (seed, "Master Node"). The instance is created only when the master answers: a
 * CreationPolicy waits for its signal, and a wait condition carries the reason of a failure. The user
 * data reruns on every boot, so a stack update that changes the configuration restarts the master with it.
 */
import { AGENT_SLOTS } from '../../core/cluster/instance-types.ts';
import { AGENT_TAG } from '../../core/names/shared.ts';
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
import { agentStartupScript } from './agent-startup.ts';
import {
  masterBootScript,
  masterUserData,
  MASTER_RESOURCE,
  WAIT_CONDITION,
  WAIT_HANDLE,
} from './master-boot.ts';
import {
  masterConfig,
  masterConfigSkeleton,
  MASTER_PORT,
  SLOTS,
  slotsOf,
  type MasterConfigOptions,
  type SlotName,
} from './master-config.ts';
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

export interface MasterOptions extends Omit<MasterConfigOptions, 'agentSubnet'> {
  /** The agents' subnet (a resource of the stack), or none for the default VPC's default subnet. */
  agentSubnet?: string;
  /** Lines of the agents' startup script that mount the shared file system. */
  mountScript?: string;
  subnetId?: Value;
  /** An Elastic IP and a public master URL (every type but secure). */
  publicAddress: boolean;
  /** The route the user data needs at boot (a VPC of the stack; none in the default VPC). */
  outboundRoute?: string;
  /** The internet gateway attachment an Elastic IP needs (a VPC of the stack). */
  gatewayAttachment?: string;
}

/** Base64 of a text: the boot decodes it, so no value is ever read as shell or YAML. */
const encoded = (value: Value): Value => base64(value);

/** What CloudFormation resolves for each slot of master.yaml (the secret ones are read at boot). */
function slotValues(options: MasterOptions): Partial<Record<SlotName, Value>> {
  const slotMap = (pool: 'Cpu' | 'Gpu') => findInMap('AgentSlots', ref(`${pool}AgentInstanceType`), 'Slots');
  return {
    CheckpointBucket: checkpointBucketName,
    DatabaseAddress: getAtt('Database', 'Endpoint.Address'),
    Region: region,
    // Sub, not Ref, for numbers: AWS's Ref of a Number is a string, moto's an int Base64 cannot take.
    MaxCpuContainersPerAgent: sub('${MaxCpuContainersPerAgent}'),
    CpuAgentInstanceType: ref('CpuAgentInstanceType'),
    GpuAgentInstanceType: ref('GpuAgentInstanceType'),
    CpuAgentSlots: slotMap('Cpu'),
    GpuAgentSlots: slotMap('Gpu'),
    AgentAmi: ref('AgentAmi'),
    AgentDockerImage: sub('determinedai/determined-agent:${DeterminedVersion}'),
    MaxIdleAgentPeriod: ref('MaxIdleAgentPeriod'),
    MaxDynamicAgents: sub('${MaxDynamicAgents}'),
    AgentInstanceName: sub('determined-agent-${AWS::StackName}'),
    Keypair: ref('Keypair'),
    AgentInstanceProfileArn: getAtt('AgentInstanceProfile', 'Arn'),
    LogGroup: ref('LogGroup'),
    AgentSecurityGroup: getAtt('AgentSecurityGroup', 'GroupId'),
    ...(options.agentSubnet ? { AgentSubnet: ref(options.agentSubnet) } : {}),
    AgentTagValue: sub(AGENT_TAG.value.cfnSub({ stackName: 'AWS::StackName' })),
    AgentTags: ref('AgentTags'),
    SpotEnabled: ref('SpotEnabled'),
    SpotMaxPrice: ref('SpotMaxPrice'),
    AgentStartupScript: sub(agentStartupScript(options.mountScript)),
  };
}

const base64Text = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The master's user data: the boot script, with master.yaml's skeleton (one per answer to "are there
 * dynamic agents?") and every slot's value as base64 data.
 */
export function masterBoot(options: MasterOptions): Value {
  const configOptions: MasterConfigOptions = {
    publicAgents: options.publicAgents,
    agentSubnet: options.agentSubnet !== undefined,
    ...(options.sharedFs ? { sharedFs: options.sharedFs } : {}),
  };
  const withAgents = masterConfig(configOptions, true);
  const withoutAgents = masterConfig(configOptions, false);
  const resolved = slotValues(options);
  const names = slotsOf(withAgents).filter((name) => SLOTS[name].kind !== 'secret');
  const variables: Record<string, Value> = {
    V_Skeleton: ifThen(
      'HasDynamicAgents',
      base64Text(masterConfigSkeleton(withAgents)),
      base64Text(masterConfigSkeleton(withoutAgents)),
    ),
    V_WaitHandle: encoded(ref(WAIT_HANDLE)),
  };
  for (const name of names) {
    const value = resolved[name];
    if (value === undefined) throw new Error(`master.yaml slot ${name} has no value`);
    variables[`V_${name}`] = encoded(value);
  }
  const kinds = Object.fromEntries(slotsOf(withAgents).map((name) => [name, SLOTS[name]]));
  const script = masterBootScript(
    names.map((name) => `${name}=\${V_${name}}`),
    base64Text(JSON.stringify(kinds)),
  );
  return base64(sub(masterUserData(script), variables));
}

export function master(options: MasterOptions): Fragment {
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
      [MASTER_RESOURCE]: {
        Type: 'AWS::EC2::Instance',
        ...(options.outboundRoute ? { DependsOn: options.outboundRoute } : {}),
        // Created only once the boot signals that Determined answers (also when an update replaces it).
        CreationPolicy: { ResourceSignal: { Count: 1, Timeout: sub('PT${MasterBootTimeoutSeconds}S') } },
        Properties: {
          ImageId: findInMap('RegionMap', region, 'Master'),
          InstanceType: ref('MasterInstanceType'),
          KeyName: ref('Keypair'),
          IamInstanceProfile: ref('MasterInstanceProfile'),
          LaunchTemplate: launchTemplateSpec(),
          SecurityGroupIds: [getAtt('MasterSecurityGroup', 'GroupId')],
          ...(options.subnetId ? { SubnetId: options.subnetId } : {}),
          BlockDeviceMappings: encryptedRootVolume(200),
          UserData: masterBoot(options),
          Tags: tags({ Name: sub('det-master-${AWS::StackName}') }),
        },
      },
      // The failure's reason: a resource signal carries none, a wait condition's message does.
      [WAIT_HANDLE]: { Type: 'AWS::CloudFormation::WaitConditionHandle' },
      [WAIT_CONDITION]: {
        Type: 'AWS::CloudFormation::WaitCondition',
        // Starts with the master (they wait on the same resources), so both time out together.
        DependsOn: [
          IMDS_LAUNCH_TEMPLATE,
          'MasterInstanceProfile',
          'Database',
          ...(options.outboundRoute ? [options.outboundRoute] : []),
        ],
        Properties: { Handle: ref(WAIT_HANDLE), Timeout: ref('MasterBootTimeoutSeconds'), Count: 1 },
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
