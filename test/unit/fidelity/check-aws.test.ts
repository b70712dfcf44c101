/**
 * npm run check:aws, part by part, and its teeth: each role passes as committed, and taking out any
 * single permission a handler needs (or the instance profile's path) makes the check fail and name
 * the missing action (issue 10, "Verify").
 */
import { checkClusterRoles } from '../../../scripts/check-aws/cluster-roles.ts';
import { controlPlaneRole } from '../../../scripts/check-aws/control-plane.ts';
import { checkFunctionRoles } from '../../../scripts/check-aws/function-roles.ts';
import { decide } from '../../../scripts/check-aws/simulate.ts';
import { checkStackRole, STACK_ROLE, stackRoleCalls } from '../../../scripts/check-aws/stack-role.ts';
import { checkWorkflowRoles } from '../../../scripts/check-aws/workflow-roles.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- policy documents

/**
 * Granted by name beyond the recorded handler lists, on purpose: newer LogGroup handlers tag with
 * logs:TagResource, the successor of logs:TagLogGroup that the recorded schema names.
 */
const GRANTED_AHEAD = ['logs:TagResource'];

const actionsOf = (statement: Json): string[] => [statement.Action].flat();
const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

describe('check:aws', () => {
  it('finds every role allowed to make its calls, as committed', async () => {
    const [stack, cluster, workflows, functions] = await Promise.all([
      checkStackRole(),
      checkClusterRoles(),
      checkWorkflowRoles(),
      checkFunctionRoles(),
    ]);
    expect([...stack.denied, ...cluster.denied, ...workflows.denied, ...functions.denied]).toEqual([]);
    expect(stack.unknownActions).toEqual([]);
    expect(stack.checked).toBeGreaterThan(200);
    expect(workflows.tasks).toBeGreaterThan(50);
  }, 120_000);

  it('names the action when any single permission the stack role grants by name is taken out', async () => {
    const statements: Json[] = controlPlaneRole(STACK_ROLE).policies.flatMap(
      (policy) => policy.document.Statement,
    );
    const named = [...new Set(statements.flatMap(actionsOf).filter((action) => !action.includes('*')))];
    expect(named).toContain('iam:CreateInstanceProfile');
    const { calls } = await stackRoleCalls();
    const missed: string[] = [];
    for (const action of named) {
      // Still granted by a pattern of another statement (e.g. ec2:Describe*): nothing to miss.
      const covered = statements.some((statement) =>
        actionsOf(statement).some(
          (pattern) => pattern !== action && pattern.includes('*') && glob(pattern).test(action),
        ),
      );
      if (covered || GRANTED_AHEAD.includes(action)) continue;
      // Taking an action out of the policy changes the decision of the calls of that action only.
      const role = controlPlaneRole(STACK_ROLE);
      for (const policy of role.policies)
        for (const statement of policy.document.Statement as Json[])
          statement.Action = actionsOf(statement).filter((candidate) => candidate !== action);
      const affected = calls.filter(({ call }) => call.action === action);
      const decisions = await Promise.all(
        affected.map(({ call }) => decide(role.principal, '123456789012', role.policies, call)),
      );
      if (!decisions.some((decision) => !decision.allowed)) missed.push(action);
    }
    expect(missed).toEqual([]);
  }, 300_000);

  it('names iam:CreateInstanceProfile when the master’s instance profile loses its path', async () => {
    const { denied } = await checkStackRole({
      types: ['simple'],
      mutateTemplate: (template) => delete template.Resources.MasterInstanceProfile.Properties.Path,
    });
    expect(denied.join('\n')).toMatch(
      /ClusterStackRole denies iam:CreateInstanceProfile on arn:aws:iam::\d+:instance-profile\/detcp/,
    );
  });

  it.each([
    ['SignalOwnStack', 'cloudformation:SignalResource'],
    ['PassAgentRole', 'iam:PassRole'],
    ['SpotServiceLinkedRole', 'iam:CreateServiceLinkedRole'],
    ['ClusterSecret', 'secretsmanager:GetSecretValue'],
    ['TerminateOwnAgents', 'ec2:TerminateInstances'],
  ])('names %s’s action when the master role loses that statement', async (sid, action) => {
    const { denied } = await checkClusterRoles(['vpc'], (template) => {
      const document = template.Resources.MasterRole.Properties.Policies[0].PolicyDocument;
      document.Statement = document.Statement.filter(
        (statement: Json) => statement.Sid !== sid && statement['Fn::If']?.[1]?.Sid !== sid,
      );
    });
    expect(denied.join('\n')).toContain(`MasterRole denies ${action} on`);
  });
});
