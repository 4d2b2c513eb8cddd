import { afterRefusal, CallPreparationError, classifyWriteError, retryDelayMs } from './call-write-policy';

describe('call write policy', () => {
  test.each([
    ['NUL in text (22021)', { code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' }, 'call'],
    ['\\u0000 in jsonb (22P05)', { code: '22P05', message: 'unsupported Unicode escape sequence' }, 'call'],
    ['timestamp out of range (22008)', { code: '22008' }, 'call'],
    ['a check constraint (23514)', { code: '23514' }, 'call'],
    ['jsonb too large (54000)', { code: '54000' }, 'call'],
    ['our own preparation', new CallPreparationError('1.1', new TypeError('x')), 'call'],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'database'],
    ['connection terminated', new Error('Connection terminated unexpectedly'), 'database'],
    ['admin shutdown (57P01)', { code: '57P01' }, 'database'],
    ['a missing table (42P01)', { code: '42P01' }, 'database'],
    ['read-only server (25006)', { code: '25006' }, 'database'],
    ['disk full (53100)', { code: '53100' }, 'database'],
    ['deadlock (40P01)', { code: '40P01' }, 'database'],
  ])('%s → %s', (_label, error, kind) => {
    expect(classifyWriteError(error)).toBe(kind);
  });

  it('backs off 1 s doubling to 30 s, and parks after the last attempt', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(afterRefusal(1, 5)).toEqual({ action: 'retry', delayMs: 1000 });
    expect(afterRefusal(4, 5)).toEqual({ action: 'retry', delayMs: 8000 });
    expect(afterRefusal(5, 5)).toEqual({ action: 'park' });
  });
});
