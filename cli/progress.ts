/**
 * The progress line while a stack builds: rewritten in place on a terminal, one plain line per
 * change when piped (so logs of CI jobs stay readable and short).
 */
import type { StackProgress } from './api-client.ts';

export interface OutStream {
  write(text: string): void;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressState {
  status: string;
  progress?: StackProgress;
  elapsedMs: number;
}

const CLEAR_LINE = '\r\x1b[2K';
const BAR_WIDTH = 20;

/** What changed, without the clock: a piped line is written only when this changes. */
export function progressText(state: Omit<ProgressState, 'elapsedMs'>): string {
  const { status, progress } = state;
  if (!progress) return status;
  const counts =
    progress.resourcesTotal > 0 ? `, ${progress.resourcesDone}/${progress.resourcesTotal} resources` : '';
  return `${status}: stack ${progress.stackStatus}${counts}`;
}

/** The in-place line of a terminal: a bar when the total is known, and the time so far. */
export function ttyLine(state: ProgressState, columns = 80): string {
  const { progress } = state;
  let bar = '';
  if (progress && progress.resourcesTotal > 0) {
    const done = Math.min(progress.resourcesDone, progress.resourcesTotal);
    const filled = Math.round((done / progress.resourcesTotal) * BAR_WIDTH);
    bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] `;
  }
  const line = `${bar}${progressText(state)}  ${formatDuration(state.elapsedMs)}`;
  // A line wider than the terminal wraps, and \r then rewrites only its last row.
  return line.length >= columns ? `${line.slice(0, Math.max(columns - 2, 10))}…` : line;
}

export function pipedLine(state: ProgressState): string {
  return `[${formatDuration(state.elapsedMs).padStart(6)}] ${progressText(state)}`;
}

export class ProgressLine {
  private lastText: string | undefined;
  private drawn: string | undefined;

  constructor(private readonly stream: OutStream) {}

  get tty(): boolean {
    return this.stream.isTTY === true;
  }

  update(state: ProgressState): void {
    const text = progressText(state);
    if (this.tty) {
      // A terminal that reports no width (0) gets the classic 80 columns.
      this.drawn = ttyLine(state, this.stream.columns || 80);
      this.stream.write(`${CLEAR_LINE}${this.drawn}`);
    } else if (text !== this.lastText) {
      this.stream.write(`${pipedLine(state)}\n`);
    }
    this.lastText = text;
  }

  /** A line of its own (an event), keeping the progress line below it on a terminal. */
  note(line: string): void {
    if (this.tty && this.drawn !== undefined) {
      this.stream.write(`${CLEAR_LINE}${line}\n${this.drawn}`);
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Leave the terminal on a clean line. */
  finish(): void {
    if (this.tty && this.drawn !== undefined) this.stream.write(CLEAR_LINE);
    this.drawn = undefined;
  }
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
