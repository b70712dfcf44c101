/**
 * The Determined CloudFormation templates, one per deployment type, composed from fragments
 * (docs/adr/0005-templates-as-code.md). templates/<type>.yaml are these, rendered; a test keeps
 * them fresh, and cfn-lint checks them.
 */
import { AGENT_TAG } from '../../core/names/shared.ts';
import type { DeploymentType } from '../../core/cluster/request.ts';
import { bastion } from './bastion.ts';
import { compose, ref, sub, type Fragment, type Template } from './cfn.ts';
import { database } from './database.ts';
import { iam } from './iam.ts';
import { mappings } from './mappings.ts';
import { master } from './master.ts';
import { defaultVpc, publicVpc, secureVpc, type Placement } from './network.ts';
import { parameters } from './parameters.ts';
import { securityGroups } from './security-groups.ts';
import { efs, fsx, SHARED_FS_CONTAINER_PATH, type SharedFileSystem } from './shared-fs.ts';
import { storage } from './storage.ts';

const DESCRIPTIONS: Record<DeploymentType, string> = {
  simple: 'Determined cluster (simple): master and agents in the default VPC',
  vpc: 'Determined cluster (vpc): a new VPC with public subnets',
  efs: 'Determined cluster (efs): a new VPC, with EFS mounted on the agents at /mnt/efs',
  fsx: 'Determined cluster (fsx): a new VPC, with FSx for Lustre mounted on the agents at /mnt/fsx',
  secure:
    'Determined cluster (secure): private master and agents behind a bastion, NAT gateway and S3 endpoint',
};

function placementOf(type: DeploymentType): Placement {
  if (type === 'simple') return defaultVpc();
  if (type === 'secure') return secureVpc();
  return publicVpc();
}

function sharedFileSystemOf(type: DeploymentType, placement: Placement): SharedFileSystem | undefined {
  if (type !== 'efs' && type !== 'fsx') return undefined;
  const where = { vpcId: placement.vpcId ?? '', subnetId: placement.agentSubnetId ?? '' };
  return type === 'efs' ? efs(where) : fsx(where);
}

function identity(type: DeploymentType): Fragment {
  return {
    Outputs: {
      DeploymentType: { Description: 'Deployment type of the cluster', Value: type },
      DeterminedVersion: {
        Description: 'Determined release of the master and agents',
        Value: ref('DeterminedVersion'),
      },
      AgentTagKey: { Description: 'Tag key the master puts on its agents', Value: AGENT_TAG.key },
      AgentTagValue: {
        Description: 'Tag value that marks this cluster’s agents',
        Value: sub(AGENT_TAG.value.cfnSub({ stackName: 'AWS::StackName' })),
      },
      Region: { Description: 'Region of the cluster', Value: ref('AWS::Region') },
    },
  };
}

export function renderTemplate(type: DeploymentType): Template {
  const placement = placementOf(type);
  const sharedFs = sharedFileSystemOf(type, placement);
  const agentSubnet = placement.agentSubnetId ? (placement.agentSubnetId as { Ref: string }).Ref : undefined;
  const fragments: Fragment[] = [
    parameters,
    mappings,
    placement.fragment,
    securityGroups({
      ...(placement.vpcId ? { vpcId: placement.vpcId } : {}),
      bastion: placement.bastionSubnetId !== undefined,
    }),
    iam(),
    storage(),
    database(placement.privateSubnetIds ? { subnetIds: placement.privateSubnetIds } : {}),
    master({
      ...(placement.masterSubnetId ? { subnetId: placement.masterSubnetId } : {}),
      publicAddress: placement.publicCluster,
      publicAgents: placement.publicCluster,
      ...(placement.outboundRoute ? { outboundRoute: placement.outboundRoute } : {}),
      ...(placement.gatewayAttachment ? { gatewayAttachment: placement.gatewayAttachment } : {}),
      ...(agentSubnet ? { agentSubnet } : {}),
      ...(sharedFs
        ? {
            sharedFs: { hostPath: sharedFs.hostPath, containerPath: SHARED_FS_CONTAINER_PATH },
            mountScript: sharedFs.mountScript,
          }
        : {}),
    }),
    identity(type),
  ];
  if (sharedFs) fragments.push(sharedFs.fragment);
  if (placement.bastionSubnetId) {
    fragments.push(
      bastion({
        subnetId: placement.bastionSubnetId,
        gatewayAttachment: placement.gatewayAttachment ?? 'InternetGatewayAttachment',
      }),
    );
  }
  return compose(DESCRIPTIONS[type], fragments);
}
