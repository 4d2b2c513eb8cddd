import { LoginAttempts } from './login-limiter';

const WINDOW = 300_000;
const limiter = (maxKeys = 100, maxAttempts = 3): LoginAttempts => new LoginAttempts({ maxAttempts, windowMs: WINDOW, maxKeys });
const attempts = (l: LoginAttempts, key: string, n: number, at = 0): boolean[] => Array.from({ length: n }, () => l.attempt(key, at).ok);

describe('login attempts (bounded LRU of fixed windows)', () => {
  it('counts attempts per key; the one after the limit is refused until the window ends, then starts afresh', () => {
    const l = limiter();
    expect(attempts(l, 'victim', 4, 1_000)).toEqual([true, true, true, false]);
    expect(l.attempt('victim', 1_000)).toEqual({ ok: false, retryInMs: WINDOW });
    expect(l.attempt('victim', WINDOW + 999).ok).toBe(false);
    expect(l.attempt('victim', WINDOW + 1_000).ok).toBe(true);
    expect(l.isLocked('victim', WINDOW + 1_000)).toBe(false);
  });

  it('clear (a success) starts the key afresh; refund takes back one attempt', () => {
    const l = limiter();
    attempts(l, 'a', 3);
    l.clear('a');
    expect(attempts(l, 'a', 3)).toEqual([true, true, true]);
    l.refund('a', 0);
    expect(attempts(l, 'a', 2)).toEqual([true, false]);
  });

  it.each([
    { junk: 10, maxKeys: 10 },
    { junk: 10_001, maxKeys: 10 },
    { junk: 10_001, maxKeys: 10_000 },
    { junk: 50_000, maxKeys: 1_000 },
  ])('a locked key survives $junk junk keys in a table of $maxKeys (it is never evicted, never cleared)', ({ junk, maxKeys }) => {
    const l = limiter(maxKeys);
    attempts(l, 'victim', 3);
    expect(l.isLocked('victim', 0)).toBe(true);
    for (let i = 0; i < junk; i++) l.attempt(`junk-${i}@example.com`, 1);
    expect(l.isLocked('victim', 2)).toBe(true);
    expect(l.attempt('victim', 2).ok).toBe(false);
    expect(l.size).toBeLessThanOrEqual(maxKeys);
  });

  it('when full, expired windows go first, then the least recently tried unlocked key', () => {
    const l = limiter(3);
    l.attempt('old', 0); // expires at WINDOW
    l.attempt('recent', WINDOW - 10);
    l.attempt('older', WINDOW - 20);
    l.attempt('recent', WINDOW - 5); // touched: now the most recent
    l.attempt('new-1', WINDOW + 1); // 'old' has expired: it goes
    expect(l.size).toBe(3);
    l.attempt('new-2', WINDOW + 2); // nothing expired: the least recently tried unlocked key ('older') goes
    expect(l.attempt('recent', WINDOW + 3).ok).toBe(true);
    // 'older' was forgotten: it starts with a fresh window (its count is gone, as for any evicted unlocked key)
    expect(attempts(l, 'older', 3, WINDOW + 4)).toEqual([true, true, true]);
  });

  it('a table of locked keys only grows (no lock is dropped to make room)', () => {
    const l = limiter(10);
    for (let k = 0; k < 10; k++) attempts(l, `locked-${k}`, 3);
    l.attempt('one-more', 1);
    expect(l.size).toBe(11);
    for (let k = 0; k < 10; k++) expect(l.isLocked(`locked-${k}`, 2)).toBe(true);
  });
});
