import { withoutForbiddenCharacters } from '../../common/text-safety';
import type { AmiMessage } from '../ami/ami-frame-parser';
import { hasLoneSurrogate } from '../ami/wire-text';
import type { CallRecord } from './call-record';

/**
 * Text that Postgres refuses, stored anyway. Postgres takes neither NUL (U+0000) nor a lone
 * surrogate — and a lone U+DC80…U+DCFF is how a byte that was not UTF-8 on the AMI wire is kept
 * (wire-text.ts). Two rules, one for each kind of column:
 *
 * - **Raw events** (call_raw_events.events, calls_dead_letter.events) are kept faithfully. An event
 *   is stored as its JSON object of headers, unless a header name or value holds such text; then
 *   it is stored as `{":escaped": [[name, value], …]}` (in header order), where `\` is written
 *   `\u005c` and every NUL or lone surrogate `\uXXXX` (4 lowercase hex digits). No header name
 *   can hold `:`, so the two forms never mix up. `fromStoredEvents` reverses it exactly, and with
 *   `encodeWireText` each value is byte for byte what Asterisk sent.
 * - **Call records** (the columns of calls and call_legs, and the record's jsonb) get readable
 *   text: runs of non-UTF-8 bytes are read as Windows-1251 (what old Russian gateways send), and
 *   the characters no text field may carry (text-safety.ts) are taken out.
 */

const ESCAPED_KEY = ':escaped';

export type StoredEvent = Record<string, string> | { [ESCAPED_KEY]: [string, string][] };

const REFUSED = /[\u0000\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** NUL or any surrogate: the cheap first look (one native scan); most text has neither. */
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** True when Postgres would refuse the text in jsonb or a text column. */
export function isRefusedText(text: string): boolean {
  return SUSPECT.test(text) && (text.includes('\u0000') || hasLoneSurrogate(text));
}

/** Reversible form of a string for the escaped event form. */
export function escapeText(text: string): string {
  return text.replace(REFUSED, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function unescapeText(text: string): string {
  return text.replace(/\\u([0-9a-f]{4})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * `JSON.stringify` of events as stored: the plain JSON when it holds no escape of a refused
 * character (one scan of the text; a false alarm only costs the precise path).
 */
export function storedEventsJson(events: readonly AmiMessage[]): string {
  const plain = JSON.stringify(events);
  return /\\u(0000|d[89a-f])/.test(plain) ? JSON.stringify(toStoredEvents(events)) : plain;
}

/** Events as stored in jsonb (see above). */
export function toStoredEvents(events: readonly AmiMessage[]): StoredEvent[] {
  return events.map((event) => {
    const entries = Object.entries(event);
    if (!entries.some(([name, value]) => isRefusedText(name) || isRefusedText(value))) return event;
    return { [ESCAPED_KEY]: entries.map(([name, value]): [string, string] => [escapeText(name), escapeText(value)]) };
  });
}

/** Stored events back to the messages received (exact inverse of toStoredEvents). */
export function fromStoredEvents(stored: unknown): AmiMessage[] {
  if (!Array.isArray(stored)) return [];
  return stored.map((item: unknown) => {
    const message: AmiMessage = Object.create(null) as AmiMessage;
    if (typeof item !== 'object' || item === null) return message;
    const escaped = (item as Record<string, unknown>)[ESCAPED_KEY];
    if (Array.isArray(escaped)) {
      for (const pair of escaped) {
        if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') message[unescapeText(pair[0])] = unescapeText(pair[1]);
      }
      return message;
    }
    for (const [name, value] of Object.entries(item)) if (typeof value === 'string') message[name] = value;
    return message;
  });
}

const WIN1251 = new TextDecoder('windows-1251');
const ESCAPED_BYTES = /(?<![\ud800-\udbff])[\udc80-\udcff]+/g;

/**
 * Readable text for a record column: runs of bytes that were not UTF-8 on the wire are read as
 * Windows-1251, then what no text field may carry (text-safety.ts: NUL and other controls, U+FFFD,
 * any other lone surrogate) is taken out. Plain text comes back unchanged.
 */
export function readableText(text: string): string {
  const decoded = hasLoneSurrogate(text)
    ? text.replace(ESCAPED_BYTES, (run) => WIN1251.decode(Uint8Array.from(run, (unit) => unit.charCodeAt(0) - 0xdc00)))
    : text;
  return withoutForbiddenCharacters(decoded);
}

/** The record with readableText applied to every string in it (a copy; the same object when clean). */
export function readableRecord(record: CallRecord): CallRecord {
  return needsCleaning(record) ? (clean(record) as CallRecord) : record;
}

function needsCleaning(value: unknown): boolean {
  if (typeof value === 'string') return readableText(value) !== value;
  if (Array.isArray(value)) return value.some(needsCleaning);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(needsCleaning);
  return false;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return readableText(value);
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, clean(item)]));
  }
  return value;
}
