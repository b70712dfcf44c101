/** What a command runs with: the API client and the process's streams, clock and terminal. */
import type { ApiClient } from './api-client.ts';
import type { OutStream } from './progress.ts';

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  stdinIsTTY: boolean;
  /** Ask on the terminal and return the answer ('' when there is none). */
  prompt(question: string): Promise<string>;
  sleep(ms: number): Promise<void>;
  now(): number;
  fetch: typeof fetch;
  newIdempotencyKey?: () => string;
  /** Aborted on Ctrl-C: waiting stops, the operation goes on in the control plane. */
  signal?: AbortSignal;
  /** Between two polls of the cluster while waiting. */
  pollIntervalMs?: number;
}

export interface Context {
  client: ApiClient;
  io: Io;
}

/** A line for the user that is not the command's result: stderr, so stdout stays pipeable. */
export function info(io: Io, text: string): void {
  io.stderr.write(`${text}\n`);
}
