/**
 * Each deployment type, created through the local API and checked on the resources moto really
 * made: the seed's security group rules, the IAM policies, the network of the type, the shared file
 * system, and the master's user data with a master.yaml that holds the request's values. What moto
 * does not model is said where it happens and checked from the template (test/unit/templates).
 */
import { Sha256 } from '../support/sha256.ts';
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAddressesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type Instance,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SignatureV4 } from '@smithy/signature-v4';
import { AGENT_SLOTS } from '../../core/cluster/instance-types.ts';
import { agentTag, stackName, stackNameOf } from '../../core/cluster/naming.ts';
import { DEPLOYMENT_TYPES, type DeploymentType } from '../../core/cluster/request.ts';
import { renderTemplate } from '../../templates/src/index.ts';
import { agentAmi } from '../../core/cluster/determined-versions.ts';
import {
  call,
  DEMO_KEY_PAIR,
  emulator,
  emulatorUrl,
  tokenFor,
  uniqueId,
  waitForStatus,
} from '../support/local-api.ts';
import { defaultEgress, GROUPS, rule, seedRules, templateRules, type Rule } from '../support/templates.ts';
import { runBoot } from '../../scripts/check-aws/boot-sandbox.ts';
import { determinedConfigProblems } from '../../scripts/check-aws/determined-config.ts';
import { userDataScript } from '../../scripts/check-aws/intrinsics.ts';
import { parse } from 'yaml';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON and YAML

const INBOUND = '203.0.113.0/24';
const REGION = 'us-east-1';

/** Non-default values for every field, so the checks below can tell the request's from a default. */
const common = {
  keypair: DEMO_KEY_PAIR,
  inboundCidr: INBOUND,
  masterInstanceType: 'm5.xlarge',
  cpuAgentInstanceType: 'm5.2xlarge',
  gpuAgentInstanceType: 'g4dn.12xlarge',
  maxCpuContainersPerAgent: 25,
  maxIdleAgentPeriod: '3m30s',
  maxDynamicAgents: 7,
  determinedVersion: '0.38.0',
  idleTimeout: 'never',
  tags: { project: 'templates' },
};

/** Spot on and off across the types, with and without a price. */
const SPOT: Record<DeploymentType, { spot?: boolean; spotMaxPrice?: string }> = {
  simple: {},
  vpc: { spot: true, spotMaxPrice: '0.42' },
  efs: { spot: false },
  fsx: { spot: true },
  secure: { spot: true, spotMaxPrice: '1.5' },
};

/** simple gets a 64-character mixed-case id: the longest the API accepts. */
function clusterIdFor(type: DeploymentType): string {
  if (type !== 'simple') return uniqueId(`tpl-${type}`);
  return `Tpl-Simple-${process.pid}-${Date.now().toString(36)}-`.padEnd(64, 'Q');
}

interface Created {
  type: DeploymentType;
  clusterId: string;
  request: Json;
  cluster: Json;
  resources: Record<string, string>;
}

const created = new Map<DeploymentType, Created>();
let token = '';

beforeAll(async () => {
  token = await tokenFor('templates');
  const cfn = emulator.cloudFormation();
  // All five at once: the workflows run concurrently in the local runtime.
  await Promise.all(
    DEPLOYMENT_TYPES.map(async (type) => {
      const clusterId = clusterIdFor(type);
      const request = { clusterId, deploymentType: type, ...common, ...SPOT[type] };
      const response = await call('POST', '/clusters', { token, body: request });
      if (response.status !== 202) throw new Error(`POST ${type}: ${response.status} ${response.text}`);
      const ready = await waitForStatus(clusterId, token, 'READY', 45_000);
      const { StackResourceSummaries = [] } = await cfn.send(
        new ListStackResourcesCommand({ StackName: ready.body.stackId }),
      );
      const resources = Object.fromEntries(
        StackResourceSummaries.map((summary) => [
          summary.LogicalResourceId,
          summary.PhysicalResourceId ?? '',
        ]),
      );
      created.set(type, { type, clusterId, request, cluster: ready.body, resources });
    }),
  );
}, 55_000);

