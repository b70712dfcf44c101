/**
 * What each template declares, requirement by requirement (docs/seed-requirements.md): the seed's
 * security group rules and IAM roles, the network of each deployment type, and the protections
 * beyond the seed (encryption, IMDSv2, retained data, the password kept out of the template).
 */
import { AGENT_TAG_KEY } from '../../../core/cluster/naming.ts';
import { DEPLOYMENT_TYPES, type DeploymentType } from '../../../core/cluster/request.ts';
import { renderTemplate } from '../../../templates/src/index.ts';
import { seedRules, templateRules } from '../../support/templates.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const template = (type: DeploymentType): Json => JSON.parse(JSON.stringify(renderTemplate(type)));
const ofType = (t: Json, type: string): string[] =>
  Object.entries<Json>(t.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id)
    .sort();

/** Every statement of an inline policy, with Fn::If [SpotEnabled, statement, NoValue] unwrapped. */
function statements(t: Json, role: string): { statement: Json; onlyWithSpot: boolean }[] {
  const [policy] = t.Resources[role].Properties.Policies;
  return policy.PolicyDocument.Statement.map((entry: Json) =>
    entry['Fn::If']
      ? (expect(entry['Fn::If'][0]).toBe('SpotEnabled'),
        expect(entry['Fn::If'][2]).toEqual({ Ref: 'AWS::NoValue' }),
        { statement: entry['Fn::If'][1], onlyWithSpot: true })
      : { statement: entry, onlyWithSpot: false },
  );
}
const actions = (entries: { statement: Json }[]): string[] =>
  entries.flatMap(({ statement }) => statement.Action).sort();

