/**
 * det-deploy's start-up: `node <bin> --help` against `node -e 0`, each ratio taken from a pair of runs
 * back to back, median of the pairs (the method of the structure acceptance check; target: <= 2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../local/paths.ts';
import { percentile, round1, timeRun, type BenchSection } from './context.ts';

const PAIRS = 9;
export const TARGET_RATIO = 2;

export const cli: BenchSection = {
  name: 'cli',
  async run() {
    const { bin } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const file = join(projectRoot, String(bin['det-deploy']));
    const help = () => timeRun(process.execPath, [file, '--help']);
    const empty = () => timeRun(process.execPath, ['-e', '0']);
    help(); // warm the file cache, as the check does
    empty();
    const ratios: number[] = [];
    const helpMs: number[] = [];
    const emptyMs: number[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const [helpRun, emptyRun] = [help(), empty()];
      helpMs.push(helpRun);
      emptyMs.push(emptyRun);
      ratios.push(helpRun / emptyRun);
    }
    const ratio = Math.round(percentile(ratios, 50) * 100) / 100;
    return {
      bin: String(bin['det-deploy']),
      bundleBytes: readFileSync(file).length,
      helpMs: round1(percentile(helpMs, 50)),
      nodeEmptyMs: round1(percentile(emptyMs, 50)),
      helpRatio: ratio,
      targetRatio: TARGET_RATIO,
      underTarget: ratio <= TARGET_RATIO,
    };
  },
};
