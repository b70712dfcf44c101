/**
 * Where a cluster lives. simple: the account's default VPC (no network resources). vpc, efs, fsx: a
 * new VPC with two public subnets. secure: public and private subnets, NAT gateway, S3 gateway
 * endpoint; master and agents private.
 */
import {
  getAZs,
  getAtt,
  mergeFragments as merge,
  ref,
  select,
  stackName,
  sub,
  tags,
  type Fragment,
  type Value,
} from './cfn.ts';

export interface Placement {
  fragment: Fragment;
  /** Security groups and the DB subnet group go here; undefined means the default VPC. */
  vpcId?: Value;
  masterSubnetId?: Value;
  agentSubnetId?: Value;
  /** Subnets for the shared file system and the database subnet group (two AZs). */
  privateSubnetIds?: [Value, Value];
  /** Whether the master gets an Elastic IP and agents public addresses. */
  publicCluster: boolean;
  /** Subnet of the bastion host (secure only). */
  bastionSubnetId?: Value;
  /**
   * Resources an instance must wait for in a VPC of the stack: an Elastic IP needs the internet
   * gateway attached, and the master's user data needs its outbound route (apt, Docker Hub) at boot.
   */
  gatewayAttachment?: string;
  outboundRoute?: string;
}

const VPC_CIDR = '10.192.0.0/16';

export function defaultVpc(): Placement {
  return { fragment: {}, publicCluster: true };
}

function vpcCore(): Fragment {
  return {
    Resources: {
      Vpc: {
        Type: 'AWS::EC2::VPC',
        Properties: {
          CidrBlock: VPC_CIDR,
          EnableDnsSupport: true,
          EnableDnsHostnames: true,
          Tags: tags({ Name: sub('${AWS::StackName}-vpc') }),
        },
      },
      InternetGateway: { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: tags({ Name: stackName }) } },
      InternetGatewayAttachment: {
        Type: 'AWS::EC2::VPCGatewayAttachment',
        Properties: { VpcId: ref('Vpc'), InternetGatewayId: ref('InternetGateway') },
      },
      PublicRouteTable: {
        Type: 'AWS::EC2::RouteTable',
        Properties: { VpcId: ref('Vpc'), Tags: tags({ Name: sub('${AWS::StackName}-public') }) },
      },
      DefaultPublicRoute: {
        Type: 'AWS::EC2::Route',
        DependsOn: 'InternetGatewayAttachment',
        Properties: {
          RouteTableId: ref('PublicRouteTable'),
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: ref('InternetGateway'),
        },
      },
    },
    Outputs: { VpcId: { Description: 'The cluster VPC', Value: ref('Vpc') } },
  };
}

function subnet(name: string, cidr: string, az: number, routeTable: string, isPublic: boolean): Fragment {
  return {
    Resources: {
      [name]: {
        Type: 'AWS::EC2::Subnet',
        Properties: {
          VpcId: ref('Vpc'),
          CidrBlock: cidr,
          AvailabilityZone: select(az, getAZs()),
          MapPublicIpOnLaunch: isPublic,
          Tags: tags({ Name: sub(`\${AWS::StackName}-${name}`) }),
        },
      },
      [`${name}RouteTableAssociation`]: {
        Type: 'AWS::EC2::SubnetRouteTableAssociation',
        Properties: { RouteTableId: ref(routeTable), SubnetId: ref(name) },
      },
    },
  };
}

/** vpc, efs, fsx: two public subnets in two AZs; master and agents in the first. */
export function publicVpc(): Placement {
  return {
    fragment: merge(
      vpcCore(),
      subnet('Subnet1', '10.192.10.0/24', 0, 'PublicRouteTable', true),
      subnet('Subnet2', '10.192.11.0/24', 1, 'PublicRouteTable', true),
      {
        Outputs: { SubnetIds: { Description: 'The cluster subnets', Value: sub('${Subnet1},${Subnet2}') } },
      },
    ),
    vpcId: ref('Vpc'),
    masterSubnetId: ref('Subnet1'),
    agentSubnetId: ref('Subnet1'),
    privateSubnetIds: [ref('Subnet1'), ref('Subnet2')],
    publicCluster: true,
    gatewayAttachment: 'InternetGatewayAttachment',
    outboundRoute: 'DefaultPublicRoute',
  };
}

/** secure: the master and agents have no public address; they reach out through a NAT gateway. */
export function secureVpc(): Placement {
  const nat: Fragment = {
    Resources: {
      NatGatewayAddress: {
        Type: 'AWS::EC2::EIP',
        DependsOn: 'InternetGatewayAttachment',
        Properties: { Domain: 'vpc' },
      },
      NatGateway: {
        Type: 'AWS::EC2::NatGateway',
        Properties: {
          AllocationId: getAtt('NatGatewayAddress', 'AllocationId'),
          SubnetId: ref('PublicSubnet'),
          Tags: tags({ Name: stackName }),
        },
      },
      PrivateRouteTable: {
        Type: 'AWS::EC2::RouteTable',
        Properties: { VpcId: ref('Vpc'), Tags: tags({ Name: sub('${AWS::StackName}-private') }) },
      },
      DefaultPrivateRoute: {
        Type: 'AWS::EC2::Route',
        Properties: {
          RouteTableId: ref('PrivateRouteTable'),
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: ref('NatGateway'),
        },
      },
      S3Endpoint: {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: {
          VpcEndpointType: 'Gateway',
          VpcId: ref('Vpc'),
          ServiceName: sub('com.amazonaws.${AWS::Region}.s3'),
          RouteTableIds: [ref('PrivateRouteTable'), ref('PublicRouteTable')],
        },
      },
    },
    Outputs: {
      PublicSubnetId: { Description: 'Public subnet (bastion, NAT gateway)', Value: ref('PublicSubnet') },
      PrivateSubnetIds: {
        Description: 'Private subnets (master, agents, database)',
        Value: sub('${PrivateSubnet1},${PrivateSubnet2}'),
      },
    },
  };
  return {
    fragment: merge(
      vpcCore(),
      subnet('PublicSubnet', '10.192.10.0/24', 0, 'PublicRouteTable', true),
      subnet('PrivateSubnet1', '10.192.20.0/24', 0, 'PrivateRouteTable', false),
      subnet('PrivateSubnet2', '10.192.21.0/24', 1, 'PrivateRouteTable', false),
      nat,
    ),
    vpcId: ref('Vpc'),
    masterSubnetId: ref('PrivateSubnet1'),
    agentSubnetId: ref('PrivateSubnet1'),
    privateSubnetIds: [ref('PrivateSubnet1'), ref('PrivateSubnet2')],
    publicCluster: false,
    bastionSubnetId: ref('PublicSubnet'),
    gatewayAttachment: 'InternetGatewayAttachment',
    outboundRoute: 'DefaultPrivateRoute',
  };
}