describe.each(DEPLOYMENT_TYPES)('%s template', (type) => {
  const t = template(type);
  const resources = t.Resources;

  it('declares exactly the seed security group rules (plus the database, bastion and file system groups)', () => {
    expect(templateRules(t).map(({ rule }) => rule)).toEqual(seedRules(type));
  });

  it('gives the agents this cluster’s bucket and DescribeInstances, never s3:*', () => {
    const agent = statements(t, 'AgentRole');
    expect(actions(agent)).toEqual(
      [
        's3:ListBucket',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        'ec2:DescribeInstances',
        'ec2:ModifyInstanceMetadataOptions',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
      ].sort(),
    );
    const bucketName = {
      'Fn::If': ['CreateCheckpointBucket', { Ref: 'CheckpointBucket' }, { Ref: 'ExistingCheckpointBucket' }],
    };
    for (const { statement } of agent.filter(({ statement }) => statement.Action[0].startsWith('s3:'))) {
      expect(statement.Resource['Fn::Sub'][1]).toEqual({ Bucket: bucketName });
      expect(statement.Resource['Fn::Sub'][0]).toMatch(/^arn:\$\{AWS::Partition\}:s3:::\$\{Bucket\}(\/\*)?$/);
    }
    const imds = agent.find(({ statement }) =>
      statement.Action.includes('ec2:ModifyInstanceMetadataOptions'),
    );
    expect(imds?.statement.Condition.StringEquals).toEqual({
      [`ec2:ResourceTag/${AGENT_TAG_KEY}`]: { 'Fn::Sub': 'det-agent-${AWS::StackName}' },
    });
  });

  it('gives the master the seed’s EC2 actions, spot ones only with spot, and PassRole on the agent role only', () => {
    const master = statements(t, 'MasterRole');
    const always = master.filter(({ onlyWithSpot }) => !onlyWithSpot);
    const spot = master.filter(({ onlyWithSpot }) => onlyWithSpot);
    expect(actions(always)).toEqual(
      expect.arrayContaining([
        'ec2:DescribeInstances',
        'ec2:RunInstances',
        'ec2:TerminateInstances',
        'ec2:CreateTags',
        'iam:PassRole',
      ]),
    );
    expect(actions(always).filter((action) => action.includes('Spot'))).toEqual([]);
    expect(actions(spot)).toEqual(
      [
        'ec2:CancelSpotInstanceRequests',
        'ec2:CreateTags',
        'ec2:DescribeSpotInstanceRequests',
        'ec2:RequestSpotInstances',
        // The first spot request of an account creates EC2's spot service-linked role (issue 10, item 8).
        'iam:CreateServiceLinkedRole',
      ].sort(),
    );
    const passRole = always.filter(({ statement }) => statement.Action.includes('iam:PassRole'));
    expect(passRole.map(({ statement }) => statement.Resource)).toEqual([
      { 'Fn::GetAtt': ['AgentRole', 'Arn'] },
    ]);
    // Terminating is limited to this cluster's agents.
    const terminate = always.find(({ statement }) => statement.Action.includes('ec2:TerminateInstances'));
    expect(terminate?.statement.Condition.StringEquals[`ec2:ResourceTag/${AGENT_TAG_KEY}`]).toEqual({
      'Fn::Sub': 'det-agent-${AWS::StackName}',
    });
    // The secret: read only, and only this cluster's.
    const secret = always.find(({ statement }) => statement.Action.includes('secretsmanager:GetSecretValue'));
    expect(secret?.statement.Action).toEqual(['secretsmanager:GetSecretValue']);
    expect(secret?.statement.Resource['Fn::Sub']).toContain(':secret:${ClusterSecretName}-??????');
  });

  it('grants no wildcard action and no s3:* anywhere', () => {
    for (const role of ['AgentRole', 'MasterRole']) {
      for (const action of actions(statements(t, role))) expect(action).not.toMatch(/\*/);
    }
  });

  it('runs PostgreSQL on RDS, private, encrypted, snapshotted on delete, password from Secrets Manager', () => {
    const database = resources.Database;
    expect(database.Type).toBe('AWS::RDS::DBInstance');
    expect(database.DeletionPolicy).toBe('Snapshot');
    expect(database.UpdateReplacePolicy).toBe('Snapshot');
    expect(database.Properties).toMatchObject({
      Engine: 'postgres',
      StorageEncrypted: true,
      PubliclyAccessible: false,
    });
    expect(database.Properties.VPCSecurityGroups).toEqual([
      { 'Fn::GetAtt': ['DatabaseSecurityGroup', 'GroupId'] },
    ]);
    expect(database.Properties.MasterUserPassword).toEqual({
      'Fn::If': [
        'RestoreDatabase',
        { Ref: 'AWS::NoValue' },
        { 'Fn::Sub': '{{resolve:secretsmanager:${ClusterSecretName}:SecretString:dbPassword}}' },
      ],
    });
    // Restore: from the predecessor's final snapshot, which carries its own name and credentials.
    expect(database.Properties.DBSnapshotIdentifier).toEqual({
      'Fn::If': ['RestoreDatabase', { Ref: 'DbSnapshotIdentifier' }, { Ref: 'AWS::NoValue' }],
    });
    expect(t.Conditions.RestoreDatabase).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DbSnapshotIdentifier' }, ''] }],
    });
    if (type === 'simple') expect(database.Properties.DBSubnetGroupName).toBeUndefined();
    else expect(resources.DatabaseSubnetGroup.Properties.SubnetIds).toHaveLength(2);
  });

  it('keeps the checkpoint bucket: encrypted, public access blocked, TLS only, retained', () => {
    const bucket = resources.CheckpointBucket;
    expect(bucket.Condition).toBe('CreateCheckpointBucket');
    expect(t.Conditions.CreateCheckpointBucket).toEqual({
      'Fn::Equals': [{ Ref: 'ExistingCheckpointBucket' }, ''],
    });
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    // det-checkpoints-<stack UUID>: lowercase, 52 characters, and the prefix the stack role's S3 rights name.
    expect(bucket.Properties.BucketName).toEqual({
      'Fn::Sub': [
        'det-checkpoints-${StackUuid}',
        { StackUuid: { 'Fn::Select': ['2', { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] } },
      ],
    });
    expect(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [deny] = resources.CheckpointBucketPolicy.Properties.PolicyDocument.Statement;
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    // The policy stays with a retained bucket; a restored cluster finds it there and adds none.
    expect(resources.CheckpointBucketPolicy).toMatchObject({
      Condition: 'CreateCheckpointBucket',
      DeletionPolicy: 'Retain',
      Properties: { Bucket: { Ref: 'CheckpointBucket' } },
    });
  });

  it('requires IMDSv2 and encrypts the root volume of every instance it creates', () => {
    const template = resources.ImdsV2LaunchTemplate.Properties.LaunchTemplateData;
    expect(template.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpEndpoint: 'enabled' });
    for (const id of ofType(t, 'AWS::EC2::Instance')) {
      const properties = resources[id].Properties;
      expect(properties.LaunchTemplate.LaunchTemplateId).toEqual({ Ref: 'ImdsV2LaunchTemplate' });
      expect(properties.BlockDeviceMappings.map((mapping: Json) => mapping.Ebs.Encrypted)).toEqual([true]);
    }
    expect(resources.MasterInstance.Properties.BlockDeviceMappings[0].Ebs.VolumeSize).toBeGreaterThanOrEqual(
      200,
    );
  });

  it('gives the master an Elastic IP except in secure, and a log group for master and agents', () => {
    const addresses = ofType(t, 'AWS::EC2::EIP');
    if (type === 'secure') {
      expect(addresses).toEqual(['BastionAddress', 'NatGatewayAddress']);
      expect(t.Outputs.MasterUrl.Value).toEqual({ 'Fn::Sub': 'http://${MasterInstance.PrivateIp}:8080' });
    } else {
      expect(addresses).toEqual(['MasterAddress']);
      expect(resources.MasterAddress.Properties.InstanceId).toEqual({ Ref: 'MasterInstance' });
      expect(t.Outputs.MasterUrl.Value).toEqual({ 'Fn::Sub': 'http://${MasterAddress}:8080' });
    }
    expect(resources.LogGroup.Properties.LogGroupName).toEqual({
      'Fn::Sub': '/determined/${AWS::StackName}',
    });
  });

  it('has the outputs the contract lists (camelCased by the API)', () => {
    expect(Object.keys(t.Outputs)).toEqual(
      expect.arrayContaining([
        'MasterUrl',
        'MasterId',
        'CheckpointBucket',
        'AgentSecurityGroupId',
        'MasterSecurityGroupId',
        'LogGroup',
        'DatabaseInstanceId',
      ]),
    );
  });

  it('names no resource after the cluster id where AWS limits the name (CloudFormation generates those)', () => {
    const named = [
      'BucketName',
      'RoleName',
      'InstanceProfileName',
      'GroupName',
      'LaunchTemplateName',
      'DBSubnetGroupName',
    ];
    for (const [id, resource] of Object.entries<Json>(resources)) {
      if (resource.Type === 'AWS::RDS::DBInstance') continue; // DBSubnetGroupName there is a reference
      if (id === 'CheckpointBucket') continue; // named from the stack's UUID, checked above
      for (const property of named)
        expect([id, property, resource.Properties?.[property]]).toEqual([id, property, undefined]);
    }
    // The one fixed name, the database's, comes from the stack's UUID (test/unit/templates/naming.test.ts).
    expect(JSON.stringify(resources.Database.Properties.DBInstanceIdentifier)).toContain('AWS::StackId');
  });
});

