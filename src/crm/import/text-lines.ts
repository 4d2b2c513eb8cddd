import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

/** How a file's bytes become text. */
export type TextEncodingName = 'utf-8' | 'windows-1251' | 'utf-16le' | 'utf-16be';

/** One line of the file as it is on disk (a quoted CSV cell may span several). */
export interface PhysicalLine {
  /** 1-based. */
  line: number;
  /** The line without its terminator. */
  text: string;
  /** `\r\n`, `\n`, or `` for the last line. */
  eol: string;
  /** Bytes that are not text in the file's encoding (shown as U+FFFD in `text`). */
  undecodable: boolean;
  /** Longer than MAX_LINE_BYTES: `text` is empty, the bytes were not kept. */
  tooLong: boolean;
}

/** What the bytes of a whole file say about its encoding (one pass, nothing decoded). */
export interface ByteProfile {
  bytes: number;
  bom: 'utf-8' | 'utf-16le' | 'utf-16be' | null;
  /** Lines with non-ASCII bytes that are valid UTF-8. */
  utf8Lines: number;
  /** Lines with bytes that are not valid UTF-8. */
  otherLines: number;
}

export interface EncodingChoice {
  encoding: TextEncodingName;
  bom: boolean;
  /**
   * Lines not valid in `encoding` are read as this one (a file pasted together from a UTF-8 and a
   * Windows-1251 export); null: such a line is undecodable and becomes an error row.
   */
  fallback: 'windows-1251' | null;
}

/** A line longer than this is refused (its row is an error) without holding it in memory. */
export const MAX_LINE_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const cp1251 = new TextDecoder('windows-1251');

/**
 * The encoding of a whole file, decided on all of its bytes (not a first chunk):
 * a BOM names it (UTF-8, UTF-16LE as Excel's "Unicode text", UTF-16BE); without one, a file whose
 * every line is valid UTF-8 is UTF-8, a file with no valid non-ASCII UTF-8 line is Windows-1251
 * (what Excel in Russia saves as "CSV"), and a file with both is read line by line: UTF-8 where
 * the line is valid UTF-8, Windows-1251 otherwise.
 */
export function chooseEncoding(profile: ByteProfile): EncodingChoice {
  if (profile.bom === 'utf-16le' || profile.bom === 'utf-16be') return { encoding: profile.bom, bom: true, fallback: null };
  if (profile.bom === 'utf-8') return { encoding: 'utf-8', bom: true, fallback: null };
  if (profile.otherLines === 0) return { encoding: 'utf-8', bom: false, fallback: null };
  if (profile.utf8Lines === 0) return { encoding: 'windows-1251', bom: false, fallback: null };
  return { encoding: 'utf-8', bom: false, fallback: 'windows-1251' };
}

/** `utf-8`, `utf-8-bom`, `windows-1251`, `utf-16le`, `utf-16be` or `utf-8+windows-1251` (per line). */
export function encodingLabel(choice: EncodingChoice): string {
  if (choice.fallback) return `${choice.encoding}+${choice.fallback}`;
  if (choice.encoding === 'utf-8' && choice.bom) return 'utf-8-bom';
  return choice.encoding;
}

function bomOf(head: Buffer): ByteProfile['bom'] {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/** Reads every byte once: BOM and, per line, whether it is ASCII, valid UTF-8 or neither. */
export async function profileBytes(chunks: AsyncIterable<Buffer>): Promise<ByteProfile> {
  const profile: ByteProfile = { bytes: 0, bom: null, utf8Lines: 0, otherLines: 0 };
  let first = true;
  for await (const { bytes } of byteLines(countingBytes(chunks, profile))) {
    if (first) {
      first = false;
      profile.bom = bomOf(bytes);
      if (profile.bom === 'utf-16le' || profile.bom === 'utf-16be') break;
    }
    if (isAscii(bytes)) continue;
    if (isUtf8(bytes)) profile.utf8Lines++;
    else profile.otherLines++;
  }
  return profile;
}

async function* countingBytes(chunks: AsyncIterable<Buffer>, profile: ByteProfile): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    profile.bytes += chunk.length;
    yield chunk;
  }
}

