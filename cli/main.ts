/** The det-deploy process: real streams, terminal prompt and Ctrl-C handling around run(). */
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { Io } from './context.ts';
import { EXIT_INTERRUPTED } from './errors.ts';
import { run } from './run.ts';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  // The first Ctrl-C stops waiting politely (the operation goes on); a second one quits at once.
  if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
  interrupt.abort();
});

const stream = (target: NodeJS.WriteStream) => ({
  write: (text: string) => void target.write(text),
  get isTTY() {
    return target.isTTY === true;
  },
  get columns() {
    return target.columns;
  },
});

const io: Io = {
  stdout: stream(process.stdout),
  stderr: stream(process.stderr),
  env: process.env,
  stdinIsTTY: process.stdin.isTTY === true,
  prompt: (question) =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      rl.on('SIGINT', () => {
        rl.close();
        process.stderr.write('\n');
        resolve('');
      });
      rl.question(question, (answer) => {
        rl.close();
        resolve(answer);
      });
    }),
  sleep: (ms) => delay(ms, undefined, { signal: interrupt.signal }),
  now: () => Date.now(),
  fetch: globalThis.fetch,
  signal: interrupt.signal,
};

process.exitCode = await run(process.argv.slice(2), io);
