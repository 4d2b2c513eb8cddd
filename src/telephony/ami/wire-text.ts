import { isUtf8 } from 'node:buffer';

/**
 * AMI bytes ↔ JS text without loss. Asterisk sends UTF-8, but a caller-ID name is whatever the
 * trunk or phone put there (cp1251 from an old gateway, a stray 0xFF, a NUL). Valid UTF-8 decodes
 * as usual; each byte of an invalid sequence becomes the lone low surrogate U+DC80+byte
 * (U+DC80…U+DCFF, Python's "surrogateescape"), which `encodeWireText` turns back into that byte.
 * So `encodeWireText(decoded)` is the exact bytes received, and a value never silently becomes
 * U+FFFD. Such text is fine in memory and in JSON; Postgres refuses it (and NUL): see
 * call-storage-text.ts for how it is stored.
 */

const ESCAPE_BASE = 0xdc00;

/** Bytes → text; invalid UTF-8 bytes become U+DC80+byte. */
export function decodeWireBytes(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return buffer.toString('utf8');
  let text = '';
  let at = 0;
  while (at < buffer.length) {
    const length = validSequenceLength(buffer, at);
    if (length === 0) {
      text += String.fromCharCode(ESCAPE_BASE + buffer[at]);
      at++;
      continue;
    }
    // Copy the longest valid run at once.
    let end = at + length;
    for (let next = validSequenceLength(buffer, end); next > 0; next = validSequenceLength(buffer, end)) end += next;
    text += buffer.toString('utf8', at, end);
    at = end;
  }
  return text;
}

/** Text → the bytes it came from: U+DC80…U+DCFF not paired with a high surrogate are single bytes. */
export function encodeWireText(text: string): Buffer {
  if (!hasLoneSurrogate(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && isLow(text.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    if (unit < 0xd800 || unit > 0xdfff) continue;
    parts.push(Buffer.from(text.slice(start, i), 'utf8'));
    // A lone surrogate outside the escape range cannot come from the wire: written as U+FFFD.
    parts.push(unit >= 0xdc80 && unit <= 0xdcff ? Buffer.of(unit - ESCAPE_BASE) : Buffer.from('\ufffd', 'utf8'));
    start = i + 1;
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** True when the text holds a surrogate that is not half of a pair (an escaped byte, or junk). */
export function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Length of the valid UTF-8 sequence starting at `at`, or 0 when the byte there starts none. */
function validSequenceLength(bytes: Buffer, at: number): number {
  if (at >= bytes.length) return 0;
  const lead = bytes[at];
  if (lead < 0x80) return 1;
  let length: number;
  let min: number;
  if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80];
  else if (lead >= 0xe0 && lead <= 0xef) [length, min] = [3, 0x800];
  else if (lead >= 0xf0 && lead <= 0xf4) [length, min] = [4, 0x10000];
  else return 0;
  if (at + length > bytes.length) return 0;
  let code = lead & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const next = bytes[at + k];
    if ((next & 0xc0) !== 0x80) return 0;
    code = (code << 6) | (next & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}
