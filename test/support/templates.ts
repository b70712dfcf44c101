/**
 * What the seed asks of a Determined stack, written once for the unit tests (which read the
 * templates) and the emulator tests (which read the resources moto made): the security group rules
 * of "Manual Deployment"; the user data helpers live with the offline checks (scripts/check-aws/).
 */
import type { DeploymentType } from '../../core/cluster/request.ts';

/** Short names of the security groups, by logical id. */
export const GROUPS: Record<string, string> = {
  MasterSecurityGroup: 'master',
  AgentSecurityGroup: 'agent',
  DatabaseSecurityGroup: 'database',
  BastionSecurityGroup: 'bastion',
  EfsSecurityGroup: 'efs',
  FsxSecurityGroup: 'fsx',
};

/** "<group> <ingress|egress> <protocol> <from>-<to> <peer>", peer = group:<name> | cidr:<block> | cidr:inbound. */
export type Rule = string;

export const rule = (
  group: string,
  direction: 'ingress' | 'egress',
  protocol: string,
  from: number,
  to: number,
  peer: string,
): Rule => `${group} ${direction} ${protocol} ${from}-${to} ${peer}`;

const ALL = [0, 65535] as const;
/** AWS's implicit rule of a group created without egress rules. */
export const defaultEgress = (group: string): Rule => rule(group, 'egress', '-1', -1, -1, 'cidr:0.0.0.0/0');

/**
 * The seed's rules, rule by rule (Security Groups: Master, Agent), the database group (5432 from the
 * master only), the bastion in secure and the file system groups in efs and fsx.
 */
export function seedRules(type: DeploymentType): Rule[] {
  const rules: Rule[] = [
    // Master: egress on all ports to the agents, egress to the Internet, 8080 from the agents and
    // the inbound CIDR (web UI), 22 from the inbound CIDR, all ports from the agents.
    rule('master', 'egress', 'tcp', ...ALL, 'group:agent'),
    rule('master', 'egress', 'tcp', ...ALL, 'cidr:0.0.0.0/0'),
    rule('master', 'ingress', 'tcp', 8080, 8080, 'group:agent'),
    rule('master', 'ingress', 'tcp', 8080, 8080, 'cidr:inbound'),
    rule('master', 'ingress', 'tcp', 22, 22, 'cidr:inbound'),
    rule('master', 'ingress', 'tcp', ...ALL, 'group:agent'),
    // Agent: egress to the Internet, all ports from the master and from agents, 22 from the inbound CIDR.
    rule('agent', 'egress', 'tcp', ...ALL, 'cidr:0.0.0.0/0'),
    rule('agent', 'ingress', 'tcp', ...ALL, 'group:master'),
    rule('agent', 'ingress', 'tcp', ...ALL, 'group:agent'),
    rule('agent', 'ingress', 'tcp', 22, 22, 'cidr:inbound'),
    // Database: PostgreSQL from the master only; it never needs to open connections, AWS's default egress stays.
    rule('database', 'ingress', 'tcp', 5432, 5432, 'group:master'),
    defaultEgress('database'),
  ];
  if (type === 'simple') {
    // In the default VPC CloudFormation cannot replace the implicit egress rule ("SecurityGroupEgress
    // cannot be specified without VpcId"), so it stays beside the seed's rules (a superset of them).
    rules.push(defaultEgress('master'), defaultEgress('agent'));
  }
  if (type === 'secure') {
    rules.push(
      rule('bastion', 'ingress', 'tcp', 22, 22, 'cidr:inbound'),
      rule('bastion', 'egress', 'tcp', ...ALL, 'cidr:0.0.0.0/0'),
      rule('master', 'ingress', 'tcp', 8080, 8080, 'group:bastion'),
      rule('master', 'ingress', 'tcp', 22, 22, 'group:bastion'),
      // The agents are private: SSH reaches them through the bastion whatever the inbound CIDR.
      rule('agent', 'ingress', 'tcp', 22, 22, 'group:bastion'),
    );
  }
  if (type === 'efs')
    rules.push(rule('efs', 'ingress', 'tcp', 2049, 2049, 'group:agent'), defaultEgress('efs'));
  if (type === 'fsx') {
    for (const [from, to] of [
      [988, 988],
      [1018, 1023],
    ] as const) {
      rules.push(rule('fsx', 'ingress', 'tcp', from, to, 'group:agent'));
      rules.push(rule('fsx', 'ingress', 'tcp', from, to, 'group:fsx'));
      // Lustre clients take the file servers' traffic on the same ports.
      rules.push(rule('agent', 'ingress', 'tcp', from, to, 'group:fsx'));
    }
    rules.push(defaultEgress('fsx'));
  }
  return rules.sort();
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

export interface TemplateRule {
  rule: Rule;
  /** Declared inside the AWS::EC2::SecurityGroup (moto ignores inline egress: see emulators.md). */
  inline: boolean;
}

function peerOf(properties: Json): string {
  const group = properties.SourceSecurityGroupId ?? properties.DestinationSecurityGroupId;
  if (group) return `group:${GROUPS[group['Fn::GetAtt'][0]]}`;
  if (properties.CidrIp?.Ref === 'InboundCidr') return 'cidr:inbound';
  return `cidr:${properties.CidrIp}`;
}

function ruleOf(group: string, direction: 'ingress' | 'egress', properties: Json): Rule {
  return rule(
    group,
    direction,
    properties.IpProtocol,
    properties.FromPort,
    properties.ToPort,
    peerOf(properties),
  );
}

/** Every rule a template declares, with AWS's implicit egress for groups that declare none inline. */
export function templateRules(template: Json): TemplateRule[] {
  const rules: TemplateRule[] = [];
  for (const [logicalId, resource] of Object.entries<Json>(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::EC2::SecurityGroup') {
      const group = GROUPS[logicalId] ?? logicalId;
      for (const egress of properties.SecurityGroupEgress ?? []) {
        rules.push({ rule: ruleOf(group, 'egress', egress), inline: true });
      }
      for (const ingress of properties.SecurityGroupIngress ?? []) {
        rules.push({ rule: ruleOf(group, 'ingress', ingress), inline: true });
      }
      if (!properties.SecurityGroupEgress) rules.push({ rule: defaultEgress(group), inline: false });
    }
    if (
      resource.Type === 'AWS::EC2::SecurityGroupIngress' ||
      resource.Type === 'AWS::EC2::SecurityGroupEgress'
    ) {
      const group = GROUPS[properties.GroupId['Fn::GetAtt'][0]] ?? '?';
      const direction = resource.Type.endsWith('Ingress') ? 'ingress' : 'egress';
      rules.push({ rule: ruleOf(group, direction, properties), inline: false });
    }
  }
  return rules.sort((a, b) => a.rule.localeCompare(b.rule));
}

export {
  evaluate,
  renderedUserData,
  sampleOf,
  userDataScript,
  type Scope,
} from '../../scripts/check-aws/intrinsics.ts';
