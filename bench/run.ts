/**
 * npm run bench [-- section ...]: measures what the issues ask to be measured, in one run, and
 * writes bench/results/latest.json (and a dated copy). Figures that compare two things are ratios
 * taken in the same run: this machine is shared and noisy, absolute times drift.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../local/paths.ts';
import { api } from './api.ts';
import { bundles } from './bundles.ts';
import { cli } from './cli.ts';
import { consoleBench } from './console.ts';
import { reaper } from './reaper.ts';
import { createContext, type BenchSection } from './context.ts';
import { workflows } from './workflows.ts';

const SECTIONS: BenchSection[] = [bundles, cli, workflows, api, reaper, consoleBench];

const wanted = process.argv.slice(2).filter((argument) => !argument.startsWith('-'));
const context = createContext();
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), node: process.version };
try {
  for (const section of SECTIONS.filter(
    (candidate) => wanted.length === 0 || wanted.includes(candidate.name),
  )) {
    const started = performance.now();
    process.stderr.write(`bench: ${section.name}...\n`);
    results[section.name] = {
      ...(await section.run(context)),
      sectionSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
  }
} finally {
  await context.stop();
}
const folder = join(projectRoot, 'bench', 'results');
mkdirSync(folder, { recursive: true });
const text = `${JSON.stringify(results, null, 2)}\n`;
writeFileSync(join(folder, 'latest.json'), text);
writeFileSync(join(folder, `${(results.startedAt as string).replace(/[:.]/g, '-')}.json`), text);
process.stdout.write(text);
