import { Readable } from 'node:stream';
import { CsvRecordReader, detectDelimiter, type CsvDelimiter, type CsvItem } from './csv-records';
import { readLines, type PhysicalLine } from './text-lines';

async function linesOf(text: string): Promise<PhysicalLine[]> {
  const lines: PhysicalLine[] = [];
  for await (const line of readLines(Readable.from([Buffer.from(text, 'utf8')]), { encoding: 'utf-8', bom: false, fallback: null })) lines.push(line);
  return lines;
}

/** Every item of the text; column 1 (`phones`) may hold line breaks, the others not. */
async function read(text: string, delimiter: CsvDelimiter = ';', maxLines?: number): Promise<CsvItem[]> {
  const reader = new CsvRecordReader(delimiter, { mayBreakLines: (column) => column === 1, columnNames: ['company', 'phones', 'contact'], maxLines });
  const items: CsvItem[] = [];
  for (const line of await linesOf(text)) items.push(...reader.push(line));
  items.push(...reader.end());
  return items;
}

const shape = (items: CsvItem[]): (string | [number, ...string[]])[] =>
  items.map((item) => ('error' in item ? `line ${item.line}: ${item.error}` : [item.line, ...item.cells]));

describe('CsvRecordReader', () => {
  it.each([
    ['plain cells', 'a;b;c', [[1, 'a', 'b', 'c']]],
    ['an empty last cell', 'a;', [[1, 'a', '']]],
    ['a quoted delimiter', '"a;b";c', [[1, 'a;b', 'c']]],
    ['doubled quotes inside a quoted cell', '"ООО ""Ромашка""";x', [[1, 'ООО "Ромашка"', 'x']]],
    ['quotes inside an unquoted cell are text', 'ООО "Ромашка";Вера', [[1, 'ООО "Ромашка"', 'Вера']]],
    ['an empty quoted cell', '"";x', [[1, '', 'x']]],
    ['a blank line is one empty cell', 'a\n\nb', [[1, 'a'], [2, ''], [3, 'b']]],
  ])('%s', async (_name, text, expected) => {
    expect(shape(await read(text))).toEqual(expected);
  });

  it('a quoted cell with line breaks where the column allows them, the line break kept as in the file', async () => {
    expect(shape(await read('Вектор;"+7 495 111-11-11\r\n+7 495 222-22-22";Борис\r\nnext;;row\r\n'))).toEqual([
      [1, 'Вектор', '+7 495 111-11-11\r\n+7 495 222-22-22', 'Борис'],
      [3, 'next', '', 'row'],
    ]);
  });

  it('the issue\'s file: a quote never closed in the last row is that row\'s error, nothing else', async () => {
    expect(shape(await read('company;contact\n"Never closed;X\n'))).toEqual([
      [1, 'company', 'contact'],
      'line 2: column 1 (company): a quote opened on this line is not closed on it (a stray quote?); the row is skipped',
    ]);
  });

  it('a stray quote mid-file does not merge the rows after it: they are read as rows', async () => {
    const text = ['Альфа;1;a', '"Бета;2;b', 'Гамма;3;c', 'ООО "Дельта";4;d', 'Эпсилон";5;e', 'Дзета;6;f'].join('\n');
    expect(shape(await read(text))).toEqual([
      [1, 'Альфа', '1', 'a'],
      'line 2: column 1 (company): a quote opened on this line is not closed on it (a stray quote?); the row is skipped',
      [3, 'Гамма', '3', 'c'],
      [4, 'ООО "Дельта"', '4', 'd'],
      [5, 'Эпсилон"', '5', 'e'],
      [6, 'Дзета', '6', 'f'],
    ]);
  });

  it('an open quote in a column that may hold line breaks: not closed by the end of the file, the lines after it are rows again', async () => {
    expect(shape(await read('a;"open\nb;2;x\nc;3;y'))).toEqual([
      'line 1: column 2 (phones): a quote opened on this line is not closed before the end of the file (a stray quote?); the row is skipped',
      [2, 'b', '2', 'x'],
      [3, 'c', '3', 'y'],
    ]);
  });

  it('…nor within maxLines', async () => {
    const text = ['a;"open', ...Array.from({ length: 5 }, (_, i) => `r${i};${i};x`)].join('\n');
    const items = await read(text, ';', 3);
    expect(shape(items)[0]).toBe('line 1: column 2 (phones): a quote opened on this line is not closed within 3 lines (a stray quote?); the row is skipped');
    expect(shape(items).slice(1)).toEqual(Array.from({ length: 5 }, (_, i) => [i + 2, `r${i}`, String(i), 'x']));
  });

  it('text after a closing quote is that line\'s error', async () => {
    expect(shape(await read('"a"b;c\nd;e'))).toEqual([
      'line 1: column 1 (company): text after the closing quote (a quote inside a quoted cell must be doubled: ""); the row is skipped',
      [2, 'd', 'e'],
    ]);
  });

  it('commas and tabs', async () => {
    expect(shape(await read('"a,b",c', ','))).toEqual([[1, 'a,b', 'c']]);
    expect(shape(await read('a\t"b\tc"', '\t'))).toEqual([[1, 'a', 'b\tc']]);
  });

  it.each([
    { name: 'semicolons (Russian Excel)', header: 'company;contact;phone', delimiter: ';' },
    { name: 'commas', header: 'company,contact,phone', delimiter: ',' },
    { name: 'tabs', header: 'company\tcontact\tphone', delimiter: '\t' },
    { name: 'a quoted comma does not count', header: '"a,b,c";x;y', delimiter: ';' },
    { name: 'one column', header: 'company', delimiter: ',' },
  ])('detects the delimiter: $name', ({ header, delimiter }) => {
    expect(detectDelimiter(header)).toBe(delimiter);
  });
});
