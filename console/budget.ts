/** The console's size budget (issue 13): its JavaScript at most 100 KB gzipped, checked by a test and the bench. */
import { gzipSync } from 'node:zlib';
import assets from './dist/assets.json' with { type: 'json' };

export const TARGET_GZIP_BYTES = 100 * 1024;

/** The console's JavaScript and style sheet, gzipped as a server would send them. */
export function consoleGzipBytes(): { js: number; css: number } {
  const sizes = { js: 0, css: 0 };
  for (const [name, file] of Object.entries(assets.files as Record<string, { body: string }>)) {
    const bytes = gzipSync(file.body, { level: 9 }).length;
    if (name.endsWith('.js')) sizes.js += bytes;
    if (name.endsWith('.css')) sizes.css += bytes;
  }
  return sizes;
}