const get = (type: DeploymentType): Created => {
  const found = created.get(type);
  if (!found) throw new Error(`${type} was not created`);
  return found;
};

async function instance(id: string): Promise<Instance> {
  const { Reservations = [] } = await emulator
    .ec2()
    .send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const found = Reservations[0]?.Instances?.[0];
  if (!found) throw new Error(`no instance ${id}`);
  return found;
}

/** Flatten EC2 permissions into the rule strings of test/support/templates.ts. */
function rulesOf(
  group: string,
  direction: 'ingress' | 'egress',
  permissions: IpPermission[],
  names: Map<string, string>,
): Rule[] {
  const rules: Rule[] = [];
  for (const permission of permissions) {
    const protocol = permission.IpProtocol ?? '?';
    const from = permission.FromPort ?? -1;
    const to = permission.ToPort ?? -1;
    for (const range of permission.IpRanges ?? []) {
      rules.push(
        rule(
          group,
          direction,
          protocol,
          from,
          to,
          range.CidrIp === INBOUND ? 'cidr:inbound' : `cidr:${range.CidrIp}`,
        ),
      );
    }
    for (const pair of permission.UserIdGroupPairs ?? []) {
      rules.push(
        rule(group, direction, protocol, from, to, `group:${names.get(pair.GroupId ?? '') ?? pair.GroupId}`),
      );
    }
  }
  return rules;
}

