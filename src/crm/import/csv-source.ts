import { createReadStream } from 'node:fs';
import { DomainError } from '../../common/domain-error';
import { CsvRecordReader, detectDelimiter, isLineError, type CsvDelimiter, type CsvItem, type CsvReaderOptions, type CsvRecord } from './csv-records';
import { chooseEncoding, profileBytes, readLines, type EncodingChoice } from './text-lines';

/** A CSV file on disk, looked at once: encoding (decided on all of its bytes), delimiter, header. */
export interface CsvFile {
  path: string;
  bytes: number;
  encoding: EncodingChoice;
  delimiter: CsvDelimiter;
  header: CsvRecord;
}

const chunksOf = (path: string): AsyncIterable<Buffer> => createReadStream(path, { highWaterMark: 256 * 1024 });

const invalid = (message: string): DomainError<'invalid'> => new DomainError('invalid', message);

/**
 * Reads the whole file's bytes to decide its encoding (see chooseEncoding), then its first
 * non-blank line: the delimiter (`;`, `,` or tab, whichever it has most of) and the header.
 * A file that is empty or whose header cannot be read is a DomainError('invalid') naming the line.
 * Read errors (a missing file) reject as they are.
 */
export async function openCsvFile(path: string): Promise<CsvFile> {
  const profile = await profileBytes(chunksOf(path));
  const encoding = chooseEncoding(profile);
  for await (const line of readLines(chunksOf(path), encoding)) {
    if (line.tooLong) throw invalid(`line ${line.line}: the header line is longer than 1 MB; is this a CSV file?`);
    if (line.text.trim() === '') continue;
    if (line.undecodable) throw invalid(`line ${line.line}: the header is not text in ${encoding.encoding}; save the file as CSV (UTF-8 or Windows-1251)`);
    const delimiter = detectDelimiter(line.text);
    const reader = new CsvRecordReader(delimiter, { mayBreakLines: () => false });
    const [item] = [...reader.push(line), ...reader.end()];
    if (isLineError(item)) throw invalid(`line ${item.line}: ${item.error}`);
    return { path, bytes: profile.bytes, encoding, delimiter, header: item };
  }
  throw invalid('the file is empty: expected a header row and client rows');
}

/** The records after the header (blank lines come as one empty cell), and the lines that are not records. */
export async function* readCsvRecords(file: CsvFile, options: CsvReaderOptions): AsyncGenerator<CsvItem> {
  const reader = new CsvRecordReader(file.delimiter, { columnNames: file.header.cells, ...options });
  for await (const line of readLines(chunksOf(file.path), file.encoding)) {
    if (line.line <= file.header.line) continue;
    yield* reader.push(line);
  }
  yield* reader.end();
}
