/**
 * Writes templates/<type>.yaml from the template code, or with --check fails when a file is stale.
 * Usage: tsx templates/render.ts [--check]
 */
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { writeOrCheck } from '../scripts/generated-files.ts';
import { DEPLOYMENT_TYPES } from '../core/cluster/request.ts';
import { renderTemplate } from './src/index.ts';

const HEADER = '# Generated from templates/src by `npm run templates`; edit the code, not this file.\n';

export function renderedYaml(type: (typeof DEPLOYMENT_TYPES)[number]): string {
  return HEADER + stringify(renderTemplate(type), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Writes every rendered file, or with check only compares; returns the number of stale files. */
function renderAll(check: boolean): number {
  const files = DEPLOYMENT_TYPES.map((type) => ({
    url: new URL(`./${type}.yaml`, import.meta.url),
    label: `templates/${type}.yaml`,
    text: renderedYaml(type),
  }));
  return writeOrCheck(files, check, 'npm run templates');
}

// Run only as a script, so tests can import renderedYaml without writing files.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = renderAll(process.argv.includes('--check')) > 0 ? 1 : 0;
}
