/**
 * What the seed asks of a Determined stack, written once for the unit tests (which read the
 * templates) and the emulator tests (which read the resources moto made): the security group rules
 * of "Manual Deployment", and how to get master.yaml out of the master's user data.
 */
import { parse } from 'yaml';
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

/** The master.yaml heredoc of the master's user data (after CloudFormation's substitution, or before). */
export function masterYamlText(userData: string): string {
  const start = userData.indexOf("<<'MASTER_YAML'\n");
  const end = userData.indexOf('\nMASTER_YAML\n');
  if (start < 0 || end < start) throw new Error('no master.yaml heredoc in the user data');
  return userData.slice(start + "<<'MASTER_YAML'\n".length, end);
}

/**
 * master.yaml as the master reads it: the boot script puts the passwords from Secrets Manager in
 * place of the quoted placeholders, as JSON strings.
 */
export function parseMasterYaml(
  text: string,
  secret = { dbPassword: 'db "pass" #1', adminPassword: 'admin: pass' },
): Json {
  const rendered = text
    .replace('"@@DB_PASSWORD@@"', JSON.stringify(secret.dbPassword))
    .replace('"@@ADMIN_PASSWORD@@"', JSON.stringify(secret.adminPassword));
  return parse(rendered);
}

export interface Scope {
  parameters: Record<string, string>;
  /** Pseudo parameters, e.g. AWS::Region. */
  pseudo: Record<string, string>;
  template: Json;
}

/** A sample physical id or attribute of a resource: what CloudFormation would fill in. */
export const sampleOf = (logicalId: string, attribute?: string): string =>
  attribute ? `${logicalId}.${attribute}-value` : `${logicalId}-id`;

/**
 * Evaluate the intrinsic functions these templates use (Ref, GetAtt, FindInMap, If, Sub, Equals,
 * Not, Base64) the way CloudFormation would, with sample values for resources: enough to read the
 * user data a stack would give its master for given parameters.
 */
export function evaluate(value: Json, scope: Scope): Json {
  if (Array.isArray(value))
    return value.map((item) => evaluate(item, scope)).filter((item) => item !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const [key] = Object.keys(value);
  const argument = value[key as string];
  switch (key) {
    case 'Ref':
      if (argument === 'AWS::NoValue') return NO_VALUE;
      if (argument in scope.pseudo) return scope.pseudo[argument];
      if (argument in scope.parameters) return scope.parameters[argument];
      if (argument in scope.template.Parameters) return String(scope.template.Parameters[argument].Default);
      if (!(argument in scope.template.Resources)) throw new Error(`Ref to unknown ${argument}`);
      return sampleOf(argument);
    case 'Fn::GetAtt':
      if (!(argument[0] in scope.template.Resources)) throw new Error(`GetAtt of unknown ${argument[0]}`);
      return sampleOf(argument[0], argument[1]);
    case 'Fn::FindInMap': {
      const [map, top, second] = argument.map((part: Json) => evaluate(part, scope));
      const found = scope.template.Mappings?.[map]?.[top]?.[second];
      if (found === undefined) throw new Error(`FindInMap ${map}/${top}/${second} has no value`);
      return found;
    }
    case 'Fn::If':
      return evaluate(condition(argument[0], scope) ? argument[1] : argument[2], scope);
    case 'Fn::Equals':
      return evaluate(argument[0], scope) === evaluate(argument[1], scope);
    case 'Fn::Not':
      return !evaluate(argument[0], scope);
    case 'Fn::Base64':
      return evaluate(argument, scope);
    case 'Fn::Sub': {
      const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument;
      const values: Record<string, string> = { ...scope.pseudo };
      for (const [name, expression] of Object.entries<Json>(variables))
        values[name] = String(evaluate(expression, scope));
      return text.replace(/\$\{([^!}][^}]*)\}/g, (_match: string, name: string) => {
        if (name in values) return values[name];
        const [resource, attribute] = name.split(/\.(.*)/s) as [string, string | undefined];
        return String(
          evaluate(attribute ? { 'Fn::GetAtt': [resource, attribute] } : { Ref: resource }, scope),
        );
      });
    }
    default: {
      const result: Record<string, Json> = {};
      for (const [name, item] of Object.entries<Json>(value)) {
        const evaluated = evaluate(item, scope);
        if (evaluated !== NO_VALUE) result[name] = evaluated;
      }
      return result;
    }
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

function condition(name: string, scope: Scope): boolean {
  const definition = scope.template.Conditions?.[name];
  if (definition === undefined) throw new Error(`unknown condition ${name}`);
  return Boolean(evaluate(definition, scope));
}

/** The master's user data as CloudFormation would render it for these parameters. */
export function renderedUserData(template: Json, scope: Omit<Scope, 'template'>): string {
  return evaluate(template.Resources.MasterInstance.Properties.UserData, { ...scope, template });
}

/** Sub text of the master's user data, before substitution. */
export function userDataSource(template: Json): string {
  return template.Resources.MasterInstance.Properties.UserData['Fn::Base64']['Fn::Sub'][0];
}

/** The shell script part of the user data (the MIME part after #!/bin/bash). */
export function userDataScript(userData: string): string {
  const start = userData.indexOf('#!/bin/bash');
  const end = userData.lastIndexOf('--//--');
  if (start < 0 || end < start) throw new Error('no shell script part in the user data');
  return userData.slice(start, end);
}
