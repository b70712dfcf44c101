/**
 * Writes resources/observability.yml (alarms, dashboard, dead-letter queues, tracing) from
 * resources/src over serverless.yml, or with --check fails when it is stale.
 * Usage: tsx resources/render.ts [--check]
 */
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { writeOrCheck } from '../scripts/generated-files.ts';
import { observabilityTemplate } from './src/index.ts';
import { readServiceShape } from './src/service.ts';

const HEADER =
  '# Generated from resources/src over serverless.yml by `npm run resources`; edit the code, not this file.\n';

export function renderedObservability(): string {
  return (
    HEADER +
    stringify(observabilityTemplate(readServiceShape()), { lineWidth: 0, aliasDuplicateObjects: false })
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = [
    {
      url: new URL('./observability.yml', import.meta.url),
      label: 'resources/observability.yml',
      text: renderedObservability(),
    },
  ];
  process.exitCode = writeOrCheck(files, process.argv.includes('--check'), 'npm run resources') > 0 ? 1 : 0;
}
