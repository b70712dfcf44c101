import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, wherever the process was started from. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
