/** The progress line: in place on a terminal, one plain line per change when piped. */
import { ProgressLine, progressText, ttyLine } from '../../../cli/progress.ts';
import { cluster, detDeploy, FakeApi } from './fake-api.ts';

const progress = (resourcesDone: number) => ({
  stackStatus: 'CREATE_IN_PROGRESS',
  resourcesDone,
  resourcesTotal: 25,
});

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => void writes.push(text), isTTY, columns: 100 } };
}

describe('progress rendering', () => {
  it('shows status alone without progress, and resources done of total with it', () => {
    expect(progressText({ status: 'CREATING' })).toBe('CREATING');
    expect(progressText({ status: 'CREATING', progress: progress(12) })).toBe(
      'CREATING: stack CREATE_IN_PROGRESS, 12/25 resources',
    );
  });

  it('on a terminal rewrites one line in place (carriage return, clear line, no newline)', () => {
    const { writes, stream: tty } = stream(true);
    const line = new ProgressLine(tty);
    line.update({ status: 'CREATING', progress: progress(5), elapsedMs: 1000 });
    line.update({ status: 'CREATING', progress: progress(5), elapsedMs: 2000 });
    line.update({ status: 'CREATING', progress: progress(20), elapsedMs: 3000 });
    line.finish();

    expect(writes).toHaveLength(4);
    for (const write of writes.slice(0, 3)) {
      expect(write.startsWith('\r\x1b[2K')).toBe(true);
      expect(write).not.toContain('\n');
    }
    expect(writes[0]).toContain('5/25 resources');
    expect(writes[1]).toContain('2s'); // the clock moves even when nothing else does
    expect(writes[2]).toContain('[################....]');
    expect(writes[3]).toBe('\r\x1b[2K');
  });

  it('when piped writes a plain line only when something changed', () => {
    const { writes, stream: pipe } = stream(false);
    const line = new ProgressLine(pipe);
    line.update({ status: 'CREATING', elapsedMs: 0 });
    line.update({ status: 'CREATING', elapsedMs: 1000 });
    line.update({ status: 'CREATING', progress: progress(3), elapsedMs: 2000 });
    line.update({ status: 'CREATING', progress: progress(3), elapsedMs: 3000 });
    line.update({ status: 'READY', elapsedMs: 64_000 });
    line.finish();

    expect(writes).toEqual([
      '[    0s] CREATING\n',
      '[    2s] CREATING: stack CREATE_IN_PROGRESS, 3/25 resources\n',
      '[ 1m04s] READY\n',
    ]);
    expect(writes.join('')).not.toContain('\r');
  });

  it('keeps the progress line under an event on a terminal', () => {
    const { writes, stream: tty } = stream(true);
    const line = new ProgressLine(tty);
    line.update({ status: 'CREATING', elapsedMs: 0 });
    line.note('  MasterInstance CREATE_FAILED');
    expect(writes[1]).toBe('\r\x1b[2K  MasterInstance CREATE_FAILED\nCREATING  0s');
  });

  it('treats a terminal that reports no width as 80 columns', () => {
    const writes: string[] = [];
    const line = new ProgressLine({ write: (text) => void writes.push(text), isTTY: true, columns: 0 });
    line.update({ status: 'CREATING', progress: progress(5), elapsedMs: 0 });
    expect(writes[0]).toContain('CREATING: stack CREATE_IN_PROGRESS, 5/25 resources  0s');
  });

  it('never wraps on a narrow terminal', () => {
    const text = ttyLine({ status: 'UPDATING', progress: progress(7), elapsedMs: 5000 }, 30);
    expect(text.length).toBeLessThan(30);
  });
});

describe('progress while waiting for the real command', () => {
  function api() {
    return new FakeApi()
      .on(
        'GET',
        '/clusters/c1',
        { status: 404, body: { status: 404 } },
        { status: 200, body: cluster({ status: 'CREATING' }) },
        { status: 200, body: cluster({ status: 'CREATING', progress: progress(10) }) },
        { status: 200, body: cluster({ status: 'CREATING', progress: progress(10) }) },
        { status: 200, body: cluster({ status: 'CREATING', progress: progress(25) }) },
        { status: 200, body: cluster() },
      )
      .on('GET', '/clusters/c1/events', {
        status: 200,
        body: {
          items: [
            {
              id: 'e1',
              at: '2030-01-01T00:10:00.000Z',
              source: 'control-plane',
              kind: 'create-requested',
              status: 'CREATING',
              message: 'alpha-user requested a simple cluster',
            },
          ],
        },
      })
      .on('POST', '/clusters', { status: 202, body: cluster({ status: 'CREATING' }) });
  }
  const argv = ['aws', 'up', '--cluster-id', 'c1', '--keypair', 'demo-key'];

  it('piped: one line per change, the new timeline entry on its own line, the summary on stdout', async () => {
    const { code, err, out } = await detDeploy(argv, api(), { tty: false });
    expect(code).toBe(0);
    const lines = err.split('\n').filter((line) => line.startsWith('['));
    expect(lines).toEqual([
      '[    0s] CREATING',
      '[    1s] CREATING: stack CREATE_IN_PROGRESS, 10/25 resources',
      '[    3s] CREATING: stack CREATE_IN_PROGRESS, 25/25 resources',
      '[    4s] READY',
    ]);
    expect(err).toContain('CREATING: alpha-user requested a simple cluster');
    expect(err).not.toContain('\r');
    expect(out).toContain('export DET_MASTER=');
    expect(out).not.toContain('CREATING');
  });

  it('on a terminal: every poll redraws in place and the line is cleared before the summary', async () => {
    const { io } = await detDeploy(argv, api(), { tty: true });
    const redraws = io.stderrWrites.filter((write) => write.startsWith('\r\x1b[2K') && !write.includes('\n'));
    expect(redraws.length).toBeGreaterThanOrEqual(5);
    expect(redraws.at(-1)).toBe('\r\x1b[2K');
  });
});