/** The file's lines decoded as `choice` says, numbered from 1. */
export async function* readLines(chunks: AsyncIterable<Buffer>, choice: EncodingChoice): AsyncGenerator<PhysicalLine> {
  if (choice.encoding === 'utf-16le' || choice.encoding === 'utf-16be') {
    yield* utf16Lines(chunks, choice.encoding);
    return;
  }
  let first = true;
  for await (const raw of byteLines(chunks)) {
    let bytes = raw.bytes;
    if (first) {
      first = false;
      if (choice.bom) bytes = bytes.subarray(3);
    }
    yield { line: raw.line, eol: raw.eol, tooLong: raw.tooLong, ...decodeLine(bytes, choice) };
  }
}

function decodeLine(bytes: Buffer, choice: EncodingChoice): { text: string; undecodable: boolean } {
  if (isAscii(bytes)) return { text: bytes.toString('latin1'), undecodable: false };
  if (choice.encoding === 'windows-1251') return { text: cp1251.decode(bytes), undecodable: false };
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), undecodable: false };
  if (choice.fallback === 'windows-1251') return { text: cp1251.decode(bytes), undecodable: false };
  return { text: bytes.toString('utf8'), undecodable: true };
}

interface ByteLine {
  line: number;
  bytes: Buffer;
  eol: string;
  tooLong: boolean;
}

/** Splits bytes on LF (dropping a CR before it); a line over MAX_LINE_BYTES is skipped to its end. */
async function* byteLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<ByteLine> {
  let carry: Buffer | null = null;
  let skipping = false;
  let line = 1;
  const EMPTY = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let start = 0;
    for (;;) {
      const at = data.indexOf(LF, start);
      if (at < 0) break;
      if (skipping) {
        skipping = false;
        yield { line: line++, bytes: EMPTY, eol: '\n', tooLong: true };
      } else if (at - start > MAX_LINE_BYTES) {
        yield { line: line++, bytes: EMPTY, eol: '\n', tooLong: true };
      } else {
        const crlf = at > start && data[at - 1] === CR;
        yield { line: line++, bytes: data.subarray(start, crlf ? at - 1 : at), eol: crlf ? '\r\n' : '\n', tooLong: false };
      }
      start = at + 1;
    }
    if (skipping) continue;
    const rest = data.subarray(start);
    if (rest.length > MAX_LINE_BYTES) skipping = true;
    else if (rest.length > 0) carry = rest;
  }
  if (skipping) yield { line, bytes: EMPTY, eol: '', tooLong: true };
  else if (carry) yield { line, bytes: carry, eol: '', tooLong: false };
}

async function* utf16Lines(chunks: AsyncIterable<Buffer>, encoding: 'utf-16le' | 'utf-16be'): AsyncGenerator<PhysicalLine> {
  // The decoder drops the BOM itself; a lone surrogate becomes U+FFFD.
  const decoder = new TextDecoder(encoding);
  const maxChars = MAX_LINE_BYTES / 2;
  let carry = '';
  let skipping = false;
  let line = 1;
  const make = (text: string, eol: string): PhysicalLine => {
    if (skipping) {
      skipping = false;
      return { line: line++, text: '', eol, undecodable: false, tooLong: true };
    }
    const crlf = eol !== '' && text.endsWith('\r');
    const body = crlf ? text.slice(0, -1) : text;
    return { line: line++, text: body, eol: crlf ? '\r\n' : eol, undecodable: body.includes('\uFFFD'), tooLong: false };
  };
  const split = function* (text: string): Generator<PhysicalLine> {
    let start = 0;
    for (;;) {
      const at = text.indexOf('\n', start);
      if (at < 0) break;
      yield make(text.slice(start, at), '\n');
      start = at + 1;
    }
    const rest = text.slice(start);
    if (skipping) carry = '';
    else if (rest.length > maxChars) {
      skipping = true;
      carry = '';
    } else carry = rest;
  };
  for await (const chunk of chunks) yield* split(carry + decoder.decode(chunk, { stream: true }));
  yield* split(carry + decoder.decode());
  if (skipping || carry !== '') yield make(carry, '');
}
