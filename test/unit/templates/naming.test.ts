/**
 * Names derived from a cluster's team and id (core/cluster/naming.ts and the templates) are valid for
 * every id the API accepts (1..64 of [a-zA-Z0-9-], starting with a letter, any case), every team
 * (core/principal.ts) and every stack prefix the configuration accepts (empty, or ending in a
 * hyphen). The stack name is `<prefix><id>`; two teams' live clusters never share it because the
 * name is claimed across teams (adapters/cluster-store.ts; issue 18, findings 1 and 4).
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
const LONGEST_PREFIX = `p${'-x'.repeat(15)}-`; // 32 characters
const PREFIXES = ['', 'detcp-dev-', 'A-', LONGEST_PREFIX];
const now = new Date('2031-12-31T23:59:59.999Z'); // a late date: the longest base-36 time
const TEAM_EXTREMES = ['a', `T${'.'.repeat(63)}`, 'ml-research'];

/** AWS's rules for each name, from the service documentation. */
function problems(id: string, team = 'ml-research', prefix = LONGEST_PREFIX): string[] {
  const found: string[] = [];
  const check = (ok: boolean, what: string) => ok || found.push(what);
  const cluster = { team, clusterId: id };
  const stack = stackName(prefix, id);
  check(/^[a-zA-Z][-a-zA-Z0-9]*$/.test(stack) && stack.length <= 128, 'CloudFormation stack name');
  check(stack === `${prefix}${id}`, 'the prefix, then the id');
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
      for (const prefix of PREFIXES) expect(problems(id, team, prefix)).toEqual([]);
    },
  );

  it('are valid for any id and team the API accepts', () => {
    fc.assert(fc.property(clusterIds, teams, (id, team) => problems(id, team).length === 0));
  });

  it('differ between two ids, so the stack and the agent tag pair are one id’s; executions are one team’s too', () => {
    const names = (id: string) => {
      const stack = stackName('detcp-dev-', id);
      return [stack, agentTag(stack).value];
    };
    fc.assert(
      fc.property(teams, clusterIds, teams, clusterIds, (teamA, a, teamB, b) => {
        const executions = [
          executionName({ team: teamA, clusterId: a }, 'create', now),
          executionName({ team: teamB, clusterId: b }, 'create', now),
        ];
        if (teamA === teamB && a === b) return true;
        if (executions[0] === executions[1]) return false;
        if (a === b) return true;
        const [first, second] = [names(a), names(b)];
        return first.every((name, index) => name !== second[index]);
      }),
    );
  });

  it('accept only an empty prefix or one that ends in a hyphen, at most 32 characters', () => {
    for (const prefix of PREFIXES) expect(STACK_PREFIX.test(prefix)).toBe(true);
    for (const prefix of ['detcp', '-x-', '1a-', 'a_b-', 'a--b', `${LONGEST_PREFIX}x-`, 'a b-'])
      expect(STACK_PREFIX.test(prefix) && prefix.length <= STACK_PREFIX_MAX).toBe(false);
  });

  it('never name a stack outside the prefix, whatever the id: not a foreign stack, not the control plane’s (finding 1)', () => {
    for (const id of ['det-control-plane-dev', 'victim-stack', 'detcp-prod']) {
      const stack = stackName('detcp-dev-', id);
      expect(stack).toBe(`detcp-dev-${id}`);
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
