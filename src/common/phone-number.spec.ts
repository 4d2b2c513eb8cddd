import { callerNumber, isAnonymousCaller, normalizePhone } from './phone-number';

describe('normalizePhone', () => {
  test.each([
    ['8 (495) 123-45-67', 'RU', '+74951234567'],
    ['+7 495 1234567', 'RU', '+74951234567'],
    ['8 495 123-45-67', 'RU', '+74951234567'],
    ['+7 (495) 123-45-67', 'RU', '+74951234567'],
    ['74951234567', 'RU', '+74951234567'],
    ['84951234567', 'RU', '+74951234567'],
    ['+79161234567', 'RU', '+79161234567'],
    ['89161234567', 'RU', '+79161234567'],
    ['810 44 20 7946 0958', 'RU', '+442079460958'],
    ['+44 20 7946 0958', 'RU', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['sip:+79161234567@10.0.0.1', 'RU', '+79161234567'],
    ['tel:+79161234567', 'RU', '+79161234567'],
    ['+99912345678', 'RU', '+99912345678'],
    ['anonymous', 'RU', null],
    ['Anonymous', 'RU', null],
    ['<unknown>', 'RU', null],
    ['', 'RU', null],
    ['   ', 'RU', null],
    ['101', 'RU', null],
    ['12345', 'RU', null],
    ['hello world', 'RU', null],
    ['+7916123', 'RU', null],
    ['9'.repeat(60), 'RU', null],
  ])('%j in %s → %s', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toBe(expected);
  });

  test.each([[null], [undefined]])('%s → null', (raw) => {
    expect(normalizePhone(raw, 'RU')).toBeNull();
  });

  it('survives a bad default region', () => {
    expect(normalizePhone('+79161234567', 'nowhere')).toBe('+79161234567');
  });
});

describe('callerNumber', () => {
  test.each([
    ['+79161234567', '+79161234567'],
    ['anonymous', 'anonymous'],
    ['', 'anonymous'],
    ['garbage!', 'anonymous'],
    [null, 'anonymous'],
  ])('%j → %s', (raw, expected) => {
    expect(callerNumber(raw, 'RU')).toBe(expected);
  });
});

describe('isAnonymousCaller', () => {
  test.each([
    ['anonymous', true],
    ['Restricted', true],
    ['<unknown>', true],
    [undefined, true],
    ['+79161234567', false],
  ])('%j → %s', (raw, expected) => {
    expect(isAnonymousCaller(raw)).toBe(expected);
  });
});
