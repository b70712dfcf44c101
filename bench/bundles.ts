/**
 * Bundle size per Lambda function, built the way serverless-esbuild builds them for deployment
 * (the options come from serverless.yml), and its cold start: how long a fresh node process spends
 * importing the bundle, against an empty handler's bundle built the same way. Runs are interleaved
 * (one of each bundle per round) and the median of the rounds is kept, so load on this shared
 * machine hits every bundle alike.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { projectRoot } from '../local/paths.ts';
import { importMs, percentile, round1, type BenchSection } from './context.ts';

interface EsbuildSettings {
  minify: boolean;
  target: string;
  platform: 'node';
  format: 'esm';
  mainFields: string[];
  alias?: Record<string, string>;
  banner?: { js: string };
}

export const TARGET_BYTES = 400 * 1024;
export const TARGET_IMPORT_MS = 100;
const ROUNDS = 9;
const EMPTY = 'emptyHandler';

function serverlessConfig() {
  const customTags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If'].map((tag) => ({
    tag,
    resolve: (value: string) => value,
  }));
  return parse(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8'), { customTags }) as {
    custom: { esbuild: EsbuildSettings };
    functions: Record<string, { handler: string }>;
  };
}

export const bundles: BenchSection = {
  name: 'bundles',
  async run() {
    const config = serverlessConfig();
    const settings = config.custom.esbuild;
    const out = mkdtempSync(join(tmpdir(), 'bundles-'));
    const bundle = async (name: string, entry: string) => {
      const outfile = join(out, `${name}.mjs`);
      await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        minify: settings.minify,
        target: settings.target,
        platform: settings.platform,
        format: settings.format,
        mainFields: settings.mainFields,
        ...(settings.alias ? { alias: settings.alias } : {}),
        ...(settings.banner ? { banner: settings.banner } : {}),
        logLevel: 'silent',
      });
      return outfile;
    };
    try {
      const emptyEntry = join(out, 'empty.ts');
      writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 204 });\n');
      const files = new Map([[EMPTY, await bundle(EMPTY, emptyEntry)]]);
      for (const [name, definition] of Object.entries(config.functions)) {
        const handlerFile = definition.handler.slice(0, definition.handler.lastIndexOf('.'));
        files.set(name, await bundle(name, join(projectRoot, `${handlerFile}.ts`)));
      }
      const samples = new Map([...files.keys()].map((name) => [name, [] as number[]]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, file] of files) samples.get(name)?.push(importMs(file));
      }
      const median = (name: string) => percentile(samples.get(name) ?? [], 50);
      const emptyMs = median(EMPTY);
      const functions: Record<
        string,
        { bytes: number; kib: number; importMs: number; importRatio: number; underTarget: boolean }
      > = {};
      for (const [name, file] of files) {
        if (name === EMPTY) continue;
        const bytes = statSync(file).size;
        functions[name] = {
          bytes,
          kib: Math.round(bytes / 102.4) / 10,
          importMs: round1(median(name)),
          importRatio: round1(median(name) / emptyMs),
          underTarget: bytes < TARGET_BYTES && median(name) < TARGET_IMPORT_MS,
        };
      }
      const entries = Object.values(functions);
      const largestBytes = Math.max(...entries.map((entry) => entry.bytes));
      const slowestImportMs = Math.max(...entries.map((entry) => entry.importMs));
      return {
        targetBytes: TARGET_BYTES,
        targetImportMs: TARGET_IMPORT_MS,
        rounds: ROUNDS,
        emptyHandlerImportMs: round1(emptyMs),
        largestBytes,
        slowestImportMs,
        allUnderTarget: largestBytes < TARGET_BYTES && slowestImportMs < TARGET_IMPORT_MS,
        functions,
      };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};
