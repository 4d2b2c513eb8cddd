import { findInputHazard } from './input-hazards';
import { jsonTooDeep } from './request-body';
import { withoutForbiddenCharacters } from './text-safety';

describe('input hazards (what must not reach the database)', () => {
  it.each([
    ['a clean body', { title: 'Татьяна 👍\tok\r\n', phones: ['+7 495'], nested: { a: [1, true, null] } }, null],
    ['a lone surrogate', { title: 'x\ud83d' }, 'title'],
    ['another control character', { notes: 'bell\u0007' }, 'notes'],
    ['NUL in a field', { title: 'a\u0000' }, 'title'],
    ['NUL in an array item', { phones: ['ok', 'b\u0000'] }, 'phones.1'],
    ['NUL deep inside', { a: { b: [{ c: '\u0000' }] } }, 'a.b.0.c'],
    ['NUL in a field name', { ['x\u0000y']: 1 }, 'x\\u0000y'],
    ['__proto__ as a field', JSON.parse('{"__proto__":{}}') as object, '__proto__'],
    ['constructor nested', { a: { constructor: {} } }, 'a.constructor'],
    ['a bare string (a path parameter)', 'abc\u0000def', 'value'],
  ])('%s → %s', (_name, value, field) => {
    expect(findInputHazard(value)?.field ?? null).toBe(field);
  });

  it('names a path or query parameter by its name', () => {
    expect(findInputHazard('abc\u0000def', 'linkedid')).toEqual({ field: 'linkedid', reason: 'contains the control character U+0000, which a text field may not carry' });
  });

  it('walks a million levels without recursion', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(findInputHazard(deep)?.field).toBe(`${'0.'.repeat(1_000_000 - 1)}0`);
  });
});

describe('JSON depth before parsing', () => {
  const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');
  it.each([
    ['flat', '{"a":1,"b":[1,2,3]}', false],
    ['32 levels', `${'['.repeat(32)}${']'.repeat(32)}`, false],
    ['33 levels', `${'['.repeat(33)}${']'.repeat(33)}`, true],
    ['brackets inside strings do not count', `{"a":"${'['.repeat(100)}"}`, false],
    ['an escaped quote does not end a string', `{"a":"\\"${'{'.repeat(100)}"}`, false],
    ['objects 40k deep', `${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}`, true],
  ])('%s → %s', (_name, text, tooDeep) => {
    expect(jsonTooDeep(bytes(text), 32)).toBe(tooDeep);
  });

  it('stops at the first level too deep: of 2 MB of brackets it reads 33 bytes', () => {
    const body = Buffer.alloc(2 * 1024 * 1024, '[');
    let reads = 0;
    const counted = new Proxy(body, {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(jsonTooDeep(counted, 32)).toBe(true);
    expect(reads).toBe(33);
  });
});

describe('text without forbidden characters (the dialplan route)', () => {
  it.each([
    ['clean', 'Татьяна 👍', 'Татьяна 👍'],
    ['NUL removed', '+7916\u0000123', '+7916123'],
    ['a lone surrogate removed', 'a\ud83db', 'ab'],
  ])('%s', (_name, text, stored) => {
    expect(withoutForbiddenCharacters(text)).toBe(stored);
  });
});
