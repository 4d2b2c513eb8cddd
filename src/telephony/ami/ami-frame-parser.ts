import { WireTextDecoder } from './wire-text';

/**
 * One AMI message as it came off the wire: header names as Asterisk sent them.
 * A header repeated in one message (e.g. `Output:` of a Command response) is joined with '\n'.
 * Bytes that are not UTF-8 are kept as U+DC80+byte (wire-text.ts), so nothing received is lost.
 */
export type AmiMessage = Record<string, string>;

export interface AmiFrameProblem {
  kind: 'oversized' | 'malformed-line';
  detail: string;
}

export interface AmiFrameParserOptions {
  /** A message larger than this (in characters) is dropped whole and reported. */
  maxMessageChars?: number;
}

const DEFAULT_MAX_MESSAGE_CHARS = 256 * 1024;
const BANNER_PREFIX = 'Asterisk Call Manager/';

/**
 * Incremental AMI wire parser: feed it chunks as they arrive from the socket, get whole
 * messages back. Pure apart from its own buffer; it never throws on bad input — problems are
 * returned so the caller can log them with context and carry on.
 */
export class AmiFrameParser {
  private readonly decoder = new WireTextDecoder();
  private readonly maxMessageChars: number;
  private buffer = '';
  private discarding = false;
  banner: string | null = null;

  constructor(options: AmiFrameParserOptions = {}) {
    this.maxMessageChars = options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS;
  }

  push(chunk: Buffer | string): { messages: AmiMessage[]; problems: AmiFrameProblem[] } {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const messages: AmiMessage[] = [];
    const problems: AmiFrameProblem[] = [];
    this.takeBanner();

    let start = 0;
    for (;;) {
      const end = findMessageEnd(this.buffer, start);
      if (end === null) break;
      const text = this.buffer.slice(start, end.index);
      start = end.next;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (text.length > this.maxMessageChars) {
        problems.push({ kind: 'oversized', detail: `message of ${text.length} chars dropped` });
        continue;
      }
      const message = parseMessageText(text, problems);
      if (message) messages.push(message);
    }
    this.buffer = this.buffer.slice(start);

    if (this.buffer.length > this.maxMessageChars) {
      if (!this.discarding) {
        problems.push({
          kind: 'oversized',
          detail: `unterminated message over ${this.maxMessageChars} chars dropped`,
        });
      }
      this.discarding = true;
      // keep only a tail long enough to find the terminator that ends the oversized message
      this.buffer = this.buffer.slice(-3);
    }
    return { messages, problems };
  }

  /** Bytes received that do not yet form a whole message. */
  get pendingChars(): number {
    return this.buffer.length;
  }

  private takeBanner(): void {
    if (this.banner !== null) return;
    const eol = this.buffer.indexOf('\n');
    if (eol < 0) {
      if (this.buffer.length >= BANNER_PREFIX.length && !this.buffer.startsWith(BANNER_PREFIX)) {
        this.banner = '';
      }
      return;
    }
    const first = this.buffer.slice(0, eol).replace(/\r$/, '');
    if (first.startsWith(BANNER_PREFIX)) {
      this.banner = first;
      this.buffer = this.buffer.slice(eol + 1);
    } else {
      this.banner = '';
    }
  }
}

function findMessageEnd(buffer: string, from: number): { index: number; next: number } | null {
  const crlf = buffer.indexOf('\r\n\r\n', from);
  // Real Asterisk always sends CRLF; bare LF is tolerated for hand-written streams and tests.
  const lf = buffer.indexOf('\n\n', from);
  if (crlf < 0 && lf < 0) return null;
  if (lf < 0 || (crlf >= 0 && crlf < lf)) return { index: crlf, next: crlf + 4 };
  return { index: lf, next: lf + 2 };
}

/** Parses the text of one message (without its terminating blank line). */
export function parseMessageText(text: string, problems: AmiFrameProblem[] = []): AmiMessage | null {
  const message: AmiMessage = Object.create(null) as AmiMessage;
  let fields = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let line = text.slice(lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push({ kind: 'malformed-line', detail: truncate(line) });
      continue;
    }
    const key = line.slice(0, colon);
    const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    const previous = message[key];
    message[key] = previous === undefined ? value : `${previous}\n${value}`;
    fields++;
  }
  return fields > 0 ? message : null;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
