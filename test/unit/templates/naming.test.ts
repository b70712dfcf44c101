/**
 * Names derived from a cluster's team and id (core/cluster/naming.ts and the templates) are valid for
 * every id the API accepts (1..64 of [a-zA-Z0-9-], starting with a letter, any case), every team
 * (core/principal.ts) and every stack prefix the configuration accepts; and they are unique to one
 * team's cluster (issue 18, findings 1 and 4).
 */
import fc from 'fast-check';
import {
  agentTag,
  executionName,
  secretName,
  STACK_PREFIX,
  STACK_PREFIX_MAX,
  stackName,
  stackNameOf,
  teamKey,
} from '../../../core/cluster/naming.ts';
import { CLUSTER_ID } from '../../../core/cluster/request.ts';
import { TEAM } from '../../../core/principal.ts';
import { renderTemplate } from '../../../templates/src/index.ts';

const EXTREMES = [
  'a',
  'Z',
  `A${'b'.repeat(62)}C`, // 64 characters, mixed case
  `x${'-'.repeat(63)}`, // 64, all hyphens after the letter
  `Q${'9'.repeat(63)}`,
  'MixedCase-Cluster-ID-42',
];

const clusterIds = fc.stringMatching(/^[a-zA-Z][-a-zA-Z0-9]{0,63}$/);
const teams = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9._-]{0,63}$/);
const LONGEST_PREFIX = `p${'-x'.repeat(15)}9`; // 32 characters
const now = new Date('2031-12-31T23:59:59.999Z'); // a late date: the longest base-36 time
const TEAM_EXTREMES = ['a', `T${'.'.repeat(63)}`, 'ml-research'];

/** AWS's rules for each name, from the service documentation. */
function problems(id: string, team = 'ml-research', prefix = LONGEST_PREFIX): string[] {
  const found: string[] = [];
  const check = (ok: boolean, what: string) => ok || found.push(what);
  const cluster = { team, clusterId: id };
  const stack = stackName(prefix, cluster);
  check(/^[a-zA-Z][-a-zA-Z0-9]*$/.test(stack) && stack.length <= 128, 'CloudFormation stack name');
  check(stack.startsWith(`${prefix}-`), 'under the prefix');
  check(
    stackNameOf(`arn:aws:cloudformation:us-east-1:1:stack/${stack}/uuid`) === stack,
    'stack name from id',
  );
  for (const operation of ['create', 'update', 'delete'] as const) {
    const execution = executionName(cluster, operation, now);
    // Step Functions execution name, reused as the CloudFormation ClientRequestToken; the create's
    // hand-over to delete appends "-d".
    check(
      `${execution}-d`.length <= 80 && /^[a-zA-Z0-9][-a-zA-Z0-9]*$/.test(execution),
      `${operation} execution name`,
    );
  }
  const secret = secretName(cluster, 1, now);
  check(secret.length <= 512 && /^[a-zA-Z0-9/_+=.@-]+$/.test(secret), 'Secrets Manager name');
  const tag = agentTag(stack);
  check(tag.key.length <= 128 && tag.value.length <= 256 && !tag.key.startsWith('aws:'), 'EC2 tag');
  const logGroup = `/determined/${stack}`;
  check(logGroup.length <= 512 && /^[.\-_/#A-Za-z0-9]+$/.test(logGroup), 'log group name');
  // Name tags and the like in the templates: ${AWS::StackName}-<suffix>, tag values <= 256.
  check(`det-bastion-${stack}`.length <= 256, 'Name tag');
  return found;
}

describe('names derived from a cluster’s team and id', () => {
  it.each(EXTREMES.flatMap((id) => TEAM_EXTREMES.map((team) => [id, team])))(
    'are valid for %s of team %s',
    (id, team) => {
      expect(CLUSTER_ID.test(id) && id.length <= 64).toBe(true);
      expect(TEAM.test(team)).toBe(true);
      expect(STACK_PREFIX.test(LONGEST_PREFIX) && LONGEST_PREFIX.length === STACK_PREFIX_MAX).toBe(true);
      expect(problems(id, team)).toEqual([]);
    },
  );

  it('are valid for any id and team the API accepts', () => {
    fc.assert(fc.property(clusterIds, teams, (id, team) => problems(id, team).length === 0));
  });

  it('differ between two clusters, so the stack, the agent tag pair and the executions are one cluster’s', () => {
    const names = (team: string, id: string) => {
      const stack = stackName('detcp', { team, clusterId: id });
      return [stack, agentTag(stack).value, executionName({ team, clusterId: id }, 'create', now)];
    };
    fc.assert(
      fc.property(teams, clusterIds, teams, clusterIds, (teamA, a, teamB, b) => {
        if (teamA === teamB && a === b) return true;
        const [first, second] = [names(teamA, a), names(teamB, b)];
        return first.every((name, index) => name !== second[index]);
      }),
    );
  });

  it('give two teams with the same cluster id different stacks (finding 4)', () => {
    expect(stackName('detcp', { team: 'alpha', clusterId: 'dev' })).not.toBe(
      stackName('detcp', { team: 'beta', clusterId: 'dev' }),
    );
    expect(teamKey('alpha')).toMatch(/^[0-9a-f]{10}$/);
  });

  it('never name a stack outside the prefix, whatever the id: not a foreign stack, not the control plane’s (finding 1)', () => {
    for (const id of ['det-control-plane-dev', 'victim-stack', 'detcp-prod']) {
      const stack = stackName('detcp-dev', { team: 'alpha', clusterId: id });
      expect(stack).toMatch(/^detcp-dev-[0-9a-f]{10}-/);
      expect(stack).not.toBe(id);
    }
  });

  it('executions of one cluster never repeat a name, even a millisecond apart', () => {
    const cluster = { team: 'alpha', clusterId: EXTREMES[2] as string };
    const first = executionName(cluster, 'create', now);
    const second = executionName(cluster, 'create', new Date(now.getTime() + 1));
    expect(first).not.toBe(second);
  });

  it('the templates set no length-limited name from the stack name: CloudFormation generates them', () => {
    // IAM roles (<= 64) and the like: generated and truncated by CloudFormation, so a 64-character
    // mixed-case id cannot break them. The bucket and the database are named from the stack's UUID.
    const template = renderTemplate('secure');
    expect(JSON.stringify(template.Resources.CheckpointBucket?.Properties?.BucketName)).toContain(
      'AWS::StackId',
    );
    const text = JSON.stringify({ ...template.Resources, CheckpointBucket: undefined });
    for (const property of [
      'BucketName',
      'RoleName',
      'InstanceProfileName',
      'LaunchTemplateName',
      'FileSystemName',
    ]) {
      expect(text).not.toContain(`"${property}"`);
    }
  });

  it('the database is named after the stack UUID, not the id: RDS rejects what CloudFormation would derive from some ids', () => {
    // CloudFormation builds a generated RDS name from a cut of the stack name; a cut that ends in a
    // hyphen gives "--", which RDS refuses (and moto's generator exceeds 63 characters for long ids).
    const identifier = renderTemplate('simple').Resources.Database?.Properties?.DBInstanceIdentifier;
    expect(identifier).toEqual({
      'Fn::Sub': [
        'det-db-${StackUuid}',
        { StackUuid: { 'Fn::Select': ['2', { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] } },
      ],
    });
    const uuid = '0b6c2a9e-5f1d-4c3b-9a8e-7d6f5e4c3b2a';
    const name = `det-db-${uuid}`;
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/);
  });
});
