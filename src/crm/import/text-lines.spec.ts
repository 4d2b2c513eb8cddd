import { Readable } from 'node:stream';
import * as iconv from 'iconv-lite';
import { chooseEncoding, encodingLabel, MAX_LINE_BYTES, profileBytes, readLines, type EncodingChoice, type PhysicalLine } from './text-lines';

/** The bytes as a stream of awkward chunks (a chunk boundary falls inside multi-byte letters). */
const chunked = (bytes: Buffer, size = 7): (() => AsyncIterable<Buffer>) => () =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

async function decode(bytes: Buffer, size?: number): Promise<{ choice: EncodingChoice; lines: PhysicalLine[] }> {
  const source = chunked(bytes, size);
  const choice = chooseEncoding(await profileBytes(source()));
  const lines: PhysicalLine[] = [];
  for await (const line of readLines(source(), choice)) lines.push(line);
  return { choice, lines };
}

const texts = (lines: PhysicalLine[]): string[] => lines.map((l) => l.text);

describe('encoding decided on the whole file', () => {
  it('a Windows-1251 Excel export whose first 64 kB are Latin: the Cyrillic rows further down are read as Cyrillic', async () => {
    const latin = Array.from({ length: 2000 }, (_, i) => `Company ${i};Contact ${i};+7 495 100-${String(i).padStart(4, '0')}`);
    const cyrillic = ['ООО «Ромашка»;Анна Петрова;+7 495 200-00-01', 'Вектор №1;Ёлкин Сергей;8 916 123-45-67'];
    const text = ['company;contact;phone', ...latin, ...cyrillic].join('\r\n') + '\r\n';
    const bytes = iconv.encode(text, 'win1251');
    expect(bytes.findIndex((byte) => byte >= 0x80)).toBeGreaterThan(64 * 1024); // the first non-ASCII byte comes after 64 kB

    const { choice, lines } = await decode(bytes, 64 * 1024);
    expect(encodingLabel(choice)).toBe('windows-1251');
    expect(texts(lines).slice(-2)).toEqual(cyrillic);
    expect(lines.every((l) => !l.undecodable && !l.text.includes('\uFFFD'))).toBe(true);
    expect(lines.map((l) => l.eol).every((eol) => eol === '\r\n')).toBe(true);
    expect(lines).toHaveLength(2003);
  });

  it('UTF-8 with a BOM: the BOM is dropped, letters cut by chunk boundaries come out whole', async () => {
    const text = '\uFEFFcompany;contact\nРемстрой;Анна\nВектор;Борис';
    const { choice, lines } = await decode(Buffer.from(text, 'utf8'), 5);
    expect(encodingLabel(choice)).toBe('utf-8-bom');
    expect(lines.map((l) => [l.line, l.text, l.eol])).toEqual([
      [1, 'company;contact', '\n'],
      [2, 'Ремстрой;Анна', '\n'],
      [3, 'Вектор;Борис', ''],
    ]);
  });

  it('UTF-8 without a BOM', async () => {
    const { choice, lines } = await decode(Buffer.from('компания\nЁж\n', 'utf8'));
    expect(encodingLabel(choice)).toBe('utf-8');
    expect(texts(lines)).toEqual(['компания', 'Ёж']);
  });

  it('UTF-16LE with a BOM (Excel "Unicode text", tab separated)', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('company\tcontact\r\nРемстрой\tАнна\r\n', 'utf16le')]);
    const { choice, lines } = await decode(bytes, 3);
    expect(encodingLabel(choice)).toBe('utf-16le');
    expect(lines.map((l) => [l.text, l.eol])).toEqual([
      ['company\tcontact', '\r\n'],
      ['Ремстрой\tАнна', '\r\n'],
    ]);
  });

  it('UTF-16BE with a BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('a;b\nЯ;ю', 'utf16-be')]);
    const { choice, lines } = await decode(bytes);
    expect(encodingLabel(choice)).toBe('utf-16be');
    expect(texts(lines)).toEqual(['a;b', 'Я;ю']);
  });

  it('a file pasted together from a UTF-8 and a Windows-1251 export: each line in its own encoding', async () => {
    const bytes = Buffer.concat([Buffer.from('company\nРемстрой\n', 'utf8'), iconv.encode('Вектор\n', 'win1251'), Buffer.from('Альфа\n', 'utf8')]);
    const { choice, lines } = await decode(bytes);
    expect(encodingLabel(choice)).toBe('utf-8+windows-1251');
    expect(texts(lines)).toEqual(['company', 'Ремстрой', 'Вектор', 'Альфа']);
    expect(lines.some((l) => l.undecodable)).toBe(false);
  });

  it('a UTF-8 file (BOM) with a broken line: that line is undecodable, the others are fine', async () => {
    const bytes = Buffer.concat([Buffer.from('\uFEFFcompany\nРемстрой\n', 'utf8'), Buffer.from([0x41, 0xd0, 0x0a]), Buffer.from('Альфа\n', 'utf8')]);
    const { lines } = await decode(bytes);
    expect(lines.map((l) => [l.line, l.undecodable])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(lines[2].text).toBe('A\uFFFD');
  });

  it('a line over MAX_LINE_BYTES is refused without being kept; the next line is read', async () => {
    const bytes = Buffer.concat([Buffer.from('company\n'), Buffer.alloc(MAX_LINE_BYTES + 10, 0x41), Buffer.from('\nРемстрой\n', 'utf8')]);
    const { lines } = await decode(bytes, 64 * 1024);
    expect(lines.map((l) => [l.line, l.tooLong, l.text])).toEqual([
      [1, false, 'company'],
      [2, true, ''],
      [3, false, 'Ремстрой'],
    ]);
  });

  it('an empty file has no lines', async () => {
    expect((await decode(Buffer.alloc(0))).lines).toEqual([]);
  });
});
