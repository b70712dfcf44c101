/**
 * Writes statemachines/<name>.asl.json from the workflow code, or with --check fails when a file is
 * stale. Usage: tsx statemachines/render.ts [--check]
 */
import { writeOrCheck } from '../scripts/generated-files.ts';
import { renderedAsl, WORKFLOWS } from './src/index.ts';

const files = Object.keys(WORKFLOWS).map((name) => ({
  url: new URL(`./${name}.asl.json`, import.meta.url),
  label: `statemachines/${name}.asl.json`,
  text: renderedAsl(name),
}));
process.exitCode = writeOrCheck(files, process.argv.includes('--check'), 'npm run statemachines') > 0 ? 1 : 0;
