/**
 * The cost model prices what the templates create: if a template changes a database class, a volume
 * size or the file system's capacity, this fails until core/cost/estimate.ts follows.
 */
import { DEPLOYMENT_TYPES, type DeploymentType } from '../../../core/cluster/request.ts';
import { STACK_SHAPE } from '../../../core/cost/estimate.ts';
import { renderTemplate } from '../../../templates/src/index.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const template = (type: DeploymentType): Json => JSON.parse(JSON.stringify(renderTemplate(type)));
const ofType = (t: Json, type: string): Json[] =>
  Object.values<Json>(t.Resources).filter((resource) => resource.Type === type);

describe.each(DEPLOYMENT_TYPES)('%s stack, as priced', (type) => {
  const t = template(type);

  it('has the database class and storage the estimate prices', () => {
    const [database] = ofType(t, 'AWS::RDS::DBInstance');
    expect(database.Properties.DBInstanceClass).toBe(STACK_SHAPE.databaseClass);
    expect(Number(database.Properties.AllocatedStorage)).toBe(STACK_SHAPE.databaseStorageGiB);
    expect(database.Properties.StorageType).toBe('gp3');
    expect(database.Properties.MultiAZ).toBe(false);
  });

  it('has the master volume and the bastion the estimate prices', () => {
    const volumes = (instance: Json) =>
      instance.Properties.BlockDeviceMappings.map((mapping: Json) => [
        mapping.Ebs.VolumeSize,
        mapping.Ebs.VolumeType,
      ]);
    const instances = ofType(t, 'AWS::EC2::Instance');
    const master = instances.find(
      (instance) => instance.Properties.InstanceType?.Ref === 'MasterInstanceType',
    );
    expect(volumes(master)).toEqual([[STACK_SHAPE.masterVolumeGiB, 'gp3']]);
    const bastions = instances.filter((instance) => instance !== master);
    expect(bastions.map((bastion) => bastion.Properties.InstanceType)).toEqual(
      type === 'secure' ? [STACK_SHAPE.bastion.instanceType] : [],
    );
    for (const bastion of bastions)
      expect(volumes(bastion)).toEqual([[STACK_SHAPE.bastion.volumeGiB, 'gp3']]);
  });

  it('gives the agents the root volume and the public addresses the estimate prices', () => {
    // master.yaml travels in the master's user data as base64 JSON (V_Skeleton, with dynamic agents first).
    const skeleton = (node: Json): string | undefined => {
      if (!node || typeof node !== 'object') return undefined;
      if (node.V_Skeleton) return node.V_Skeleton['Fn::If'][1];
      for (const inner of Object.values(node)) {
        const found = skeleton(inner);
        if (found) return found;
      }
      return undefined;
    };
    const config = JSON.parse(Buffer.from(skeleton(t) ?? '', 'base64').toString('utf8'));
    const providers = config.resource_pools.map((pool: Json) => pool.provider);
    expect(providers).toHaveLength(2);
    for (const provider of providers) {
      expect(provider.root_volume_size).toBe(STACK_SHAPE.agentVolumeGiB);
      expect(provider.network_interface.public_ip).toBe(type !== 'secure');
    }
  });

  it('has the addresses, NAT gateway and file system the estimate prices', () => {
    expect(ofType(t, 'AWS::EC2::EIP')).toHaveLength(type === 'secure' ? 2 : 1);
    expect(ofType(t, 'AWS::EC2::NatGateway')).toHaveLength(type === 'secure' ? 1 : 0);
    expect(ofType(t, 'AWS::EFS::FileSystem')).toHaveLength(type === 'efs' ? 1 : 0);
    const fsx = ofType(t, 'AWS::FSx::FileSystem');
    const lustre = (fs: Json) => [
      fs.Properties.StorageCapacity,
      fs.Properties.StorageType,
      fs.Properties.LustreConfiguration.DeploymentType,
      fs.Properties.LustreConfiguration.PerUnitStorageThroughput,
    ];
    // Priced as prices.json's lustrePersistent2Ssd125.
    expect(fsx.map(lustre)).toEqual(
      type === 'fsx' ? [[STACK_SHAPE.fsxStorageGiB, 'SSD', 'PERSISTENT_2', 125]] : [],
    );
    const endpoints = ofType(t, 'AWS::EC2::VPCEndpoint');
    for (const endpoint of endpoints) expect(endpoint.Properties.VpcEndpointType).toBe('Gateway'); // free
  });
});
