/** det-deploy from argv to exit code, over an injected Io so tests can drive it without a process. */
import { ApiClient, ApiError, ApiUnreachableError } from './api-client.ts';
import { down } from './commands/down.ts';
import { park } from './commands/park.ts';
import { list, status } from './commands/read.ts';
import { up } from './commands/up.ts';
import type { Io } from './context.ts';
import { CliError, EXIT_FAILURE, EXIT_USAGE, UsageError } from './errors.ts';
import type { RequestFields } from './flags.ts';
import { parseCommand, type Command } from './parse-command.ts';
import { renderApiError } from './render.ts';

export async function run(argv: readonly string[], io: Io): Promise<number> {
  let command: Command | undefined;
  try {
    command = parseCommand(argv, io.env);
    if (command.name === 'help') {
      io.stdout.write(command.text);
      return 0;
    }
    const client = new ApiClient({
      baseUrl: command.global.apiUrl,
      token: command.global.token,
      fetch: io.signal ? withSignal(io.fetch, io.signal) : io.fetch,
      sleep: io.sleep,
      ...(io.newIdempotencyKey ? { newIdempotencyKey: io.newIdempotencyKey } : {}),
    });
    const context = { client, io };
    switch (command.name) {
      case 'up':
        return await up(command, context);
      case 'down':
        return await down(command, context);
      case 'list':
        return await list(command, context);
      case 'status':
        return await status(command, context);
      case 'stop':
      case 'start':
        return await park(command, context);
    }
  } catch (error) {
    return report(error, io, command, argv.includes('--debug'));
  }
}

function report(error: unknown, io: Io, command: Command | undefined, debug: boolean): number {
  const write = (text: string) => io.stderr.write(`det-deploy: ${text}\n`);
  let code = EXIT_FAILURE;
  if (error instanceof UsageError) {
    write(error.message);
    io.stderr.write(`Run "det-deploy aws ${error.command ?? ''} --help" for the flags.\n`.replace('  ', ' '));
    code = EXIT_USAGE;
  } else if (error instanceof CliError) {
    write(error.message);
    code = error.exitCode;
  } else if (error instanceof ApiError) {
    const given: RequestFields = command?.name === 'up' ? command.fields : {};
    write(renderApiError(error, given));
    if (debug) io.stderr.write(`  request: ${error.request}\n  problem: ${JSON.stringify(error.problem)}\n`);
  } else if (error instanceof ApiUnreachableError) {
    write(error.message);
  } else {
    write(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    if (!debug) io.stderr.write('Run again with --debug for the stack trace.\n');
  }
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return code;
}

/** Ctrl-C also ends the request in flight, not only the wait between polls. */
function withSignal(base: typeof fetch, signal: AbortSignal): typeof fetch {
  return (input, init) =>
    base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}
