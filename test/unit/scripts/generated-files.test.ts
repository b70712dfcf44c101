/** The write-or-check loop behind `npm run templates` and `npm run statemachines`. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeOrCheck } from '../../../scripts/generated-files.ts';

describe('writeOrCheck', () => {
  let dir: string;
  let errors: string[];
  const { log, error } = console;
  const file = (name: string, text: string) => ({ url: pathToFileURL(join(dir, name)), label: name, text });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'generated-'));
    errors = [];
    console.log = () => undefined;
    console.error = (line: string) => errors.push(line);
  });
  afterEach(() => {
    Object.assign(console, { log, error });
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts missing and changed files as stale without writing them', () => {
    writeFileSync(join(dir, 'same.yaml'), 'a\n');
    writeFileSync(join(dir, 'changed.yaml'), 'old\n');
    const files = [file('same.yaml', 'a\n'), file('changed.yaml', 'new\n'), file('missing.yaml', 'b\n')];

    expect(writeOrCheck(files, true, 'npm run x')).toBe(2);
    expect(readFileSync(join(dir, 'changed.yaml'), 'utf8')).toBe('old\n');
    expect(errors).toEqual(['changed.yaml is stale: run npm run x', 'missing.yaml is stale: run npm run x']);
  });

  it('writes every file, after which a check finds nothing stale', () => {
    const files = [file('changed.yaml', 'new\n'), file('missing.yaml', 'b\n')];
    writeFileSync(join(dir, 'changed.yaml'), 'old\n');

    expect(writeOrCheck(files, false, 'npm run x')).toBe(0);
    expect(readFileSync(join(dir, 'changed.yaml'), 'utf8')).toBe('new\n');
    expect(writeOrCheck(files, true, 'npm run x')).toBe(0);
  });
});
