/**
 * Counts each cluster's running agents by their tag (det-cluster = det-agent-<stack name>), for up
 * to 200 clusters per DescribeInstances call (EC2's limit on values in one filter): calls grow with
 * pages of clusters, not with clusters. Keyed by stack name, which is unique across teams.
 */
import { agentTag, AGENT_TAG_KEY } from '../core/cluster/naming.ts';
import type { AgentCounter } from '../core/ports.ts';
import { items, pick, type AwsQueryClient, type XmlValue } from './aws/query.ts';

const VALUES_PER_FILTER = 200;
const ACTIVE_STATES = ['pending', 'running'];

export class Ec2AgentCounter implements AgentCounter {
  /** EC2 calls made, for the benchmark. */
  calls = 0;

  constructor(private readonly ec2: AwsQueryClient) {}

  async runningAgents(stackNames: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const byTagValue = new Map(stackNames.map((stack) => [agentTag(stack).value, stack]));
    for (let start = 0; start < stackNames.length; start += VALUES_PER_FILTER) {
      const values = stackNames.slice(start, start + VALUES_PER_FILTER).map((stack) => agentTag(stack).value);
      let nextToken: string | undefined;
      do {
        const parameters: Record<string, string> = {
          'Filter.1.Name': `tag:${AGENT_TAG_KEY}`,
          'Filter.2.Name': 'instance-state-name',
          MaxResults: '1000',
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
        values.forEach((value, index) => (parameters[`Filter.1.Value.${index + 1}`] = value));
        ACTIVE_STATES.forEach((state, index) => (parameters[`Filter.2.Value.${index + 1}`] = state));
        this.calls++;
        const response = await this.ec2.call('DescribeInstances', parameters);
        const body = pick(response, 'DescribeInstancesResponse');
        for (const reservation of items(pick(body, 'reservationSet'))) {
          for (const instance of items(pick(reservation, 'instancesSet'))) {
            const stack = byTagValue.get(tagValue(instance.tagSet) ?? '');
            if (stack) counts.set(stack, (counts.get(stack) ?? 0) + 1);
          }
        }
        const token = pick(body, 'nextToken');
        nextToken = typeof token === 'string' && token.length > 0 ? token : undefined;
      } while (nextToken);
    }
    return counts;
  }
}

function tagValue(tagSet: XmlValue | undefined): string | undefined {
  const tag = items(tagSet).find((entry) => entry.key === AGENT_TAG_KEY);
  return typeof tag?.value === 'string' ? tag.value : undefined;
}
