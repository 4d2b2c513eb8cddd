import { decodeWireBytes } from './wire-text';

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
  /** A message larger than this (in bytes) is dropped whole and reported. */
  maxMessageChars?: number;
}

const DEFAULT_MAX_MESSAGE_CHARS = 256 * 1024;
const BANNER_PREFIX = 'Asterisk Call Manager/';

/**
 * Incremental AMI wire parser: feed it chunks as they arrive from the socket, get whole
 * messages back. Pure apart from its own buffer; it never throws on bad input — problems are
 * returned so the caller can log them with context and carry on.
 *
 * Messages are cut from the bytes and each is decoded on its own (wire-text.ts): a header value
 * kept for hours (a channel's Uniqueid in the tracker's memory) then holds on to its message
 * only, never to the whole socket chunk it arrived in.
 */
export class AmiFrameParser {
  private readonly maxMessageBytes: number;
  private buffer: Buffer = Buffer.alloc(0);
  private discarding = false;
  banner: string | null = null;

  constructor(options: AmiFrameParserOptions = {}) {
    this.maxMessageBytes = options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS;
  }

  push(chunk: Buffer | string): { messages: AmiMessage[]; problems: AmiFrameProblem[] } {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const buffer = this.buffer.length > 0 ? Buffer.concat([this.buffer, bytes]) : bytes;
    const messages: AmiMessage[] = [];
    const problems: AmiFrameProblem[] = [];
    let start = this.takeBanner(buffer);
    const ends = messageEnds(buffer);

    for (;;) {
      const end = ends(start);
      if (end === null) break;
      const length = end.index - start;
      const from = start;
      start = end.next;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (length > this.maxMessageBytes) {
        problems.push({ kind: 'oversized', detail: `message of ${length} bytes dropped` });
        continue;
      }
      const message = parseMessageText(decodeWireBytes(buffer.subarray(from, end.index)), problems);
      if (message) messages.push(message);
    }
    // A copy of the unfinished rest: the chunk itself is not kept.
    this.buffer = Buffer.from(buffer.subarray(start));

    if (this.buffer.length > this.maxMessageBytes) {
      if (!this.discarding) {
        problems.push({
          kind: 'oversized',
          detail: `unterminated message over ${this.maxMessageBytes} bytes dropped`,
        });
      }
      this.discarding = true;
      // keep only a tail long enough to find the terminator that ends the oversized message
      this.buffer = Buffer.from(this.buffer.subarray(-3));
    }
    return { messages, problems };
  }

  /** Bytes received that do not yet form a whole message. */
  get pendingChars(): number {
    return this.buffer.length;
  }

  /** Reads the banner line once; returns where messages start. */
  private takeBanner(buffer: Buffer): number {
    if (this.banner !== null) return 0;
    const eol = buffer.indexOf(LF);
    if (eol < 0) {
      if (buffer.length >= BANNER_PREFIX.length && !buffer.subarray(0, BANNER_PREFIX.length).equals(BANNER_BYTES)) this.banner = '';
      return 0;
    }
    const first = decodeWireBytes(buffer.subarray(0, eol)).replace(/\r$/, '');
    if (first.startsWith(BANNER_PREFIX)) {
      this.banner = first;
      return eol + 1;
    }
    this.banner = '';
    return 0;
  }
}

const LF = 0x0a;
const BANNER_BYTES = Buffer.from(BANNER_PREFIX);
const CRLF2 = Buffer.from('\r\n\r\n');
const LF2 = Buffer.from('\n\n');

/**
 * Finds message terminators in one buffer, in order: CRLF CRLF as real Asterisk sends, or a
 * bare LF LF (hand-written streams and tests). Each terminator kind is searched once per
 * position it can be at, so a chunk is scanned in linear time.
 */
function messageEnds(buffer: Buffer): (from: number) => { index: number; next: number } | null {
  let crlf = -2;
  let lf = -2;
  return (from) => {
    if (crlf !== -1 && crlf < from) crlf = buffer.indexOf(CRLF2, from);
    if (lf !== -1 && lf < from) lf = buffer.indexOf(LF2, from);
    if (crlf < 0 && lf < 0) return null;
    if (lf < 0 || (crlf >= 0 && crlf < lf)) return { index: crlf, next: crlf + 4 };
    return { index: lf, next: lf + 2 };
  };
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