describe.each(DEPLOYMENT_TYPES)('a %s cluster in the emulator', (type) => {
  it('is READY with the contract outputs, camelCased', () => {
    const { cluster, resources } = get(type);
    expect(cluster.deploymentType).toBe(type);
    expect(cluster.outputs).toMatchObject({
      masterId: resources.MasterInstance,
      checkpointBucket: resources.CheckpointBucket,
      agentSecurityGroupId: resources.AgentSecurityGroup,
      masterSecurityGroupId: resources.MasterSecurityGroup,
      logGroup: `/determined/${stackNameOf(cluster.stackId)}`,
    });
    expect(cluster.outputs.masterUrl).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:8080$/);
  });

  it('has the seed security group rules on the real groups', async () => {
    const { resources } = get(type);
    const ids = Object.keys(GROUPS).filter((logicalId) => resources[logicalId]);
    const names = new Map(
      ids.map((logicalId) => [resources[logicalId] as string, GROUPS[logicalId] as string]),
    );
    const { SecurityGroups = [] } = await emulator.ec2().send(
      new DescribeSecurityGroupsCommand({
        GroupIds: ids.map((logicalId) => resources[logicalId] as string),
      }),
    );
    expect(SecurityGroups).toHaveLength(ids.length);
    const actual = SecurityGroups.flatMap((group) => {
      const name = names.get(group.GroupId ?? '') ?? '?';
      return [
        ...rulesOf(name, 'ingress', group.IpPermissions ?? [], names),
        ...rulesOf(name, 'egress', group.IpPermissionsEgress ?? [], names),
      ];
    });
    // moto ignores SecurityGroupEgress declared inside AWS::EC2::SecurityGroup (emulators.md) and
    // keeps AWS's default egress instead: those rules are checked in the template, and the
    // emulator shows the default in their place. Everything else must be exactly the seed's.
    const template = templateRules(renderTemplate(type));
    const inline = new Set(template.filter(({ inline }) => inline).map(({ rule }) => rule));
    const expected = new Set(seedRules(type).filter((seed) => !inline.has(seed)));
    for (const seed of inline) expected.add(defaultEgress(seed.split(' ')[0] as string));
    expect([...new Set(actual)].sort()).toEqual([...expected].sort());
    expect([...inline].every((seed) => seedRules(type).includes(seed))).toBe(true);
  });

  it('gives the roles the policy actions the seed lists, and spot actions only with spot', async () => {
    const { resources, request } = get(type);
    const iam = new IAMClient({
      endpoint: emulatorUrl(),
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const policy = async (role: string, name: string): Promise<Json[]> => {
      const { PolicyDocument = '' } = await iam.send(
        new GetRolePolicyCommand({ RoleName: resources[role], PolicyName: name }),
      );
      return parsePolicy(PolicyDocument).Statement.filter(Boolean);
    };
    const actionsOf = (statements: Json[]) => statements.flatMap((statement) => statement.Action).sort();

    const agent = await policy('AgentRole', 'determined-agent');
    expect(actionsOf(agent)).toEqual(
      [
        'ec2:DescribeInstances',
        'ec2:ModifyInstanceMetadataOptions',
        's3:DeleteObject',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'logs:CreateLogStream',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
      ].sort(),
    );
    const bucket = resources.CheckpointBucket;
    for (const statement of agent.filter((entry) => String(entry.Action).startsWith('s3:'))) {
      expect([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]).toContain(statement.Resource);
    }

    const master = await policy('MasterRole', 'determined-master');
    const actions = actionsOf(master);
    expect(actions).toEqual(
      expect.arrayContaining([
        'ec2:DescribeInstances',
        'ec2:RunInstances',
        'ec2:TerminateInstances',
        'ec2:CreateTags',
        'iam:PassRole',
      ]),
    );
    const spotActions = [
      'ec2:CancelSpotInstanceRequests',
      'ec2:DescribeSpotInstanceRequests',
      'ec2:RequestSpotInstances',
    ];
    if (request.spot) expect(actions).toEqual(expect.arrayContaining(spotActions));
    else expect(actions.filter((action: string) => spotActions.includes(action))).toEqual([]);
    const passRole = master.find((statement) => statement.Action.includes('iam:PassRole'));
    expect(passRole.Resource).toMatch(/^arn:aws:iam::\d+:role\/det-clusters\//);
    expect(passRole.Resource).toContain(resources.AgentRole);
    expect(actions.filter((action: string) => action.includes('*'))).toEqual([]);
  });

  it('puts the master where the type says', async () => {
    const { resources, cluster } = get(type);
    const ec2 = emulator.ec2();
    const master = await instance(resources.MasterInstance as string);
    expect(master.InstanceType).toBe(common.masterInstanceType);
    expect(master.KeyName).toBe(DEMO_KEY_PAIR);
    const { Addresses = [] } = await ec2.send(
      new DescribeAddressesCommand({
        Filters: [{ Name: 'instance-id', Values: [resources.MasterInstance as string] }],
      }),
    );
    if (type === 'secure') {
      expect(Addresses).toEqual([]);
      expect(master.PublicIpAddress).toBeUndefined();
      expect(master.SubnetId).toBe(resources.PrivateSubnet1);
      expect(cluster.outputs.masterUrl).toBe(`http://${master.PrivateIpAddress}:8080`);
      return;
    }
    // An Elastic IP, and the master URL on it.
    expect(Addresses.map((address) => address.PublicIp)).toEqual([cluster.outputs.masterAddress]);
    expect(cluster.outputs.masterUrl).toBe(`http://${cluster.outputs.masterAddress}:8080`);
    if (type === 'simple') {
      const { Vpcs = [] } = await ec2.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
      );
      expect(master.VpcId).toBe(Vpcs[0]?.VpcId);
      expect(Object.keys(resources).filter((id) => /Vpc|Subnet|RouteTable|NatGateway/.test(id))).toEqual([]);
    } else {
      expect(master.VpcId).toBe(resources.Vpc);
      expect(master.SubnetId).toBe(resources.Subnet1);
    }
  });

  it('boots a master whose master.yaml, from the user data moto resolved, holds the request values', async () => {
    const { resources, request, cluster } = get(type);
    const { UserData } = await emulator
      .ec2()
      .send(
        new DescribeInstanceAttributeCommand({ InstanceId: resources.MasterInstance, Attribute: 'userData' }),
      );
    const userData = Buffer.from(UserData?.Value ?? '', 'base64').toString('utf8');
    expect(userData).toContain('#!/bin/bash');
    expect(userData).not.toContain('${'); // every CloudFormation substitution was made

    // Run the boot as the instance would (scripts/check-aws/boot-sandbox.ts), with the cluster's
    // secret as Secrets Manager holds it in the emulator.
    const { SecretString = '{}' } = await emulator
      .secrets()
      .send(new GetSecretValueCommand({ SecretId: secretIdFrom(userData) }));
    const secret = JSON.parse(SecretString);
    const boot = runBoot(userDataScript(userData), { secret, version: request.determinedVersion });
    expect(boot.status).toBe(0);
    expect(boot.resourceSignal).toBe('SUCCESS');
    expect(boot.calls).toContainEqual(
      expect.stringContaining(`docker pull determinedai/determined-master:${request.determinedVersion}`),
    );
    const config = parse(boot.masterYaml ?? '');
    expect(determinedConfigProblems(config)).toEqual([]);

    expect(config.checkpoint_storage).toMatchObject({ type: 's3', bucket: cluster.outputs.checkpointBucket });
    expect(config.db).toMatchObject({
      user: 'postgres',
      password: secret.dbPassword,
      host: cluster.outputs.databaseAddress,
      port: 5432,
      name: 'determined',
    });
    expect(config.security.initial_user_password).toBe(secret.adminPassword);
    const pools = Object.fromEntries(config.resource_pools.map((pool: Json) => [pool.pool_name, pool]));
    expect(pools['cpu-pool'].max_aux_containers_per_agent).toBe(request.maxCpuContainersPerAgent);
    const tag = agentTag(stackNameOf(cluster.stackId));
    for (const [name, instanceType] of [
      ['cpu-pool', request.cpuAgentInstanceType],
      ['gpu-pool', request.gpuAgentInstanceType],
    ]) {
      const provider = pools[name].provider;
      expect(provider).toMatchObject({
        type: 'aws',
        region: REGION,
        instance_type: instanceType,
        instance_slots: AGENT_SLOTS[instanceType],
        max_instances: request.maxDynamicAgents,
        max_idle_agent_period: request.maxIdleAgentPeriod,
        spot: request.spot === true,
        image_id: agentAmi('0.38.0', REGION),
        iam_instance_profile_arn: cluster.outputs.agentInstanceProfileArn,
        agent_docker_image: `determinedai/determined-agent:${request.determinedVersion}`,
        master_url: 'http://local-ipv4:8080',
        ssh_key_name: DEMO_KEY_PAIR,
        tag_key: tag.key,
        tag_value: tag.value,
        // The user's tags, then the cost-allocation tags the stack carries too (ADR 0027).
        custom_tags: [
          { key: 'project', value: 'templates' },
          { key: 'team', value: 'templates' },
          { key: 'cluster-id', value: request.clusterId },
        ],
      });
      expect(provider.network_interface.security_group_id).toBe(resources.AgentSecurityGroup);
      if (request.spotMaxPrice) expect(provider.spot_max_price).toBe(request.spotMaxPrice);
      else expect(provider).not.toHaveProperty('spot_max_price');
    }
    const bindMounts = config.task_container_defaults?.bind_mounts;
    if (type === 'efs' || type === 'fsx') {
      expect(bindMounts).toEqual([
        { host_path: `/mnt/${type}`, container_path: '/run/determined/workdir/shared_fs' },
      ]);
    } else {
      expect(bindMounts).toBeUndefined();
    }
  });
});

/**
 * A policy document as GetRolePolicy returns it: URL-encoded JSON on AWS; moto returns the Python
 * repr of the document a stack gave it, with None where AWS::NoValue removed a statement.
 */
function parsePolicy(document: string): Json {
  const text = document.startsWith('%') ? decodeURIComponent(document) : document;
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(
      text
        .replace(/\bNone\b/g, 'null')
        .replace(/\bTrue\b/g, 'true')
        .replace(/\bFalse\b/g, 'false')
        .replace(/'/g, '"'),
    );
  }
}

/** The secret the boot script reads (its secret_id). */
function secretIdFrom(userData: string): string {
  const match = /^secret_id='([^']+)'$/m.exec(userData);
  if (!match?.[1]) throw new Error('the user data reads no secret');
  return match[1];
}

