import { Readable } from 'node:stream';
import { CsvSyntaxError, detectDelimiter, openCsv, type CsvRecord } from './csv-source';

async function readAll(chunks: (string | Buffer)[]): Promise<{ delimiter: string; encoding: string; records: CsvRecord[] }> {
  const source = await openCsv(Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))));
  const records: CsvRecord[] = [];
  for await (const record of source.records) records.push(record);
  return { delimiter: source.delimiter, encoding: source.encoding, records };
}

describe('openCsv', () => {
  it.each([
    { name: 'semicolons (Russian Excel)', header: 'company;contact;phone', delimiter: ';' },
    { name: 'commas', header: 'company,contact,phone', delimiter: ',' },
    { name: 'tabs', header: 'company\tcontact\tphone', delimiter: '\t' },
    { name: 'a quoted comma does not count', header: '"a,b,c";x;y', delimiter: ';' },
    { name: 'one column', header: 'company', delimiter: ',' },
  ])('detects the delimiter: $name', ({ header, delimiter }) => {
    expect(detectDelimiter(header)).toBe(delimiter);
  });

  it('drops the BOM and numbers records by the line they start on, across CRLF, blank lines and quoted line breaks', async () => {
    const text = '\uFEFFcompany;contact\r\nРемстрой;Анна\r\n\r\n"Вектор\r\nгруппа";Борис\r\nООО "Ромашка";Вера\r\nlast;row';
    // Split into awkward chunks, even inside a multi-byte letter.
    const bytes = Buffer.from(text, 'utf8');
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 31), bytes.subarray(31, 32), bytes.subarray(32)];
    const { delimiter, encoding, records } = await readAll(chunks);
    expect({ delimiter, encoding }).toEqual({ delimiter: ';', encoding: 'utf-8' });
    expect(records).toEqual([
      { line: 1, cells: ['company', 'contact'] },
      { line: 2, cells: ['Ремстрой', 'Анна'] },
      { line: 4, cells: ['Вектор\r\nгруппа', 'Борис'] },
      { line: 6, cells: ['ООО "Ромашка"', 'Вера'] },
      { line: 7, cells: ['last', 'row'] },
    ]);
  });

  it('reads Windows-1251 (what Excel in Russia saves as "CSV")', async () => {
    const cp1251 = Buffer.from([0xca, 0xee, 0xec, 0xef, 0xe0, 0xed, 0xe8, 0xff, 0x3b, 0x78, 0x0a, 0xc2, 0xe5, 0xea, 0xf2, 0xee, 0xf0, 0x3b, 0x31]);
    const { encoding, records } = await readAll([cp1251]);
    expect(encoding).toBe('windows-1251');
    expect(records.map((r) => r.cells)).toEqual([
      ['Компания', 'x'],
      ['Вектор', '1'],
    ]);
  });

  it('reports a quote that never closes with its line, after yielding the rows before it', async () => {
    const source = await openCsv(Readable.from([Buffer.from('company\nA\nB\n"broken\nC\n')]));
    const seen: number[] = [];
    const read = async (): Promise<void> => {
      for await (const record of source.records) seen.push(record.line);
    };
    await expect(read()).rejects.toBeInstanceOf(CsvSyntaxError);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('handles an empty stream', async () => {
    expect((await readAll([])).records).toEqual([]);
  });
});
