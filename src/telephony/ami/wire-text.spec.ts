import { readFileSync } from 'node:fs';
import { transcript } from '../../../test/support/fixtures';
import { AmiFrameParser } from './ami-frame-parser';
import { decodeWireBytes, encodeWireText, hasLoneSurrogate } from './wire-text';

const cases: [string, number[]][] = [
  ['ASCII', [...Buffer.from('Ivan Petrov')]],
  ['Cyrillic UTF-8', [...Buffer.from('Иван Петров')]],
  ['emoji (4-byte UTF-8, a surrogate pair in JS)', [...Buffer.from('a 💀 b')]],
  ['NUL', [0x41, 0x00, 0x42]],
  ['a lone 0xFF', [0x41, 0xff, 0x42]],
  ['cp1251 "Иван"', [0xc8, 0xe2, 0xe0, 0xed]],
  ['a cut UTF-8 sequence', [0xd0, 0x41]],
  ['an overlong slash', [0xc0, 0xaf]],
  ['a UTF-8-encoded surrogate (CESU)', [0xed, 0xa0, 0x80]],
  ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['0x80 continuation alone', [0x80]],
  ['every byte value', Array.from({ length: 256 }, (_, i) => i)],
];

describe('wire text (bytes ↔ JS text, lossless)', () => {
  test.each(cases)('%s round-trips byte for byte, whatever the chunking', (_label, bytes) => {
    const buffer = Buffer.from(bytes);
    const text = decodeWireBytes(buffer);
    expect([...encodeWireText(text)]).toEqual(bytes);
    // the same bytes as a header value, fed to the parser in chunks of 1, 2 and 3 bytes
    const clean = Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x0d));
    const frame = Buffer.concat([Buffer.from('Event: X\r\nValue: '), clean, Buffer.from('\r\n\r\n')]);
    for (const size of [1, 2, 3]) {
      const parser = new AmiFrameParser();
      const values: string[] = [];
      for (let at = 0; at < frame.length; at += size) values.push(...parser.push(frame.subarray(at, at + size)).messages.map((m) => m.Value));
      expect(values.map((value) => [...encodeWireText(value)])).toEqual([[...clean]]);
    }
  });

  it('valid UTF-8 decodes as usual; invalid bytes are lone surrogates, never U+FFFD', () => {
    expect(decodeWireBytes(Buffer.from('Иван 💀'))).toBe('Иван 💀');
    expect(decodeWireBytes(Buffer.from([0x41, 0xff]))).toBe('A\udcff');
    expect(hasLoneSurrogate('A\udcff')).toBe(true);
    expect(hasLoneSurrogate('💀')).toBe(false);
    expect(decodeWireBytes(Buffer.from([0xff])).includes('\ufffd')).toBe(false);
  });

  it('the parser keeps a caller name with NUL and non-UTF-8 bytes, and the recordings are unchanged', () => {
    const frame = Buffer.concat([
      Buffer.from('Event: Newchannel\r\nCallerIDName: '),
      Buffer.from([0x49, 0x00, 0xc8, 0xe2, 0xff]),
      Buffer.from('\r\nUniqueid: 1.1\r\n\r\n'),
    ]);
    for (const size of [1, 5, frame.length]) {
      const parser = new AmiFrameParser();
      const messages = [];
      for (let at = 0; at < frame.length; at += size) messages.push(...parser.push(frame.subarray(at, at + size)).messages);
      expect(messages).toHaveLength(1);
      expect([...encodeWireText(messages[0].CallerIDName)]).toEqual([0x49, 0x00, 0xc8, 0xe2, 0xff]);
    }
    const bytes = readFileSync(transcript('burst1_20_calls.ami'));
    const parsed = new AmiFrameParser().push(bytes).messages;
    expect(parsed.every((m) => Object.values(m).every((v) => !hasLoneSurrogate(v)))).toBe(true);
  });
});
