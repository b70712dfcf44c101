/**
 * `npm run prices`: refresh core/cost/prices.json from the AWS Price List Query API
 * (pricing:GetProducts; any account's credentials will do, the API is read-only and global). Every
 * figure it reads gets source "aws-price-list" and today's date; a figure it cannot read (a type a
 * region does not offer, an attribute AWS renamed) keeps its old value, source and date, and is
 * listed at the end. Without credentials it changes nothing and exits 2 with what to do.
 *
 *   npm run prices [-- --dry-run]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetProductsCommand, PricingClient, type Filter } from '@aws-sdk/client-pricing';
import { AGENT_INSTANCE_TYPES } from '../core/cluster/instance-types.ts';
import { STACK_SHAPE } from '../core/cost/estimate.ts';
import type { PriceFigure, PriceList, PriceService } from '../core/cost/price-list.ts';
import { projectRoot } from '../local/paths.ts';

export const PRICE_FILE = join(projectRoot, 'core', 'cost', 'prices.json');

/** One figure to read: where it goes in the file and the GetProducts query that finds it. */
export interface Query {
  service: PriceService;
  region: string;
  item: string;
  serviceCode: string;
  filters: Record<string, string>;
  unit: PriceFigure['unit'];
}

/** Every figure the file holds, for every region it covers (the EC2 types it already prices). */
export function queries(list: PriceList): Query[] {
  const all: Query[] = [];
  for (const region of Object.keys(list.regions)) {
    const at = { regionCode: region };
    const types = new Set([...Object.keys(list.ec2[region] ?? {}), ...AGENT_INSTANCE_TYPES]);
    for (const type of types) {
      all.push({
        service: 'ec2',
        region,
        item: type,
        serviceCode: 'AmazonEC2',
        unit: 'hour',
        filters: {
          ...at,
          instanceType: type,
          operatingSystem: 'Linux',
          tenancy: 'Shared',
          preInstalledSw: 'NA',
          capacitystatus: 'Used',
          licenseModel: 'No License required',
        },
      });
    }
    const rds = { ...at, databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ' };
    all.push(
      {
        service: 'rds',
        region,
        item: STACK_SHAPE.databaseClass,
        serviceCode: 'AmazonRDS',
        unit: 'hour',
        filters: { ...rds, instanceType: STACK_SHAPE.databaseClass },
      },
      {
        service: 'rds',
        region,
        item: 'gp3',
        serviceCode: 'AmazonRDS',
        unit: 'GB-month',
        filters: { ...rds, productFamily: 'Database Storage', volumeType: 'General Purpose-GP3' },
      },
      {
        service: 'ebs',
        region,
        item: 'gp3',
        serviceCode: 'AmazonEC2',
        unit: 'GB-month',
        filters: { ...at, productFamily: 'Storage', volumeApiName: 'gp3' },
      },
      {
        service: 'efs',
        region,
        item: 'standard',
        serviceCode: 'AmazonEFS',
        unit: 'GB-month',
        filters: { ...at, productFamily: 'Storage', storageClass: 'General Purpose' },
      },
      {
        service: 'fsx',
        region,
        item: 'lustrePersistent2Ssd125',
        serviceCode: 'AmazonFSx',
        unit: 'GB-month',
        filters: {
          ...at,
          fileSystemType: 'Lustre',
          storageType: 'SSD',
          deploymentOption: 'Persistent_2',
          throughputCapacity: '125',
        },
      },
      {
        service: 'vpc',
        region,
        item: 'publicIpv4',
        serviceCode: 'AmazonVPC',
        unit: 'hour',
        filters: {
          ...at,
          group: 'VPCPublicIPv4Address',
          groupDescription: 'Hourly charge for In-use Public IPv4 Addresses',
        },
      },
      {
        service: 'vpc',
        region,
        item: 'natGateway',
        serviceCode: 'AmazonEC2',
        unit: 'hour',
        filters: { ...at, productFamily: 'NAT Gateway', group: 'NGW:NatGateway' },
      },
    );
  }
  return all;
}

/**
 * The on-demand USD price of the one product a query matched, from the Price List's JSON documents;
 * undefined unless exactly one non-zero price per unit is found (an ambiguous answer is not a price).
 */
export function onDemandPrice(documents: string[]): number | undefined {
  const prices = new Set<number>();
  for (const document of documents) {
    const product = JSON.parse(document) as {
      terms?: {
        OnDemand?: Record<string, { priceDimensions?: Record<string, { pricePerUnit?: { USD?: string } }> }>;
      };
    };
    for (const term of Object.values(product.terms?.OnDemand ?? {}))
      for (const dimension of Object.values(term.priceDimensions ?? {})) {
        const usd = Number(dimension.pricePerUnit?.USD);
        if (Number.isFinite(usd) && usd > 0) prices.add(usd);
      }
  }
  return prices.size === 1 ? [...prices][0] : undefined;
}

/** The file with the figures read replaced (source aws-price-list, `date`), everything else kept. */
export function withFigures(list: PriceList, read: { query: Query; usd: number }[], date: string): PriceList {
  const next = structuredClone(list);
  for (const { query, usd } of read) {
    const byRegion = (next[query.service][query.region] ??= {});
    byRegion[query.item] = { usd, unit: query.unit, source: 'aws-price-list', date };
  }
  return next;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
  const list = JSON.parse(readFileSync(PRICE_FILE, 'utf8')) as PriceList;
  // The Price List Query API answers in us-east-1 (and a few others) for every region.
  const client = new PricingClient({ region: 'us-east-1' });
  try {
    await client.config.credentials();
  } catch {
    console.error(
      'npm run prices needs AWS credentials (any account; it only calls pricing:GetProducts). ' +
        'Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and run it again. ' +
        'core/cost/prices.json is unchanged.',
    );
    process.exit(2);
  }
  const read: { query: Query; usd: number }[] = [];
  const missed: Query[] = [];
  for (const query of queries(list)) {
    const Filters: Filter[] = Object.entries(query.filters).map(([Field, Value]) => ({
      Type: 'TERM_MATCH',
      Field,
      Value,
    }));
    const { PriceList: documents = [] } = await client.send(
      new GetProductsCommand({ ServiceCode: query.serviceCode, Filters, MaxResults: 10 }),
    );
    const usd = onDemandPrice(documents.map(String));
    if (usd === undefined) missed.push(query);
    else read.push({ query, usd });
  }
  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `read ${read.length} figures from the AWS Price List (${date}); kept ${missed.length} as they were`,
  );
  for (const query of missed) console.log(`  kept: ${query.service} ${query.region} ${query.item}`);
  if (values['dry-run']) return;
  writeFileSync(PRICE_FILE, `${JSON.stringify(withFigures(list, read, date), null, 2)}\n`);
  execFileSync(join(projectRoot, 'node_modules', '.bin', 'prettier'), ['--write', PRICE_FILE], {
    stdio: 'ignore',
  });
  console.log(`wrote ${PRICE_FILE}; run npm test -- test/unit/cost to see the figures it changed`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
