/**
 * Names derived from a cluster id (core/cluster/naming.ts and the templates) are valid for every id
 * the API accepts: 1..64 of [a-zA-Z0-9-], starting with a letter, any case.
 */
import fc from 'fast-check';
import { agentTag, executionName, secretName, stackName } from '../../../core/cluster/naming.ts';
import { CLUSTER_ID } from '../../../core/cluster/request.ts';
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
const now = new Date('2031-12-31T23:59:59.999Z'); // a late date: the longest base-36 time

/** AWS's rules for each name, from the service documentation. */
function problems(id: string): string[] {
  const found: string[] = [];
  const check = (ok: boolean, what: string) => ok || found.push(what);
  const stack = stackName(id);
  check(/^[a-zA-Z][-a-zA-Z0-9]*$/.test(stack) && stack.length <= 128, 'CloudFormation stack name');
  for (const operation of ['create', 'update', 'delete'] as const) {
    const execution = executionName(id, operation, now);
    // Step Functions execution name, reused as the CloudFormation ClientRequestToken.
    check(
      execution.length <= 80 && /^[a-zA-Z0-9][-a-zA-Z0-9]*$/.test(execution),
      `${operation} execution name`,
    );
  }
  const secret = secretName(id, 1, now);
  check(secret.length <= 512 && /^[a-zA-Z0-9/_+=.@-]+$/.test(secret), 'Secrets Manager name');
  const tag = agentTag(id);
  check(tag.key.length <= 128 && tag.value.length <= 256 && !tag.key.startsWith('aws:'), 'EC2 tag');
  const logGroup = `/determined/${stack}`;
  check(logGroup.length <= 512 && /^[.\-_/#A-Za-z0-9]+$/.test(logGroup), 'log group name');
  // Name tags and the like in the templates: ${AWS::StackName}-<suffix>, tag values <= 256.
  check(`det-bastion-${stack}`.length <= 256, 'Name tag');
  return found;
}

describe('names derived from a cluster id', () => {
  it.each(EXTREMES)('are valid for %s', (id) => {
    expect(CLUSTER_ID.test(id) && id.length <= 64).toBe(true);
    expect(problems(id)).toEqual([]);
  });

  it('are valid for any id the API accepts', () => {
    fc.assert(fc.property(clusterIds, (id) => problems(id).length === 0));
  });

  it('differ between two clusters, so the agent tag pair is unique to one cluster', () => {
    fc.assert(
      fc.property(clusterIds, clusterIds, (a, b) => a === b || agentTag(a).value !== agentTag(b).value),
    );
  });

  it('executions of one cluster never repeat a name, even a millisecond apart', () => {
    const first = executionName(EXTREMES[2] as string, 'create', now);
    const second = executionName(EXTREMES[2] as string, 'create', new Date(now.getTime() + 1));
    expect(first).not.toBe(second);
  });

  it('the templates set no length-limited name from the stack name: CloudFormation generates them', () => {
    // S3 buckets (lowercase, <= 63), IAM roles (<= 64), DB identifiers (<= 63): all generated and
    // truncated by CloudFormation, so a 64-character mixed-case id cannot break them.
    const template = renderTemplate('secure');
    const text = JSON.stringify(template);
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
