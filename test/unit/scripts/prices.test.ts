/** npm run prices: what it asks the Price List for, how it reads an answer, what it writes. */
import { PRICES } from '../../../core/cost/price-list.ts';
import { onDemandPrice, queries, withFigures } from '../../../scripts/prices.ts';

/** A product as GetProducts returns it (one JSON document per product), trimmed to what is read. */
const product = (usd: string) =>
  JSON.stringify({
    product: { attributes: { instanceType: 'm5.large', regionCode: 'us-east-1' } },
    terms: {
      OnDemand: {
        'X.JRTCKXETXF': {
          priceDimensions: { 'X.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: usd } } },
        },
      },
    },
  });

describe('npm run prices', () => {
  it('asks for every figure the file holds, in every region', () => {
    const asked = new Set(queries(PRICES).map((query) => `${query.service} ${query.region} ${query.item}`));
    for (const service of ['ec2', 'rds', 'ebs', 'efs', 'fsx', 'vpc'] as const)
      for (const [region, items] of Object.entries(PRICES[service]))
        for (const item of Object.keys(items)) expect(asked).toContain(`${service} ${region} ${item}`);
  });

  it('reads the one on-demand price of an answer, and no price from an ambiguous or empty one', () => {
    expect(onDemandPrice([product('0.0960000000')])).toBe(0.096);
    expect(onDemandPrice([product('0.096'), product('0.096')])).toBe(0.096);
    expect(onDemandPrice([product('0.096'), product('0.107')])).toBeUndefined();
    expect(onDemandPrice([product('0.0000000000')])).toBeUndefined();
    expect(onDemandPrice([])).toBeUndefined();
  });

  it('replaces the figures read with their source and date, and keeps the rest as they were', () => {
    const [query] = queries(PRICES).filter((entry) => entry.service === 'ec2' && entry.item === 'p3.2xlarge');
    if (!query) throw new Error('no query');
    const next = withFigures(PRICES, [{ query, usd: 3.1 }], '2027-01-05');
    expect(next.ec2[query.region]?.['p3.2xlarge']).toEqual({
      usd: 3.1,
      unit: 'hour',
      source: 'aws-price-list',
      date: '2027-01-05',
    });
    expect(next.ec2[query.region]?.['m5.large']).toEqual(PRICES.ec2[query.region]?.['m5.large']);
    expect(PRICES.ec2[query.region]?.['p3.2xlarge']?.usd).not.toBe(3.1);
  });
});
