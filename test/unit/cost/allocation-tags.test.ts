/**
 * Cost-allocation tags: the stack carries team and cluster-id (CloudFormation copies stack tags to
 * every resource it creates), and so do the agents the master launches, through AgentTags.
 */
import type { ClusterRecord } from '../../../core/cluster/model.ts';
import { createClusterSchema } from '../../../core/cluster/request.ts';
import { toStackParameters, updateParameters } from '../../../core/cluster/stack-parameters.ts';
import { stackTags } from '../../../core/workflow/create-input.ts';
import { parameters } from '../../support/cost.ts';

const owner = { team: 'vision', clusterId: 'c1' };

describe('cost-allocation tags', () => {
  it('are on the stack', () => {
    const record = {
      ...owner,
      owner: 'ann',
      deploymentType: 'simple',
      parameters: parameters({ tags: { project: 'x' } }),
    };
    expect(stackTags(record as ClusterRecord)).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'vision' },
        { Key: 'cluster-id', Value: 'c1' },
        { Key: 'project', Value: 'x' },
      ]),
    );
  });

  it("are on the agents, after the user's own tags", () => {
    const sent = toStackParameters(parameters({ tags: { project: 'x' } }), { secretName: 's', owner });
    expect(JSON.parse(sent.AgentTags)).toEqual([
      { key: 'project', value: 'x' },
      { key: 'team', value: 'vision' },
      { key: 'cluster-id', value: 'c1' },
    ]);
  });

  it("stay on the agents when an update changes the user's tags", () => {
    const before = parameters({ tags: { project: 'x' } });
    const { parameters: sent } = updateParameters(before, { ...before, tags: { project: 'y' } }, owner);
    const agentTags = sent.find((parameter) => parameter.ParameterKey === 'AgentTags');
    expect(JSON.parse(agentTags?.ParameterValue ?? '[]')).toEqual([
      { key: 'project', value: 'y' },
      { key: 'team', value: 'vision' },
      { key: 'cluster-id', value: 'c1' },
    ]);
  });

  it('fit in the parameter beside the largest user tags the API accepts', () => {
    const largest = Object.fromEntries(
      Array.from({ length: 16 }, (_, index) => [`k${index}`.padEnd(128, 'k'), ''.padEnd(100, 'v')]),
    );
    const accepted = (tags: Record<string, string>) =>
      createClusterSchema.safeParse({ clusterId: 'c1', keypair: 'k', tags }).success;
    const fitting = Object.fromEntries(Object.entries(largest).slice(0, 15));
    expect(accepted(fitting)).toBe(true);
    expect(accepted(largest)).toBe(false);
    const longest = { team: 'v'.padEnd(64, 'v'), clusterId: 'c'.padEnd(64, 'c') };
    const sent = toStackParameters(parameters({ tags: fitting }), { secretName: 's', owner: longest });
    expect(Buffer.byteLength(sent.AgentTags)).toBeLessThanOrEqual(4096);
  });
});
