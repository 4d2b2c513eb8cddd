import { progressBar, ProgressReporter, progressText } from './progress';

describe('CLI progress', () => {
  it.each([
    [0, 100, '[░░░░░░░░░░]   0%'],
    [45, 100, '[█████░░░░░]  45%'],
    [100, 100, '[██████████] 100%'],
    [5, null, '[░░░░░░░░░░]    '],
  ])('bar %d of %s', (done, total, bar) => {
    expect(progressBar(done, total, 10)).toBe(bar);
  });

  it('text: rows, errors, rate and what is left', () => {
    expect(progressText({ done: 45_000, total: 100_000, errors: 12, elapsedMs: 10_000 })).toBe('45,000/100,000 rows, 12 errors, 4,500 rows/s, about 13 s left');
    expect(progressText({ done: 1, total: null, errors: 1, elapsedMs: 0 })).toBe('1 rows, 1 error');
  });

  it('redraws one line on a terminal; plain lines at most every 2 s otherwise', () => {
    let now = 0;
    const tty: string[] = [];
    const onTty = new ProgressReporter({ isTTY: true, write: (s: string) => tty.push(s) }, 'import-clients', 10, () => now);
    now = 1000;
    onTty.update(5, 0);
    onTty.finish(10, 1);
    expect(tty).toEqual([
      '\rimport-clients: [████████████░░░░░░░░░░░░]  50% 5/10 rows, 0 errors, 5 rows/s, about 1 s left\x1b[K',
      '\rimport-clients: [████████████████████████] 100% 10/10 rows, 1 error, 10 rows/s\x1b[K',
      '\n',
    ]);

    const plain: string[] = [];
    now = 0;
    const onPipe = new ProgressReporter({ isTTY: false, write: (s: string) => plain.push(s) }, 'import-clients', 10, () => now);
    for (const t of [500, 2500, 3000, 4600]) {
      now = t;
      onPipe.update(t / 1000, 0);
    }
    expect(plain).toEqual(['import-clients: 2.5/10 rows, 0 errors, 1 rows/s, about 8 s left\n', 'import-clients: 4.6/10 rows, 0 errors, 1 rows/s, about 6 s left\n']);
  });
});
