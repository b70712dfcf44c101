/** What the CLI exits with: 0 success, 1 failure, 2 usage error (a mistake on the command line). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Interrupted by Ctrl-C while waiting (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** The command line itself is wrong; nothing was sent. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The subcommand whose --help to point at. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure to report as is: the message is written for the user, no stack trace needed. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
