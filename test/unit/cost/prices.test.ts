/** The price file covers everything the API accepts, and says where each figure comes from. */
import { AGENT_INSTANCE_TYPES } from '../../../core/cluster/instance-types.ts';
import { CREATE_DEFAULTS } from '../../../core/cluster/request.ts';
import { STACK_SHAPE } from '../../../core/cost/estimate.ts';
import { PRICES, type PriceFigure } from '../../../core/cost/price-list.ts';
import { SUPPORTED_REGIONS } from '../../../core/cluster/regions.ts';

const REGIONS = SUPPORTED_REGIONS;

describe('core/cost/prices.json', () => {
  it.each(REGIONS)('prices every accepted agent type, the default master and the bastion in %s', (region) => {
    const types = [
      ...AGENT_INSTANCE_TYPES,
      CREATE_DEFAULTS.masterInstanceType,
      STACK_SHAPE.bastion.instanceType,
    ];
    const missing = types.filter((type) => PRICES.ec2[region]?.[type] === undefined);
    expect(missing).toEqual([]);
  });

  it.each(REGIONS)('prices the database, volumes, file systems and addresses in %s', (region) => {
    expect(PRICES.rds[region]?.[STACK_SHAPE.databaseClass]?.unit).toBe('hour');
    expect(PRICES.rds[region]?.gp3?.unit).toBe('GB-month');
    expect(PRICES.ebs[region]?.gp3?.unit).toBe('GB-month');
    expect(PRICES.efs[region]?.standard?.unit).toBe('GB-month');
    expect(PRICES.fsx[region]?.lustrePersistent2Ssd125?.unit).toBe('GB-month');
    expect(PRICES.vpc[region]?.publicIpv4?.unit).toBe('hour');
    expect(PRICES.vpc[region]?.natGateway?.unit).toBe('hour');
    expect(PRICES.regions[region]?.location).toEqual(expect.any(String));
  });

  it('gives every figure a positive price, a known source and a date; derived figures say how', () => {
    const figures: [string, PriceFigure][] = (['ec2', 'rds', 'ebs', 'efs', 'fsx', 'vpc'] as const).flatMap(
      (service) =>
        Object.entries(PRICES[service]).flatMap(([region, items]) =>
          Object.entries(items).map(([item, price]): [string, PriceFigure] => [
            `${service} ${region} ${item}`,
            price,
          ]),
        ),
    );
    expect(figures.length).toBeGreaterThan(300);
    for (const [name, price] of figures) {
      expect([name, price.usd > 0]).toEqual([name, true]);
      expect([name, PRICES.sources[price.source]]).toEqual([name, expect.any(String)]);
      expect([name, price.date]).toEqual([name, expect.stringMatching(/^\d{4}-\d{2}(-\d{2})?$/)]);
      if (price.source === 'derived') expect([name, price.derivation]).toEqual([name, expect.any(String)]);
    }
  });

  it('holds us-east-1 figures read from AWS (not derived) for everything the default cluster uses', () => {
    const region = 'us-east-1';
    for (const price of [
      PRICES.ec2[region]?.['m5.large'],
      PRICES.ec2[region]?.['p2.8xlarge'],
      PRICES.rds[region]?.[STACK_SHAPE.databaseClass],
      PRICES.ebs[region]?.gp3,
    ])
      expect(price?.source).not.toBe('derived');
  });
});
