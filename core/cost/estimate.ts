/**
 * The cost model (pure): what a cluster's stack costs per hour, split by what runs when, from its
 * parameters and the price list. A status decides which parts are billed (core/cost/meter.ts); the
 * parts here are what each deployment type's template creates (templates/src; the test
 * test/unit/cost/stack-shape.test.ts holds the two together).
 */
import type { ClusterParameters } from '../cluster/model.ts';
import type { DeploymentType } from '../cluster/request.ts';
import {
  figure,
  hourly,
  provenance,
  type PriceFigure,
  type PriceList,
  type PriceService,
} from './price-list.ts';

/** What a cluster stack holds that costs money, as templates/src creates it. */
export const STACK_SHAPE = {
  databaseClass: 'db.t4g.medium',
  databaseStorageGiB: 20,
  masterVolumeGiB: 200,
  /** Determined's provisioner: root_volume_size in master.yaml. */
  agentVolumeGiB: 200,
  bastion: { instanceType: 't3.micro', volumeGiB: 16 },
  fsxStorageGiB: 1200,
} as const;

/**
 * AWS's minimum charges after a billable change (start, create): EC2 Linux bills per second with a
 * 60-second minimum, RDS per second with a 10-minute minimum.
 */
export const MINIMUM_SECONDS = { master: 60, database: 600 } as const;

/** Which parts each deployment type has (templates/src/index.ts). */
const TYPE_PARTS: Record<
  DeploymentType,
  {
    publicAddresses: number;
    publicAgents: boolean;
    bastion: boolean;
    natGateway: boolean;
    fs?: 'efs' | 'fsx';
  }
> = {
  simple: { publicAddresses: 1, publicAgents: true, bastion: false, natGateway: false },
  vpc: { publicAddresses: 1, publicAgents: true, bastion: false, natGateway: false },
  efs: { publicAddresses: 1, publicAgents: true, bastion: false, natGateway: false, fs: 'efs' },
  fsx: { publicAddresses: 1, publicAgents: true, bastion: false, natGateway: false, fs: 'fsx' },
  // The master is private; the bastion's and the NAT gateway's addresses are public.
  secure: { publicAddresses: 2, publicAgents: false, bastion: true, natGateway: true },
};

/** USD per hour of each part of a cluster; which parts are billed depends on its status. */
export interface CostRates {
  /** Billed while the stack exists, running or stopped: volumes, database storage, addresses, NAT, shared file system. */
  standing: number;
  /** The master instance (and the bastion) while running. */
  instances: number;
  /** The database instance while running. */
  database: number;
  /** One dynamic agent of each pool, with its root volume and (outside secure) its public address. */
  cpuAgent: number;
  gpuAgent: number;
  /** The most agents of each pool the master may run (maxDynamicAgents per pool). */
  maxAgentsPerPool: number;
  /** What the figures are and where they come from (contract: the price list and its date). */
  basis: string;
}