describe('networks of the VPC types', () => {
  it.each(['vpc', 'efs', 'fsx'] as const)(
    '%s: a new VPC with two public subnets routed to an internet gateway',
    async (type) => {
      const { resources } = get(type);
      const ec2 = emulator.ec2();
      const { Subnets = [] } = await ec2.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [resources.Vpc as string] }] }),
      );
      const cidrs = Object.fromEntries(Subnets.map((subnet) => [subnet.SubnetId, subnet.CidrBlock]));
      expect(cidrs).toEqual({
        [resources.Subnet1 as string]: '10.192.10.0/24',
        [resources.Subnet2 as string]: '10.192.11.0/24',
      });
      expect(new Set(Subnets.map((subnet) => subnet.AvailabilityZone)).size).toBe(2);
      // moto's CloudFormation ignores MapPublicIpOnLaunch (both read false): "public" is checked here
      // as the route to the internet gateway, and the flag in test/unit/templates/resources.test.ts.
      const { RouteTables = [] } = await ec2.send(
        new DescribeRouteTablesCommand({ RouteTableIds: [resources.PublicRouteTable as string] }),
      );
      const routes = RouteTables[0]?.Routes ?? [];
      expect(routes.find((route) => route.DestinationCidrBlock === '0.0.0.0/0')?.GatewayId).toBe(
        resources.InternetGateway,
      );
      // moto keeps CloudFormation's subnet associations apart from the route table (DescribeRouteTables
      // lists none): that they exist is all it shows; which table each names is checked in the template.
      expect(resources.Subnet1RouteTableAssociation).toBeTruthy();
      expect(resources.Subnet2RouteTableAssociation).toBeTruthy();
    },
  );

  it('secure: public and private subnets, NAT gateway, S3 gateway endpoint and a bastion', async () => {
    const { resources, cluster } = get('secure');
    const ec2 = emulator.ec2();
    const vpc = [{ Name: 'vpc-id', Values: [resources.Vpc as string] }];
    const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: vpc }));
    const cidrs = Object.fromEntries(Subnets.map((subnet) => [subnet.SubnetId, subnet.CidrBlock]));
    expect(cidrs).toEqual({
      [resources.PublicSubnet as string]: '10.192.10.0/24',
      [resources.PrivateSubnet1 as string]: '10.192.20.0/24',
      [resources.PrivateSubnet2 as string]: '10.192.21.0/24',
    });
    // Public or private by their route tables (moto ignores MapPublicIpOnLaunch; the flag is checked
    // in the template): the public table goes out through the internet gateway, the private one
    // through the NAT gateway.
    const { RouteTables: publicTables = [] } = await ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: [resources.PublicRouteTable as string] }),
    );
    expect(
      publicTables[0]?.Routes?.find((route) => route.DestinationCidrBlock === '0.0.0.0/0')?.GatewayId,
    ).toBe(resources.InternetGateway);

    const { NatGateways = [] } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: vpc }));
    expect(NatGateways.map((nat) => nat.SubnetId)).toEqual([resources.PublicSubnet]);
    const { RouteTables = [] } = await ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: [resources.PrivateRouteTable as string] }),
    );
    expect(
      RouteTables[0]?.Routes?.find((route) => route.DestinationCidrBlock === '0.0.0.0/0')?.NatGatewayId,
    ).toBe(NatGateways[0]?.NatGatewayId);
    // Subnet associations: see the vpc test above (moto does not list them on the table).
    for (const name of ['PublicSubnet', 'PrivateSubnet1', 'PrivateSubnet2'])
      expect(resources[`${name}RouteTableAssociation`]).toBeTruthy();

    const { VpcEndpoints = [] } = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: vpc }));
    expect(VpcEndpoints.map((endpoint) => [endpoint.ServiceName, endpoint.VpcEndpointType])).toEqual([
      [`com.amazonaws.${REGION}.s3`, 'Gateway'],
    ]);
    expect(VpcEndpoints[0]?.RouteTableIds).toContain(resources.PrivateRouteTable);

    const bastion = await instance(resources.BastionInstance as string);
    expect(bastion.SubnetId).toBe(resources.PublicSubnet);
    // The bastion's Elastic IP (GetAtt PublicIp was empty in moto, which ignores MapPublicIpOnLaunch).
    expect(cluster.outputs.bastionAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const { Addresses = [] } = await ec2.send(
      new DescribeAddressesCommand({
        Filters: [{ Name: 'instance-id', Values: [bastion.InstanceId as string] }],
      }),
    );
    expect(Addresses.map((address) => address.PublicIp)).toEqual([cluster.outputs.bastionAddress]);
  });
});

