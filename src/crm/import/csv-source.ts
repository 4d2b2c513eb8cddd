import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse, type CsvError } from 'csv-parse';

/** One CSV record with the (1-based) line of the file it starts on. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export type CsvDelimiter = ';' | ',' | '\t';

export interface CsvSource {
  delimiter: CsvDelimiter;
  encoding: 'utf-8' | 'windows-1251';
  records: AsyncIterable<CsvRecord>;
}

/** A CSV syntax error the parser cannot get past (e.g. a quote never closed). */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const SNIFF_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Opens a CSV stream without reading it into memory: sniffs the encoding (UTF-8, else the
 * Windows-1251 of Russian Excel) and the delimiter (`;`, `,` or tab, whichever the header line
 * has most of), drops a BOM, and yields records with the line each starts on.
 * When the source ends early or the CSV is malformed, iteration throws (CsvSyntaxError for syntax)
 * after draining the rest of the source, so an HTTP upload is always read to its end.
 */
export async function openCsv(input: Readable): Promise<CsvSource> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let headSize = 0;
  let ended = false;
  while (headSize < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = toBuffer(next.value);
    head.push(chunk);
    headSize += chunk.length;
    if (chunk.includes(NEWLINE)) break;
  }
  const headBytes = Buffer.concat(head);
  const encoding = isUtf8Prefix(headBytes) ? 'utf-8' : 'windows-1251';
  const decoder = new TextDecoder(encoding);
  const headText = decoder.decode(headBytes, { stream: true });
  const delimiter = detectDelimiter(firstLine(headText));

  const lines = new LineTracker();
  async function* utf8(): AsyncGenerator<Buffer> {
    // The parser always sees UTF-8 so its byte offsets match the line tracker's.
    const emit = (text: string): Buffer | null => {
      if (text === '') return null;
      const bytes = Buffer.from(text, 'utf8');
      lines.feed(bytes);
      return bytes;
    };
    const first = emit(headText);
    if (first) yield first;
    if (!ended) {
      for (;;) {
        const next = await chunks.next();
        if (next.done) break;
        const bytes = emit(decoder.decode(toBuffer(next.value), { stream: true }));
        if (bytes) yield bytes;
      }
    }
    const tail = emit(decoder.decode());
    if (tail) yield tail;
  }

  const source = Readable.from(utf8(), { objectMode: false });
  const parser = parse({ delimiter, bom: true, info: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: true });
  source.pipe(parser);
  source.on('error', (error) => parser.destroy(error));

  async function* records(): AsyncGenerator<CsvRecord> {
    let previousEnd = 0;
    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
        const line = lines.lineOfRecordAfter(previousEnd);
        previousEnd = item.info.bytes;
        yield { line, cells: item.record };
      }
    } catch (error) {
      if (isCsvError(error)) {
        await drain(source);
        throw new CsvSyntaxError(lines.lineOfRecordAfter(previousEnd), `CSV syntax error: ${error.message}`);
      }
      throw error;
    } finally {
      source.unpipe(parser);
      if (!source.destroyed) await drain(source);
    }
  }

  return { delimiter, encoding, records: records() };
}

/** The delimiter the header line uses most: `;` (Russian Excel), `,` or tab; `,` when none. */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts: [CsvDelimiter, number][] = [';', ',', '\t'].map((d) => [d as CsvDelimiter, countOutsideQuotes(headerLine, d)]);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

function countOutsideQuotes(line: string, char: string): number {
  let count = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === char && !quoted) count++;
  }
  return count;
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return (end >= 0 ? text.slice(0, end) : text).replace(/^\uFEFF/, '');
}

function isUtf8Prefix(bytes: Buffer): boolean {
  try {
    // stream: true tolerates a character cut at the end of the sniffed bytes.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

function isCsvError(error: unknown): error is CsvError {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(CSV_|INVALID_)/.test(code);
}

async function drain(source: Readable): Promise<void> {
  if (source.readableEnded || source.destroyed) return;
  await new Promise<void>((resolve) => {
    source.on('end', resolve).on('close', resolve).on('error', () => resolve());
    source.resume();
  });
}

/**
 * Line numbers by byte offset, keeping only the bytes the parser has not yet turned into records
 * (csv-parse's own line count drifts on CRLF inside quoted fields).
 */
export class LineTracker {
  private chunks: Buffer[] = [];
  /** Offset of the first kept byte, and the line it is on. */
  private base = 0;
  private baseLine = 1;

  feed(bytes: Buffer): void {
    this.chunks.push(bytes);
  }

  /** The line of the first byte at or after `offset` that is not a line break; forgets what lies before it. */
  lineOfRecordAfter(offset: number): number {
    this.advanceTo(offset);
    for (;;) {
      const chunk = this.chunks[0];
      if (!chunk) return this.baseLine;
      let i = 0;
      while (i < chunk.length && (chunk[i] === NEWLINE || chunk[i] === CR)) {
        if (chunk[i] === NEWLINE) this.baseLine++;
        i++;
      }
      this.base += i;
      if (i < chunk.length) {
        this.chunks[0] = chunk.subarray(i);
        return this.baseLine;
      }
      this.chunks.shift();
    }
  }

  private advanceTo(offset: number): void {
    while (this.base < offset && this.chunks.length) {
      const chunk = this.chunks[0];
      const take = Math.min(chunk.length, offset - this.base);
      for (let i = 0; i < take; i++) if (chunk[i] === NEWLINE) this.baseLine++;
      this.base += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
  }
}
