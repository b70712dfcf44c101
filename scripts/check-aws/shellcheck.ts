/** shellcheck (the Debian package) on a script's text: its findings, every level included. */
import { spawnSync } from 'node:child_process';

export interface ShellcheckFinding {
  line: number;
  code: number;
  level: string;
  message: string;
}

export function shellcheck(script: string): ShellcheckFinding[] {
  const run = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=json', '-'], {
    input: script,
    encoding: 'utf8',
  });
  if (run.error) throw new Error(`shellcheck cannot run (apt-get install shellcheck): ${run.error.message}`);
  if (run.status !== 0 && run.status !== 1) throw new Error(`shellcheck failed: ${run.stderr}`);
  return (JSON.parse(run.stdout || '[]') as ShellcheckFinding[]).map(({ line, code, level, message }) => ({
    line,
    code,
    level,
    message,
  }));
}