export function clusterRates(parameters: ClusterParameters, prices: PriceList): CostRates {
  const { region } = parameters;
  const parts = TYPE_PARTS[parameters.deploymentType];
  const used: (PriceFigure | undefined)[] = [];
  const price = (service: PriceService, item: string) => {
    const found = figure(prices, service, region, item);
    used.push(found);
    return found;
  };
  const gp3 = price('ebs', 'gp3');
  const ipv4 = price('vpc', 'publicIpv4');
  const unpriced: string[] = [];
  const instance = (type: string) => {
    const found = price('ec2', type);
    if (!found) unpriced.push(type);
    return hourly(prices, found);
  };

  let standing =
    hourly(prices, gp3, STACK_SHAPE.masterVolumeGiB) +
    hourly(prices, price('rds', 'gp3'), STACK_SHAPE.databaseStorageGiB) +
    hourly(prices, ipv4) * parts.publicAddresses;
  let instances = instance(parameters.masterInstanceType);
  if (parts.bastion) {
    instances += instance(STACK_SHAPE.bastion.instanceType);
    standing += hourly(prices, gp3, STACK_SHAPE.bastion.volumeGiB);
  }
  if (parts.natGateway) standing += hourly(prices, price('vpc', 'natGateway'));
  if (parts.fs === 'fsx')
    standing += hourly(prices, price('fsx', 'lustrePersistent2Ssd125'), STACK_SHAPE.fsxStorageGiB);
  if (parts.fs === 'efs') price('efs', 'standard'); // billed per GB stored: named in the basis only
  const database = hourly(prices, price('rds', STACK_SHAPE.databaseClass));

  const agentExtras =
    hourly(prices, gp3, STACK_SHAPE.agentVolumeGiB) + (parts.publicAgents ? hourly(prices, ipv4) : 0);
  const agent = (type: string) => agentPrice(parameters, instance(type)) + agentExtras;
  const cpuAgent = agent(parameters.cpuAgentInstanceType);
  const gpuAgent = agent(parameters.gpuAgentInstanceType);

  return {
    standing,
    instances,
    database,
    cpuAgent,
    gpuAgent,
    maxAgentsPerPool: parameters.maxDynamicAgents,
    basis: basisText(parameters, prices, provenance(used), { unpriced, efs: parts.fs === 'efs' }),
  };
}

/** Spot agents: their maximum price when one is set, else the on-demand price as the upper bound. */
function agentPrice(parameters: ClusterParameters, onDemand: number): number {
  if (parameters.spot && parameters.spotMaxPrice !== undefined) return Number(parameters.spotMaxPrice);
  return onDemand;
}

/** One dynamic agent: the reaper counts agents by tag, not by pool, so each is priced as the dearer pool's. */
export function agentHourly(rates: CostRates): number {
  return Math.max(rates.cpuAgent, rates.gpuAgent);
}

/** Running with every dynamic agent of both pools. */
export function maxHourly(rates: CostRates): number {
  return (
    rates.standing +
    rates.instances +
    rates.database +
    rates.maxAgentsPerPool * (rates.cpuAgent + rates.gpuAgent)
  );
}

function basisText(
  parameters: ClusterParameters,
  prices: PriceList,
  origin: { date: string; derived: boolean },
  notes: { unpriced: string[]; efs: boolean },
): string {
  const n = parameters.maxDynamicAgents;
  const sentences = [
    `AWS on-demand Linux prices for ${parameters.region}, price list of ${origin.date} (core/cost/prices.json${origin.derived ? '; some figures derived from us-east-1, not read from AWS' : ''}).`,
    `Now: master ${parameters.masterInstanceType}, database ${STACK_SHAPE.databaseClass}, volumes, public addresses${parameters.deploymentType === 'secure' ? ', bastion and NAT gateway' : ''}${parameters.deploymentType === 'fsx' ? ', FSx for Lustre' : ''}, and the dynamic agents running.`,
    `Max: ${n} ${parameters.cpuAgentInstanceType} CPU and ${n} ${parameters.gpuAgentInstanceType} GPU agents running.`,
  ];
  if (parameters.spot) {
    sentences.push(
      parameters.spotMaxPrice !== undefined
        ? `Spot agents at their maximum price, $${parameters.spotMaxPrice}/h.`
        : 'Spot agents at the on-demand price, the upper bound of a spot price.',
    );
  }
  if (notes.unpriced.length > 0)
    sentences.push(`Not in the price list, so not counted: ${[...new Set(notes.unpriced)].join(', ')}.`);
  if (notes.efs)
    sentences.push(
      `EFS storage is billed per GB stored ($${figure(prices, 'efs', parameters.region, 'standard')?.usd ?? '?'}/GB-month), not counted.`,
    );
  sentences.push(
    'Not counted: S3, snapshots, data transfer, logs. An estimate from the control plane’s own records, not the AWS bill.',
  );
  return sentences.join(' ');
}
