/**
 * Bundle size per Lambda function, built the way serverless-esbuild builds them for deployment
 * (the options come from serverless.yml), and how long importing each bundle takes.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { projectRoot } from '../local/paths.ts';
import type { BenchSection } from './context.ts';

interface EsbuildSettings {
  minify: boolean;
  target: string;
  platform: 'node';
  format: 'esm';
  mainFields: string[];
  alias?: Record<string, string>;
  banner?: { js: string };
}

export const TARGET_BYTES = 500 * 1024;

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
    const functions: Record<string, { bytes: number; kib: number; importMs: number; underTarget: boolean }> =
      {};
    try {
      for (const [name, definition] of Object.entries(config.functions)) {
        const entry = join(
          projectRoot,
          `${definition.handler.slice(0, definition.handler.lastIndexOf('.'))}.ts`,
        );
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
        const bytes = statSync(outfile).size;
        const started = performance.now();
        await import(pathToFileURL(outfile).href);
        functions[name] = {
          bytes,
          kib: Math.round(bytes / 102.4) / 10,
          importMs: Math.round(performance.now() - started),
          underTarget: bytes < TARGET_BYTES,
        };
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const largest = Math.max(...Object.values(functions).map((entry) => entry.bytes));
    return {
      targetBytes: TARGET_BYTES,
      largestBytes: largest,
      allUnderTarget: largest < TARGET_BYTES,
      functions,
    };
  },
};
