import type { AmiMessage } from '../ami/ami-frame-parser';
import { decodeWireBytes, encodeWireText } from '../ami/wire-text';
import { fromStoredEvents, isRefusedText, readableText, storedEventsJson, toStoredEvents } from './call-storage-text';

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
  return [];
}

const wire = (bytes: number[]): string => decodeWireBytes(Buffer.from(bytes));

describe('call storage text', () => {
  const hostile: [string, string][] = [
    ['NUL', 'Ivan\u0000Petrov'],
    ['non-UTF-8 bytes', wire([0x49, 0xff, 0xfe])],
    ['cp1251 name', wire([0xc8, 0xe2, 0xe0, 0xed])],
    ['a lone high surrogate (not from the wire)', 'a\ud800b'],
    ['a backslash and a literal \\u0000', 'C:\\u0000\\x'],
    ['plain', 'Иван 💀'],
  ];

  test.each(hostile)('%s: raw events round-trip exactly through JSON and back', (_label, value) => {
    const events: AmiMessage[] = [{ Event: 'Newchannel', CallerIDName: value, [`X${value}`]: 'name too', Uniqueid: '1.1' }];
    const stored = JSON.parse(storedEventsJson(events)) as unknown;
    expect(stored).toEqual(toStoredEvents(events));
    // what Postgres gets holds neither NUL nor a lone surrogate, in names or values
    expect(strings(stored).filter(isRefusedText)).toEqual([]);
    const back = fromStoredEvents(stored);
    expect(back).toEqual(events);
    expect(Object.keys(back[0])).toEqual(Object.keys(events[0]));
    expect(encodeWireText(back[0].CallerIDName).equals(encodeWireText(value))).toBe(true);
  });

  it('an event without refused text is stored as it is', () => {
    const event = { Event: 'Hangup', Uniqueid: '1.1', 'Cause-txt': 'Normal Clearing' };
    expect(toStoredEvents([event])).toEqual([event]);
  });

  test.each([
    ['Ivan\u0000Petrov', 'IvanPetrov'],
    [wire([0xc8, 0xe2, 0xe0, 0xed, 0x20, 0xcf]), 'Иван П'],
    [`Anna ${wire([0xff])}`, 'Anna я'],
    ['bell\u0007 and tab\t', 'bell and tab\t'],
    ['a\ud800b', 'ab'],
    ['lost\ufffd letter', 'lost letter'],
    ['Иван 💀', 'Иван 💀'],
  ])('readable text of %j is %j', (raw, expected) => {
    expect(readableText(raw)).toBe(expected);
    expect(isRefusedText(readableText(raw))).toBe(false);
  });
});
