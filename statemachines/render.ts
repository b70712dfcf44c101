/**
 * Writes statemachines/<name>.asl.json from the workflow code, or with --check fails when a file is
 * stale. Usage: tsx statemachines/render.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderedAsl, WORKFLOWS } from './src/index.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const name of Object.keys(WORKFLOWS)) {
  const path = new URL(`./${name}.asl.json`, import.meta.url);
  const text = renderedAsl(name);
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`statemachines/${name}.asl.json is stale: run npm run statemachines`);
      stale++;
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote statemachines/${name}.asl.json`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
