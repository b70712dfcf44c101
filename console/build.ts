/**
 * `npm run build:console`: bundles the web console (console/src, Preact) with esbuild into
 * console/dist/assets.json: the page and its content-hashed script and style sheet as text. The
 * console function imports that file, so the one Lambda bundle that serves GET / carries the
 * console and `npm run deploy` ships it with the API (docs/adr/0029-web-console.md).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = import.meta.dirname;

export interface ConsoleAsset {
  type: string;
  body: string;
}

export interface ConsoleAssets {
  /** The page, with CONFIG_PLACEHOLDER where the function puts the deployment's settings. */
  html: string;
  /** By file name (content-hashed, so the browser may keep them for good). */
  files: Record<string, ConsoleAsset>;
}

export const CONFIG_PLACEHOLDER = '<!--console-config-->';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export async function buildConsole(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: [join(here, 'src', 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    write: false,
    outdir: join(here, 'out'),
    logLevel: 'warning',
  });
  const files: Record<string, ConsoleAsset> = {};
  const names: Record<string, string> = {};
  for (const output of result.outputFiles) {
    const extension = output.path.slice(output.path.lastIndexOf('.'));
    const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 12);
    const name = `app.${hash}${extension}`;
    files[name] = { type: TYPES[extension] ?? 'application/octet-stream', body: output.text };
    names[extension] = name;
  }
  const html = readFileSync(join(here, 'src', 'index.html'), 'utf8')
    .replace('%SCRIPT%', `/console/${names['.js']}`)
    .replace('%STYLE%', `/console/${names['.css']}`);
  if (!html.includes(CONFIG_PLACEHOLDER)) throw new Error(`index.html lacks ${CONFIG_PLACEHOLDER}`);
  return { html, files };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const assets = await buildConsole();
  mkdirSync(join(here, 'dist'), { recursive: true });
  writeFileSync(join(here, 'dist', 'assets.json'), JSON.stringify(assets));
  for (const [name, file] of Object.entries(assets.files))
    process.stderr.write(`console: ${basename(name)} ${file.body.length} bytes\n`);
}
