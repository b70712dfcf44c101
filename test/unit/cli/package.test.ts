/**
 * det-deploy ships as one bundled file run by plain node: `npm pack ./cli` gives a package with the
 * bin, nothing else and no dependencies, and the project's own bin is that same file.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

interface Manifest {
  bin: Record<string, string>;
  dependencies?: unknown;
  devDependencies?: unknown;
  peerDependencies?: unknown;
}
const manifest = (folder: string) =>
  JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;

const cliBin = join(root, 'cli', String(manifest(join(root, 'cli')).bin['det-deploy']));

describe('the det-deploy package', () => {
  it('holds the bin and its manifest only, and depends on nothing', () => {
    // No prepack here (it rebuilds the bundle, which other tests may be running): pretest built it.
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--silent', '--ignore-scripts', './cli'], {
        cwd: root,
        encoding: 'utf8',
      }),
    ) as { name: string; files: { path: string }[] }[];
    expect(packed?.name).toBe('det-deploy');
    expect(packed?.files.map((file) => join(root, 'cli', file.path)).sort()).toEqual(
      [cliBin, join(root, 'cli', 'package.json')].sort(),
    );
    const cli = manifest(join(root, 'cli'));
    expect(cli.dependencies).toBeUndefined();
    expect(cli.devDependencies).toBeUndefined();
    expect(cli.peerDependencies).toBeUndefined();
  });

  it('is one file that imports only node built-ins, so plain node runs it', () => {
    const code = readFileSync(cliBin, 'utf8');
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const specifiers = [
      ...code.matchAll(/\bimport\s*[\w${},\s*]*?\s*from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']/g),
    ].map((match) => match[1] ?? match[2] ?? '');
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => !specifier.startsWith('node:'))).toEqual([]);
    expect(code).not.toMatch(/\btsx\b/);
  });

  it('is the bin of the project too, and --help runs on plain node', () => {
    expect(join(root, String(manifest(root).bin['det-deploy']))).toBe(cliBin);
    // npx runs the project's own bin as a program: the build leaves it executable.
    expect(statSync(cliBin).mode & 0o111).toBe(0o111);
    const help = execFileSync(process.execPath, [cliBin, '--help'], { encoding: 'utf8' });
    expect(help).toContain('det-deploy aws up --cluster-id ID --keypair KEY');
  });
});