describe('network per deployment type', () => {
  it('simple uses the default VPC: no network resources, no subnet on the master', () => {
    const t = template('simple');
    expect(
      Object.values<Json>(t.Resources).filter((resource) =>
        /::(VPC|Subnet|NatGateway|RouteTable)$/.test(resource.Type),
      ),
    ).toEqual([]);
    expect(t.Resources.MasterInstance.Properties.SubnetId).toBeUndefined();
    expect(t.Resources.MasterSecurityGroup.Properties.VpcId).toBeUndefined();
  });

  it.each(['vpc', 'efs', 'fsx'] as const)(
    '%s creates a VPC with two public subnets and puts the master in one',
    (type) => {
      const t = template(type);
      expect(ofType(t, 'AWS::EC2::VPC')).toEqual(['Vpc']);
      expect(ofType(t, 'AWS::EC2::Subnet')).toEqual(['Subnet1', 'Subnet2']);
      for (const subnet of ['Subnet1', 'Subnet2']) {
        expect(t.Resources[subnet].Properties.MapPublicIpOnLaunch).toBe(true);
        expect(t.Resources[`${subnet}RouteTableAssociation`].Properties.RouteTableId).toEqual({
          Ref: 'PublicRouteTable',
        });
      }
      expect(t.Resources.DefaultPublicRoute.Properties.GatewayId).toEqual({ Ref: 'InternetGateway' });
      expect(t.Resources.MasterInstance.Properties.SubnetId).toEqual({ Ref: 'Subnet1' });
      // Boot needs the route out; the Elastic IP needs the gateway attached.
      expect(t.Resources.MasterInstance.DependsOn).toBe('DefaultPublicRoute');
      expect(t.Resources.MasterAddress.DependsOn).toBe('InternetGatewayAttachment');
      expect(ofType(t, 'AWS::EC2::NatGateway')).toEqual([]);
    },
  );

  it('efs mounts an encrypted EFS; fsx an FSx for Lustre file system (always encrypted at rest)', () => {
    const efs = template('efs');
    expect(efs.Resources.EfsFileSystem.Properties.Encrypted).toBe(true);
    expect(efs.Resources.EfsMountTarget.Properties.SubnetId).toEqual({ Ref: 'Subnet1' });
    expect(ofType(efs, 'AWS::FSx::FileSystem')).toEqual([]);
    const fsx = template('fsx');
    expect(fsx.Resources.FsxFileSystem.Properties).toMatchObject({
      FileSystemType: 'LUSTRE',
      SubnetIds: [{ Ref: 'Subnet1' }],
    });
    expect(ofType(fsx, 'AWS::EFS::FileSystem')).toEqual([]);
  });

  it('secure: public and two private subnets, NAT gateway, S3 gateway endpoint, bastion, private master', () => {
    const t = template('secure');
    const r = t.Resources;
    expect(ofType(t, 'AWS::EC2::Subnet')).toEqual(['PrivateSubnet1', 'PrivateSubnet2', 'PublicSubnet']);
    expect(r.PublicSubnet.Properties.MapPublicIpOnLaunch).toBe(true);
    expect(
      [r.PrivateSubnet1, r.PrivateSubnet2].map((subnet: Json) => subnet.Properties.MapPublicIpOnLaunch),
    ).toEqual([false, false]);
    expect(r.NatGateway.Properties.SubnetId).toEqual({ Ref: 'PublicSubnet' });
    expect(r.DefaultPrivateRoute.Properties.NatGatewayId).toEqual({ Ref: 'NatGateway' });
    expect(r.PrivateSubnet1RouteTableAssociation.Properties.RouteTableId).toEqual({
      Ref: 'PrivateRouteTable',
    });
    expect(r.S3Endpoint.Properties).toMatchObject({
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' },
    });
    expect(r.S3Endpoint.Properties.RouteTableIds).toContainEqual({ Ref: 'PrivateRouteTable' });
    expect(r.BastionInstance.Properties.SubnetId).toEqual({ Ref: 'PublicSubnet' });
    expect(r.BastionAddress.Properties.InstanceId).toEqual({ Ref: 'BastionInstance' });
    expect(t.Outputs.BastionAddress.Value).toEqual({ Ref: 'BastionAddress' });
    expect(r.MasterInstance.Properties.SubnetId).toEqual({ Ref: 'PrivateSubnet1' });
    expect(r.MasterInstance.DependsOn).toBe('DefaultPrivateRoute');
    expect(r.MasterAddress).toBeUndefined();
  });
});
