/**
 * Template facts that only a real AWS account would otherwise show (issue 10): the master waits for
 * its boot's signal in every type (5), FSx waits for its security group's rules (7), no pinned
 * PostgreSQL version (9), and the agents' Lustre client fallback boots into the kernel the client
 * was built for and runs the agent's setup again (10).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPLOYMENT_TYPES } from '../../../core/cluster/request.ts';
import { agentStartupOf, bootFor, sampleParameters } from '../../../scripts/check-aws/master-boot-check.ts';
import { renderTemplate } from '../../../templates/src/index.ts';
import { AGAIN_AFTER_REBOOT } from '../../../templates/src/shared-fs.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

describe.each(DEPLOYMENT_TYPES)('%s', (type) => {
  const template = renderTemplate(type) as Json;

  it('creates the master only on its boot’s signal, and carries a failure’s reason in a wait condition', () => {
    const master = template.Resources.MasterInstance;
    expect(master.CreationPolicy).toEqual({
      ResourceSignal: { Count: 1, Timeout: { 'Fn::Sub': 'PT${MasterBootTimeoutSeconds}S' } },
    });
    expect(template.Parameters.MasterBootTimeoutSeconds.Default).toBe(1200);
    expect(template.Resources.MasterBootCondition).toMatchObject({
      Type: 'AWS::CloudFormation::WaitCondition',
      Properties: {
        Handle: { Ref: 'MasterBootHandle' },
        Timeout: { Ref: 'MasterBootTimeoutSeconds' },
        Count: 1,
      },
    });
    // The condition starts with the master (same dependencies), not before the database exists.
    expect(template.Resources.MasterBootCondition.DependsOn).toEqual(
      expect.arrayContaining(['Database', 'MasterInstanceProfile']),
    );
  });

  it('lets RDS pick the PostgreSQL version (a pinned minor fails once RDS retires it)', () => {
    expect(template.Resources.Database.Properties).not.toHaveProperty('EngineVersion');
  });

  it('puts the master’s instance profile under /det-clusters/, where the stack role may create it', () => {
    expect(template.Resources.MasterInstanceProfile.Properties.Path).toBe('/det-clusters/');
    expect(template.Resources.AgentInstanceProfile.Properties.Path).toBe('/det-clusters/');
  });
});

describe('fsx', () => {
  const template = renderTemplate('fsx') as Json;

  it('creates the file system after every rule of its security group (FSx refuses a group without LNET)', () => {
    const rules = Object.entries<Json>(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::EC2::SecurityGroupIngress')
      .filter(([, resource]) => resource.Properties.GroupId['Fn::GetAtt'][0] === 'FsxSecurityGroup')
      .map(([id]) => id);
    expect(rules.length).toBe(4); // 988 and 1018-1023, from the agents and from itself
    expect([...template.Resources.FsxFileSystem.DependsOn].sort()).toEqual(rules.sort());
  });

  /** Runs the agents' startup script with stubs; the kernel's own client package may be missing. */
  function startup(clientForRunningKernel: boolean) {
    const script = agentStartupOf(bootFor('fsx', sampleParameters()).config);
    const sandbox = mkdtempSync(join(tmpdir(), 'det-agent-'));
    try {
      const bin = join(sandbox, 'bin');
      mkdirSync(bin);
      mkdirSync(join(sandbox, 'etc-apt', 'sources.list.d'), { recursive: true });
      const stub = (name: string, body = '') => {
        writeFileSync(
          join(bin, name),
          `#!/bin/bash\nprintf '%s\\n' "${name} $*" >>"$SANDBOX/calls"\n${body}\n`,
        );
        chmodSync(join(bin, name), 0o755);
      };
      for (const name of ['curl', 'gpg', 'docker', 'mount', 'reboot', 'install', 'sleep']) stub(name);
      stub('uname', 'echo 5.15.0-1051-aws');
      stub(
        'apt-get',
        `case "$*" in *lustre-client-modules-5.15.0-1051-aws*) [ "$CLIENT" = yes ] || exit 100 ;; esac`,
      );
      const mapped = script
        .replaceAll('/var/lib/cloud/', `${sandbox}/cloud/`)
        .replaceAll('/etc/apt/', `${sandbox}/etc-apt/`)
        .replaceAll('/mnt/fsx', `${sandbox}/mnt-fsx`);
      writeFileSync(join(sandbox, 'startup.sh'), mapped);
      const run = spawnSync('bash', [join(sandbox, 'startup.sh')], {
        encoding: 'utf8',
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          SANDBOX: sandbox,
          CLIENT: clientForRunningKernel ? 'yes' : 'no',
        },
      });
      const calls = existsSync(join(sandbox, 'calls'))
        ? readFileSync(join(sandbox, 'calls'), 'utf8').split('\n')
        : [];
      return { status: run.status, calls, sandbox };
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  }

  it('mounts Lustre when the running kernel has its client', () => {
    const { status, calls } = startup(true);
    expect(status).toBe(0);
    expect(calls).toContainEqual(
      expect.stringMatching(/^mount -t lustre -o relatime,flock \S+@tcp:\/\S+ \S+mnt-fsx$/),
    );
    expect(calls.some((call) => call.startsWith('reboot'))).toBe(false);
  });

  it('without one, installs the AWS kernel with its client, runs the setup again after a reboot, and stops the agent until then', () => {
    const { status, calls } = startup(false);
    expect(status).not.toBe(0); // the agent does not start on a kernel without the client
    expect(calls).toContain('apt-get install -y linux-aws lustre-client-modules-aws');
    const again = AGAIN_AFTER_REBOOT.replace('/var/lib/cloud/', '');
    expect(calls).toContainEqual(
      expect.stringMatching(
        new RegExp(`^install -m 0755 \\S+/cloud/instance/user-data.txt \\S+/cloud/${again}$`),
      ),
    );
    expect(calls).toContain('reboot ');
    expect(calls.some((call) => call.startsWith('mount'))).toBe(false);
  });
});
