/**
 * Issue 11: every shared name is defined once (core/names/shared.ts) and rendered for TypeScript,
 * for Step Functions (a `States.Format` intrinsic, evaluated here by aws-local-stepfunctions, the
 * interpreter the workflow scenario tests use) and for CloudFormation (an `Fn::Sub` string,
 * substituted here as CloudFormation does). For any valid team, cluster id and stack prefix the
 * renderings give the same string, and the inverse reads back what went in.
 */
import fc from 'fast-check';
import { StateMachine } from 'aws-local-stepfunctions';
import { createClusterSchema } from '../../../core/cluster/request.ts';
import { NameFormat } from '../../../core/names/format.ts';
import {
  AGENT_TAG,
  CLUSTER_ID_MAX,
  CLUSTER_RECORD,
  isClusterId,
  STACK_ID,
  STACK_NAME,
  TEMPLATE_OBJECT,
} from '../../../core/names/shared.ts';
import { STACK_PREFIX_MAX } from '../../../core/names/shared.ts';
import { TEAM } from '../../../core/principal.ts';

const clusterId = fc.stringMatching(new RegExp(`^[a-zA-Z][-a-zA-Z0-9]{0,${CLUSTER_ID_MAX - 1}}$`));
const team = fc.stringMatching(TEAM);
const prefix = fc.oneof(
  fc.constant(''),
  fc.stringMatching(new RegExp(`^[a-zA-Z][-a-zA-Z0-9]{0,${STACK_PREFIX_MAX - 2}}-$`)),
);

/** Evaluates intrinsics against inputs the way the workflows do: one Pass state's Parameters. */
async function evaluate(
  parameters: Record<string, string>,
  inputs: object[],
): Promise<Record<string, string>[]> {
  const machine = new StateMachine({
    StartAt: 'Render',
    States: { Render: { Type: 'Pass', Parameters: parameters, End: true } },
  } as never);
  const outputs: Record<string, string>[] = [];
  for (const input of inputs)
    outputs.push((await machine.run(input as never).result) as Record<string, string>);
  return outputs;
}

/** CloudFormation's Fn::Sub for variables (pseudo parameters, parameters) and its `${!...}` escape. */
const cfnSubstitute = (text: string, variables: Record<string, string>) =>
  text.replace(/\$\{(!?)([^}]*)\}/g, (_all, literal: string, name: string) =>
    literal ? `\${${name}}` : (variables[name] ?? `<unresolved ${name}>`),
  );

describe('shared names render alike in TypeScript, ASL and CloudFormation', () => {
  it('the cluster record key, the agent tag, the stack name and the template object', async () => {
    const samples = fc.sample(fc.tuple(team, clusterId, prefix), 300);
    const inputs = samples.map(([teamName, id, stackPrefix]) => {
      const stackName = STACK_NAME.format({ prefix: stackPrefix, clusterId: id });
      return {
        team: teamName,
        clusterId: id,
        stackName,
        stack: { name: stackName },
        execution: `${id}-c-m1`,
      };
    });
    const outputs = await evaluate(
      {
        'pk.$': CLUSTER_RECORD.pk.asl({ team: '$.team', clusterId: '$.clusterId' }),
        'agent.$': AGENT_TAG.value.asl({ stackName: '$.stackName' }),
        'template.$': TEMPLATE_OBJECT.asl({ stackName: '$.stack.name', execution: '$.execution' }),
      },
      inputs,
    );
    inputs.forEach(({ team: teamName, clusterId: id, stackName, execution }, index) => {
      const asl = outputs[index];
      const pk = CLUSTER_RECORD.pk.format({ team: teamName, clusterId: id });
      expect(asl?.pk).toBe(pk);
      expect(CLUSTER_RECORD.pk.parse(pk)).toEqual({ team: teamName, clusterId: id });

      const agent = AGENT_TAG.value.format({ stackName });
      expect(asl?.agent).toBe(agent);
      const cfnAgent = cfnSubstitute(AGENT_TAG.value.cfnSub({ stackName: 'AWS::StackName' }), {
        'AWS::StackName': stackName,
      });
      expect(cfnAgent).toBe(agent);
      expect(AGENT_TAG.value.parse(agent)).toEqual({ stackName });

      expect(asl?.template).toBe(TEMPLATE_OBJECT.format({ stackName, execution }));

      // The stack name is read back out of the id CloudFormation returns, never guessed.
      const stackId = STACK_ID.format({
        partition: 'aws',
        region: 'eu-west-1',
        account: '123456789012',
        stackName,
        uuid: '1c2fa620-982a-11e3-aff7-50e2416294e0',
      });
      expect(STACK_ID.parse(stackId)?.stackName).toBe(stackName);
      expect(STACK_NAME.parse(stackName)).toBeDefined();
      expect(stackName.length).toBeLessThanOrEqual(128);
    });
  });

  it('the API path and the request body accept exactly the same cluster ids', () => {
    fc.assert(
      fc.property(fc.oneof(clusterId, fc.string({ maxLength: 80 })), (candidate) => {
        const body = createClusterSchema.safeParse({ clusterId: candidate, keypair: 'k' });
        const bodyAcceptsId =
          body.success || !body.error.issues.some((issue) => issue.path[0] === 'clusterId');
        expect(isClusterId(candidate)).toBe(bodyAcceptsId);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses fixed text that a States.Format literal or an Fn::Sub string would read specially', () => {
    for (const pattern of ["it's {a}", 'a\\{a}', 'cost ${a}', 'x}{a}'])
      expect(() => new NameFormat(pattern, { a: /[a-z]+/ })).toThrow('fixed text may not hold');
  });

  it('refuses a pattern whose slot has no rule', () => {
    expect(() => new NameFormat('{a}{b}', { a: /x/ } as never)).toThrow('slot {b} has no rule');
  });
});
