/**
 * Writes templates/<type>.yaml from the template code, or with --check fails when a file is stale.
 * Usage: tsx templates/render.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { DEPLOYMENT_TYPES } from '../core/cluster/request.ts';
import { renderTemplate } from './src/index.ts';

const HEADER = '# Generated from templates/src by `npm run templates`; edit the code, not this file.\n';

export function renderedYaml(type: (typeof DEPLOYMENT_TYPES)[number]): string {
  return HEADER + stringify(renderTemplate(type), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Writes every rendered file, or with check only compares; returns the number of stale files. */
export function renderAll(check: boolean): number {
  let stale = 0;
  for (const type of DEPLOYMENT_TYPES) {
    const path = new URL(`./${type}.yaml`, import.meta.url);
    const text = renderedYaml(type);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`templates/${type}.yaml is stale: run npm run templates`);
        stale++;
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote templates/${type}.yaml`);
    }
  }
  return stale;
}

// Run only as a script, so tests can import renderedYaml without writing files.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = renderAll(process.argv.includes('--check')) > 0 ? 1 : 0;
}