/** A signed JSON call for the two services without an SDK client here (EFS is REST-JSON, FSx JSON 1.1). */
async function awsJson(
  service: string,
  path: string,
  init: { target?: string; body?: Json } = {},
): Promise<Json> {
  const url = new URL(path, emulatorUrl());
  const signer = new SignatureV4({
    service,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    sha256: Sha256,
  });
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const signed = await signer.sign({
    method: body ? 'POST' : 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: {
      host: url.host,
      ...(init.target ? { 'x-amz-target': init.target, 'content-type': 'application/x-amz-json-1.1' } : {}),
    },
    ...(body ? { body } : {}),
  });
  const response = await fetch(url, {
    method: signed.method,
    headers: signed.headers,
    ...(body ? { body } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${service} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

describe('shared file systems', () => {
  it('efs: an encrypted EFS with a mount target in the agents’ subnet', async () => {
    const { resources, cluster } = get('efs');
    const id = resources.EfsFileSystem as string;
    expect(cluster.outputs.efsId).toBe(id);
    const { FileSystems } = await awsJson('elasticfilesystem', `/2015-02-01/file-systems?FileSystemId=${id}`);
    expect(FileSystems.map((fs: Json) => [fs.FileSystemId, fs.Encrypted])).toEqual([[id, true]]);
    const { MountTargets } = await awsJson(
      'elasticfilesystem',
      `/2015-02-01/mount-targets?FileSystemId=${id}`,
    );
    expect(MountTargets.map((target: Json) => target.SubnetId)).toEqual([resources.Subnet1]);
  });

  it('fsx: an FSx for Lustre file system in the agents’ subnet', async () => {
    const { resources, cluster } = get('fsx');
    const id = resources.FsxFileSystem as string;
    expect(cluster.outputs.fsxId).toBe(id);
    const { FileSystems } = await awsJson('fsx', '/', {
      target: 'AWSSimbaAPIService_v20180301.DescribeFileSystems',
      body: { FileSystemIds: [id] },
    });
    expect(FileSystems.map((fs: Json) => [fs.FileSystemType, fs.SubnetIds])).toEqual([
      ['LUSTRE', [resources.Subnet1]],
    ]);
    // The mount name the agents mount (moto's patched FSx model makes one up).
    expect(cluster.outputs.fsxMountName).toBe(FileSystems[0].LustreConfiguration.MountName);
  });
});

describe('POST /clusters?dryRun=true', () => {
  it.each(DEPLOYMENT_TYPES)('renders %s with the secret masked and writes nothing', async (type) => {
    const clusterId = uniqueId(`dry-${type}`);
    const dbPassword = 'Never-Shown-1234';
    const response = await call('POST', '/clusters?dryRun=true', {
      token,
      body: { clusterId, deploymentType: type, ...common, dbPassword },
    });
    expect(response.status).toBe(200);
    expect(response.body.template).toEqual(JSON.parse(JSON.stringify(renderTemplate(type))));
    expect(response.body.parameters).toMatchObject({
      ClusterSecretName: '****',
      InboundCidr: INBOUND,
      MaxDynamicAgents: '7',
      DeterminedVersion: '0.38.0',
      CpuAgentInstanceType: 'm5.2xlarge',
    });
    expect(Object.keys(response.body.parameters).sort()).toEqual(
      Object.keys(renderTemplate(type).Parameters ?? {}).sort(),
    );
    expect(response.text).not.toContain(dbPassword);

    expect((await call('GET', `/clusters/${clusterId}`, { token })).status).toBe(404);
    await expect(
      emulator.cloudFormation().send(
        new DescribeStacksCommand({
          StackName: stackName('', clusterId),
        }),
      ),
    ).rejects.toThrow(/does not exist/);
  });
});
