/**
 * cfn-lint (the AWS CloudFormation linter, with the resource schemas of every region) finds no error,
 * no warning and, with --include-checks I, no informational finding in any rendered template. A broken template in the same run proves that the linter
 * really ran and that its findings reach this test.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEPLOYMENT_TYPES } from '../../../core/cluster/request.ts';
import { renderTemplate } from '../../../templates/src/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');

interface Finding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
}

function cfnLint(files: string[]): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    // The exit code is a bit mask of the finding levels; the JSON on stdout is what counts.
    execFile(
      'cfn-lint',
      ['-f', 'json', '--include-checks', 'I', '--', ...files],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!stdout.trim()) {
          reject(new Error(`cfn-lint printed nothing (${error?.message ?? ''}): ${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout) as Finding[]);
      },
    );
  });
}

describe('cfn-lint', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('reports nothing (no error, no warning, not even informational) on the five rendered templates', async () => {
    // A misspelt property: cfn-lint must report E3002 for it.
    const broken = renderTemplate('secure') as unknown as {
      Resources: { MasterInstance: { Properties: Record<string, unknown> } };
    };
    const master = broken.Resources.MasterInstance.Properties;
    master.SubnetIdd = master.SubnetId;
    const brokenFile = join(scratch, 'broken.yaml');
    writeFileSync(brokenFile, stringify(broken));

    const files = DEPLOYMENT_TYPES.map((type) => `templates/${type}.yaml`);
    const findings = await cfnLint([...files, brokenFile]);

    const control = findings.filter((finding) => finding.Filename === brokenFile);
    expect(control.map((finding) => finding.Rule.Id)).toContain('E3002');

    const ours = findings
      .filter((finding) => finding.Filename !== brokenFile)
      .map((finding) => `${finding.Filename} ${finding.Rule.Id} ${finding.Message}`);
    expect(ours).toEqual([]);
  }, 60_000);
});
