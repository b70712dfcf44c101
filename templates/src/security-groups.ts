/**
 * Security groups with exactly the seed's rules ("Manual Deployment", Security Groups), plus the
 * database group (5432 from the master only) and, in secure, access from the bastion.
 * In a VPC of the stack, internet egress is declared inline, which replaces AWS's implicit
 * allow-all egress rule; in the default VPC (simple) CloudFormation cannot do that without the
 * VPC's id, so the rule is a separate resource and the implicit one stays.
 */
import { getAtt, mergeFragments, ref, sub, type Fragment, type Resource, type Value } from './cfn.ts';

const ALL_TCP = { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535 };
const port = (number: number) => ({ IpProtocol: 'tcp', FromPort: number, ToPort: number });
const groupId = (name: string) => getAtt(name, 'GroupId');

const INTERNET_EGRESS = { ...ALL_TCP, CidrIp: '0.0.0.0/0', Description: 'Egress to the Internet' };

function group(description: string, vpcId: Value | undefined, internetEgress: boolean): Resource {
  return {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      GroupDescription: description,
      ...(vpcId ? { VpcId: vpcId } : {}),
      ...(internetEgress && vpcId ? { SecurityGroupEgress: [INTERNET_EGRESS] } : {}),
      Tags: [{ Key: 'Name', Value: sub(`\${AWS::StackName}-${description.split(' ')[0]?.toLowerCase()}`) }],
    },
  };
}

/** Internet egress as its own resource, for groups in the default VPC. */
function separateInternetEgress(vpcId: Value | undefined, groups: string[]): Record<string, Resource> {
  if (vpcId) return {};
  return Object.fromEntries(
    groups.map((name) => [
      `${name.replace('SecurityGroup', '')}EgressToInternet`,
      { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { GroupId: groupId(name), ...INTERNET_EGRESS } },
    ]),
  );
}

function ingress(
  target: string,
  rule: Record<string, Value>,
  source: { cidr: Value } | { group: string },
  description: string,
): Resource {
  return {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: {
      GroupId: groupId(target),
      ...rule,
      ...('cidr' in source ? { CidrIp: source.cidr } : { SourceSecurityGroupId: groupId(source.group) }),
      Description: description,
    },
  };
}

export function securityGroups(options: { vpcId?: Value; bastion: boolean }): Fragment {
  const inbound = { cidr: ref('InboundCidr') };
  const base: Fragment = {
    Resources: {
      MasterSecurityGroup: group('Master of the Determined cluster', options.vpcId, true),
      AgentSecurityGroup: group('Agents of the Determined cluster', options.vpcId, true),
      DatabaseSecurityGroup: group('Database of the Determined cluster', options.vpcId, false),
      ...separateInternetEgress(options.vpcId, ['MasterSecurityGroup', 'AgentSecurityGroup']),
      MasterEgressToAgents: {
        Type: 'AWS::EC2::SecurityGroupEgress',
        Properties: {
          GroupId: groupId('MasterSecurityGroup'),
          ...ALL_TCP,
          DestinationSecurityGroupId: groupId('AgentSecurityGroup'),
          Description: 'Egress on all ports to the agents',
        },
      },
      MasterIngressUiFromAgents: ingress(
        'MasterSecurityGroup',
        port(8080),
        { group: 'AgentSecurityGroup' },
        'Web UI and API from the agents',
      ),
      MasterIngressUi: ingress(
        'MasterSecurityGroup',
        port(8080),
        inbound,
        'Web UI and API from the inbound CIDR',
      ),
      MasterIngressSsh: ingress('MasterSecurityGroup', port(22), inbound, 'SSH from the inbound CIDR'),
      MasterIngressFromAgents: ingress(
        'MasterSecurityGroup',
        ALL_TCP,
        { group: 'AgentSecurityGroup' },
        'All ports from the agents',
      ),
      AgentIngressFromMaster: ingress(
        'AgentSecurityGroup',
        ALL_TCP,
        { group: 'MasterSecurityGroup' },
        'All ports from the master',
      ),
      AgentIngressFromAgents: ingress(
        'AgentSecurityGroup',
        ALL_TCP,
        { group: 'AgentSecurityGroup' },
        'All ports from other agents',
      ),
      AgentIngressSsh: ingress('AgentSecurityGroup', port(22), inbound, 'SSH from the inbound CIDR'),
      DatabaseIngressFromMaster: ingress(
        'DatabaseSecurityGroup',
        port(5432),
        { group: 'MasterSecurityGroup' },
        'PostgreSQL from the master only',
      ),
    },
    Outputs: {
      MasterSecurityGroupId: {
        Description: 'Security group of the master',
        Value: groupId('MasterSecurityGroup'),
      },
      AgentSecurityGroupId: {
        Description: 'Security group of the agents',
        Value: groupId('AgentSecurityGroup'),
      },
    },
  };
  if (!options.bastion) return base;
  return mergeFragments(base, {
    Resources: {
      BastionSecurityGroup: group('Bastion host of the Determined cluster', options.vpcId, true),
      BastionIngressSsh: ingress('BastionSecurityGroup', port(22), inbound, 'SSH from the inbound CIDR'),
      MasterIngressUiFromBastion: ingress(
        'MasterSecurityGroup',
        port(8080),
        { group: 'BastionSecurityGroup' },
        'Web UI through the bastion tunnel',
      ),
      MasterIngressSshFromBastion: ingress(
        'MasterSecurityGroup',
        port(22),
        { group: 'BastionSecurityGroup' },
        'SSH through the bastion',
      ),
      // The agents are private too: whatever the inbound CIDR, SSH reaches them through the bastion.
      AgentIngressSshFromBastion: ingress(
        'AgentSecurityGroup',
        port(22),
        { group: 'BastionSecurityGroup' },
        'SSH through the bastion',
      ),
    },
  });
}
