/**
 * The cost model with figures computed by hand from core/cost/prices.json (us-east-1):
 * m5.large 0.096/h, db.t4g.medium 0.065/h, RDS gp3 0.115 and EBS gp3 0.08 per GB-month over 730 h,
 * public IPv4 0.005/h, NAT gateway 0.045/h, t3.micro 0.0104/h, FSx Lustre 0.145 per GB-month,
 * t2.xlarge 0.1856/h, p2.8xlarge 7.2/h, p2.xlarge 0.9/h, p3.16xlarge 24.48/h, p3.2xlarge 3.06/h.
 */
import type { DeploymentType } from '../../../core/cluster/request.ts';
import { estimateCost } from '../../../core/cost/cluster-cost.ts';
import { clusterRates, maxHourly } from '../../../core/cost/estimate.ts';
import { hourlyIn } from '../../../core/cost/meter.ts';
import { PRICES } from '../../../core/cost/price-list.ts';
import { parameters } from '../../support/cost.ts';

// Master volume 200 GiB and database storage 20 GiB: (200 × 0.08 + 20 × 0.115) / 730 = 18.3 / 730.
const SIMPLE_STANDING = 18.3 / 730 + 0.005;
const RUNNING = 0.096 + 0.065;
// An agent's 200 GiB root volume and its public address.
const AGENT_EXTRAS = 16 / 730 + 0.005;

describe('the estimate of each deployment type (us-east-1, m5.large master, 5 agents per pool)', () => {
  const cases: [DeploymentType, number, number][] = [
    ['simple', SIMPLE_STANDING, AGENT_EXTRAS],
    ['vpc', SIMPLE_STANDING, AGENT_EXTRAS],
    // EFS is billed per GB stored, which is not known beforehand: named in the basis only.
    ['efs', SIMPLE_STANDING, AGENT_EXTRAS],
    // FSx for Lustre, 1,200 GB at 0.145 per GB-month.
    ['fsx', SIMPLE_STANDING + (1200 * 0.145) / 730, AGENT_EXTRAS],
    // Bastion t3.micro with 16 GiB, a NAT gateway, two public addresses; agents without one.
    ['secure', (18.3 + 16 * 0.08) / 730 + 0.045 + 2 * 0.005 + 0.0104, 16 / 730],
  ];

  it.each(cases)('%s', (deploymentType, standingAndBastion, agentExtras) => {
    const cost = estimateCost(parameters({ deploymentType }), PRICES);
    const hourly = standingAndBastion + RUNNING;
    expect(cost.currency).toBe('USD');
    expect(cost.hourly).toBeCloseTo(hourly, 6);
    // 5 t2.xlarge and 5 p2.8xlarge agents.
    expect(cost.hourlyMax).toBeCloseTo(hourly + 5 * (0.1856 + agentExtras) + 5 * (7.2 + agentExtras), 6);
    expect(cost.monthToDate).toBe(0);
    expect(cost.basis).toContain('us-east-1');
    expect(cost.basis).toContain('price list of 2025-06');
  });

  it('gives the simple default as 0.191068 $/h now and 37.388247 $/h at most', () => {
    const cost = estimateCost(parameters(), PRICES);
    expect(cost.hourly).toBe(0.191068);
    expect(cost.hourlyMax).toBe(37.388247);
  });

  it('names EFS storage as not counted, and the bastion and NAT gateway of secure', () => {
    expect(estimateCost(parameters({ deploymentType: 'efs' }), PRICES).basis).toMatch(
      /EFS storage .* not counted/,
    );
    expect(estimateCost(parameters({ deploymentType: 'secure' }), PRICES).basis).toContain(
      'bastion and NAT gateway',
    );
  });

  it('grows hourlyMax with a dearer GPU type, and with more agents', () => {
    const p2 = estimateCost(parameters({ gpuAgentInstanceType: 'p2.xlarge' }), PRICES).hourlyMax;
    const p3 = estimateCost(parameters({ gpuAgentInstanceType: 'p3.16xlarge' }), PRICES).hourlyMax;
    expect(p3 - p2).toBeCloseTo(5 * (24.48 - 0.9), 6);
    const none = estimateCost(parameters({ maxDynamicAgents: 0 }), PRICES);
    expect(none.hourlyMax).toBe(none.hourly);
  });
});

describe('spot agents', () => {
  it('are priced at spotMaxPrice when one is set, and the basis says so', () => {
    const rates = clusterRates(
      parameters({ spot: true, spotMaxPrice: '0.75', gpuAgentInstanceType: 'p3.2xlarge' }),
      PRICES,
    );
    expect(rates.gpuAgent).toBeCloseTo(0.75 + AGENT_EXTRAS, 9);
    expect(rates.cpuAgent).toBeCloseTo(0.75 + AGENT_EXTRAS, 9);
    expect(rates.basis).toContain('Spot agents at their maximum price, $0.75/h');
  });

  it('are priced at the on-demand price without one, as the upper bound', () => {
    const spot = clusterRates(parameters({ spot: true, gpuAgentInstanceType: 'p3.2xlarge' }), PRICES);
    const onDemand = clusterRates(parameters({ gpuAgentInstanceType: 'p3.2xlarge' }), PRICES);
    expect(spot.gpuAgent).toBeCloseTo(3.06 + AGENT_EXTRAS, 9);
    expect(maxHourly(spot)).toBe(maxHourly(onDemand));
    expect(spot.basis).toContain('on-demand price, the upper bound');
  });
});

describe('hourly by status', () => {
  const rates = clusterRates(parameters(), PRICES);

  it("bills everything while running, agents at the dearer pool's price", () => {
    expect(hourlyIn(rates, 'READY', 0)).toBeCloseTo(SIMPLE_STANDING + RUNNING, 9);
    expect(hourlyIn(rates, 'READY', 2)).toBeCloseTo(SIMPLE_STANDING + RUNNING + 2 * (7.2 + AGENT_EXTRAS), 9);
    expect(hourlyIn(rates, 'CREATING', 0)).toBe(hourlyIn(rates, 'READY', 0));
  });

  it('bills only storage and addresses while stopped, and nothing once deleted', () => {
    expect(hourlyIn(rates, 'STOPPED', 0)).toBeCloseTo(SIMPLE_STANDING, 9);
    expect(hourlyIn(rates, 'DELETED', 0)).toBe(0);
    expect(hourlyIn(rates, 'CREATE_FAILED', 0)).toBe(0);
  });

  it('counts an instance type the list does not have as nothing, and says so', () => {
    const unknown = clusterRates(parameters({ masterInstanceType: 'x9z.huge' }), PRICES);
    expect(unknown.instances).toBe(0);
    expect(unknown.basis).toContain('Not in the price list, so not counted: x9z.huge.');
  });

  it("uses the region's figures, and says when they are derived", () => {
    const frankfurt = clusterRates(parameters({ region: 'eu-central-1' }), PRICES);
    expect(frankfurt.instances).toBe(0.115);
    expect(frankfurt.basis).toContain('some figures derived from us-east-1');
  });
});
