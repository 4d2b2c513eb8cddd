import { MAX_LINE_BYTES, type PhysicalLine } from './text-lines';

export type CsvDelimiter = ';' | ',' | '\t';

/** One CSV record: the line it starts on, the line it ends on, its cells. */
export interface CsvRecord {
  line: number;
  endLine: number;
  cells: string[];
  /** The first of its lines whose bytes were not text in the file's encoding, if any. */
  undecodableLine: number | null;
}

/** A line that could not be read as a record; reading goes on with the next line. */
export interface CsvLineError {
  line: number;
  error: string;
}

export type CsvItem = CsvRecord | CsvLineError;

export const isLineError = (item: CsvItem): item is CsvLineError => 'error' in item;

export interface CsvReaderOptions {
  /** Whether a quoted cell of this column may hold line breaks (Excel writes Alt+Enter that way). */
  mayBreakLines: (column: number) => boolean;
  /** Names of the columns for messages (the header's cells). */
  columnNames?: readonly string[];
  /** A quoted cell spanning more lines than this is taken for a stray quote. */
  maxLines?: number;
  /** …or longer than this many characters. */
  maxChars?: number;
}

type Attempt =
  | { kind: 'record'; cells: string[]; used: number }
  | { kind: 'open'; column: number }
  | { kind: 'error'; message: string };

/**
 * Turns physical lines into CSV records the way Excel writes them: cells separated by the
 * delimiter, a cell starting with `"` is quoted (`""` inside is one quote) and may hold the
 * delimiter and, in columns that allow it, line breaks; quotes inside an unquoted cell are text
 * (`ООО "Ромашка"`). A line that breaks these rules — a quote that is not closed on its line (or
 * within maxLines/maxChars, or before the end of the file), text after a closing quote — is
 * reported with its number and skipped, and reading starts again at the *next line*: a stray
 * quote never swallows the rows after it.
 */
export class CsvRecordReader {
  private pending: PhysicalLine[] = [];
  private readonly maxLines: number;
  private readonly maxChars: number;

  constructor(
    private readonly delimiter: CsvDelimiter,
    private readonly options: CsvReaderOptions,
  ) {
    this.maxLines = options.maxLines ?? 50;
    this.maxChars = options.maxChars ?? 64 * 1024;
  }

  /** Feeds the next line; returns the records and errors it completes, in file order. */
  push(line: PhysicalLine): CsvItem[] {
    this.pending.push(line);
    return this.drain(false);
  }

  /** The end of the file: whatever is still open is an error. */
  end(): CsvItem[] {
    return this.drain(true);
  }

  private drain(atEnd: boolean): CsvItem[] {
    const out: CsvItem[] = [];
    while (this.pending.length > 0) {
      const first = this.pending[0];
      if (first.tooLong) {
        out.push({ line: first.line, error: `the line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MB; the row is skipped` });
        this.pending.shift();
        continue;
      }
      const attempt = this.attempt();
      if (attempt.kind === 'record') {
        const used = this.pending.splice(0, attempt.used);
        const undecodable = used.find((l) => l.undecodable);
        out.push({ line: first.line, endLine: used[used.length - 1].line, cells: attempt.cells, undecodableLine: undecodable?.line ?? null });
        continue;
      }
      if (attempt.kind === 'error') {
        out.push({ line: first.line, error: attempt.message });
        this.pending.shift();
        continue;
      }
      const chars = this.pending.reduce((sum, l) => sum + l.text.length, 0);
      const exhausted = atEnd || this.pending.length > this.maxLines || chars > this.maxChars || this.pending.some((l) => l.tooLong);
      if (!exhausted) break;
      const where = atEnd ? 'before the end of the file' : `within ${this.maxLines} lines`;
      out.push({ line: first.line, error: `${this.column(attempt.column)}: a quote opened on this line is not closed ${where} (a stray quote?); the row is skipped` });
      this.pending.shift();
    }
    return out;
  }

  private column(index: number): string {
    const name = this.options.columnNames?.[index]?.trim();
    return name ? `column ${index + 1} (${name})` : `column ${index + 1}`;
  }

  /** Parses one record from the start of `pending`. */
  private attempt(): Attempt {
    const d = this.delimiter;
    const cells: string[] = [];
    let field = '';
    let quoted = false;
    for (let li = 0; li < this.pending.length; li++) {
      const text = this.pending[li].text;
      let i = 0;
      // Only a quoted cell left open by the line before brings us here: its line break is text.
      if (li > 0) field += this.pending[li - 1].eol || '\n';
      for (;;) {
        if (quoted) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            field += text.slice(i);
            break;
          }
          field += text.slice(i, q);
          if (text.charCodeAt(q + 1) === 0x22) {
            field += '"';
            i = q + 2;
            continue;
          }
          quoted = false;
          i = q + 1;
          if (i === text.length) break;
          if (text[i] !== d) {
            return { kind: 'error', message: `${this.column(cells.length)}: text after the closing quote (a quote inside a quoted cell must be doubled: ""); the row is skipped` };
          }
          cells.push(field);
          field = '';
          i++;
          if (i === text.length) break;
          continue;
        }
        if (text.charCodeAt(i) === 0x22) {
          quoted = true;
          i++;
          continue;
        }
        const at = text.indexOf(d, i);
        if (at < 0) {
          field += text.slice(i);
          break;
        }
        cells.push(field + text.slice(i, at));
        field = '';
        i = at + 1;
        if (i === text.length) break;
      }
      if (quoted) {
        if (!this.options.mayBreakLines(cells.length)) {
          return { kind: 'error', message: `${this.column(cells.length)}: a quote opened on this line is not closed on it (a stray quote?); the row is skipped` };
        }
        continue;
      }
      cells.push(field);
      return { kind: 'record', cells, used: li + 1 };
    }
    return { kind: 'open', column: cells.length };
  }
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
