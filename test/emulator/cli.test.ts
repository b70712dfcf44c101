/**
 * The real det-deploy binary, as a child process, against the local runtime: create to READY with
 * det-deploy's summary, an update of one flag, tear-down to DELETED, and failures that exit non-zero
 * with their reason. The API and the emulator are the witnesses, not the CLI's own output.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { apiUrl, call, DEMO_KEY_PAIR, emulator, tokenFor, uniqueId } from '../support/local-api.ts';

const root = join(import.meta.dirname, '..', '..');
const { bin: bins } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
// The package's bin: the bundled CLI that `npm ci` (prepare) and `npm test` (pretest) build.
const bin = join(root, String(bins['det-deploy']));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function detDeploy(args: string[], token: string, command = [process.execPath, bin]): Promise<Result> {
  const [file, ...prefix] = command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...prefix, ...args], {
      cwd: root,
      // stdin is not a terminal here, as in CI
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DET_DEPLOY_API_URL: apiUrl(), DET_DEPLOY_TOKEN: token },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function stackParameter(stackName: string, key: string): Promise<string | undefined> {
  const { Stacks = [] } = await emulator
    .cloudFormation()
    .send(new DescribeStacksCommand({ StackName: stackName }));
  return Stacks[0]?.Parameters?.find((parameter) => parameter.ParameterKey === key)?.ParameterValue;
}

describe('det-deploy against the local runtime', () => {
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('cli');
  });

  it('up creates a READY cluster and prints DET_MASTER; up again updates one flag; down deletes it', async () => {
    const clusterId = uniqueId('cli');

    const created = await detDeploy(
      [
        'aws',
        'up',
        '--cluster-id',
        clusterId,
        '--keypair',
        DEMO_KEY_PAIR,
        '--max-dynamic-agents',
        '3',
        '--add-tag',
        'project=cli-test',
      ],
      token,
    );
    expect(created.stderr).not.toContain('det-deploy:');
    expect(created.code).toBe(0);
    const ready = await call('GET', `/clusters/${clusterId}`, { token });
    expect(ready.body.status).toBe('READY');
    expect(ready.body.parameters).toMatchObject({ maxDynamicAgents: 3, tags: { project: 'cli-test' } });
    expect(created.stdout).toContain(`export DET_MASTER=${ready.body.outputs.masterUrl}\n`);
    expect(created.stdout).toContain(`ssh -i ${DEMO_KEY_PAIR}.pem ubuntu@`);
    // Piped, the progress comes as plain lines on stderr and ends on READY.
    expect(created.stderr).toMatch(/^\[\s*\d+s\] READY$/m);
    expect(created.stderr).not.toContain('\r');

    const updated = await detDeploy(
      ['aws', 'up', '--cluster-id', clusterId, '--keypair', DEMO_KEY_PAIR, '--max-dynamic-agents', '4'],
      token,
    );
    expect(updated.stderr).not.toContain('det-deploy:');
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain('--max-dynamic-agents: 3 -> 4');
    const after = await call('GET', `/clusters/${clusterId}`, { token });
    expect(after.body.status).toBe('READY');
    // The flag given changed; the ones not given kept their values (det-deploy would have reset them).
    expect(after.body.parameters).toMatchObject({ maxDynamicAgents: 4, tags: { project: 'cli-test' } });
    expect(await stackParameter(after.body.stackId, 'MaxDynamicAgents')).toBe('4');
    expect(updated.stdout).toContain('export DET_MASTER=');

    // Without --yes and without a terminal to ask on, down refuses (a usage error) and deletes nothing.
    const refused = await detDeploy(['aws', 'down', '--cluster-id', clusterId], token);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect((await call('GET', `/clusters/${clusterId}`, { token })).body.status).toBe('READY');

    const deleted = await detDeploy(['aws', 'down', '--cluster-id', clusterId, '--yes'], token);
    expect(deleted.stderr).not.toContain('det-deploy:');
    expect(deleted.code).toBe(0);
    const gone = await call('GET', `/clusters/${clusterId}`, { token });
    expect(gone.status === 404 || gone.body.status === 'DELETED').toBe(true);
    expect(deleted.stdout).toContain(`checkpoint bucket: s3://${ready.body.outputs.checkpointBucket}`);
  }, 60_000);

  it('a bad cluster id exits 1 and names the flag and the rule; nothing is created', async () => {
    const result = await detDeploy(
      ['aws', 'up', '--cluster-id', 'bad_id', '--keypair', DEMO_KEY_PAIR],
      token,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--cluster-id: must start with a letter');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  }, 20_000);

  it('a missing key pair exits 1 with the reason at once: the API checks it, nothing is created', async () => {
    const clusterId = uniqueId('cli-nokey');
    const result = await detDeploy(
      ['aws', 'up', '--cluster-id', clusterId, '--keypair', 'no-such-key'],
      token,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no EC2 key pair named "no-such-key"');
    expect(result.stderr).toContain('--keypair');
    expect((await call('GET', `/clusters/${clusterId}`, { token })).status).toBe(404);
  }, 30_000);

  it('is the package bin: npx det-deploy --help works', async () => {
    const result = await detDeploy(['--help'], token, ['npx', '--no-install', 'det-deploy']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('det-deploy aws up --cluster-id ID --keypair KEY');
  }, 20_000);
});
