/**
 * The one write-or-check loop behind `npm run templates` and `npm run statemachines`: files made
 * from code are either rewritten, or (with --check) compared so CI fails when a commit forgot them.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface GeneratedFile {
  /** Where the file lives. */
  url: URL;
  /** How to name it in messages, relative to the repo root. */
  label: string;
  text: string;
}

/** Writes every file, or with check only compares; returns how many are stale. */
export function writeOrCheck(files: readonly GeneratedFile[], check: boolean, regenerate: string): number {
  let stale = 0;
  for (const { url, label, text } of files) {
    if (!check) {
      writeFileSync(url, text);
      console.log(`wrote ${label}`);
    } else if (readOrEmpty(url) !== text) {
      console.error(`${label} is stale: run ${regenerate}`);
      stale++;
    }
  }
  return stale;
}

function readOrEmpty(url: URL): string {
  try {
    return readFileSync(url, 'utf8');
  } catch {
    return ''; // a missing file counts as stale
  }
}
