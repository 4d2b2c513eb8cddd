/**
 * Making a recorded call a new call: fresh ids and a moved clock, so that a switchboard stores each
 * replay of a recording as new calls happening now. Pure functions of one block's text.
 */

export interface Rewrite {
  /** 0 = ids as recorded; generation n ≥ 1 gives every id a value no other generation uses. */
  generation: number;
  /** Whole seconds added to every Timestamp, Cdr time, EventTV and Uniqueid epoch (0 = the recorded clock). */
  shiftSeconds: number;
}

export const AS_RECORDED: Rewrite = { generation: 0, shiftSeconds: 0 };

/** Per generation: added to the `<seq>` of `<epoch>.<seq>` ids (Asterisk's sequence stays far below). */
export const SEQ_STEP = 10_000_000;
/** Per generation: added to the 8-hex-digit suffix of channel names (mod 2^32). */
export const CHANNEL_STEP = 0x1000000;
/** Per generation: added to the last 48 bits of UUIDs (bridge ids), mod 2^48; odd, so no two generations meet. */
const UUID_STEP = 0x9e3779b97f4bn;
const UUID_MOD = 1n << 48n;

const ID_LINE = /^([A-Za-z]*(?:Uniqueid|Linkedid)): (\d+)\.(\d+)(\r?)$/gim;
const CHANNEL_SUFFIX = /(\/[^\s/;,]+-)([0-9a-f]{8})(?=;[12]|[^0-9a-zA-Z]|$)/gm;
const UUID = /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)([0-9a-f]{12})\b/g;
const TIMESTAMP_LINE = /^Timestamp: (\d+)(\.\d+)?(\r?)$/gm;
const CDR_TIME_LINE = /^(StartTime|AnswerTime|EndTime): (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\r?)$/gm;
const TV_LINE = /^(EventTV|SessionTV): (\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?([+-]\d{4}|Z)?(\r?)$/gm;

/**
 * The block with its ids moved to `rewrite.generation` and its clock moved by `rewrite.shiftSeconds`:
 * - `…Uniqueid`/`…Linkedid` values `<epoch>.<seq>` (any prefix: Dest, LocalOne, Cdr's `UniqueID`) become
 *   `<epoch + shift>.<seq + generation × 10^7>`;
 * - the 8-hex-digit suffix of channel names (`Local/101@managers-000000e4;1`, `PJSIP/trunk-0000002a`),
 *   wherever they appear (Channel, DestChannel, VarSet values, Cdr), gets `generation × 2^24`;
 * - UUIDs (BridgeUniqueid, bridge ids in variables) get a per-generation offset on their last 48 bits;
 * - `Timestamp`, Cdr `StartTime`/`AnswerTime`/`EndTime` and `EventTV`/`SessionTV` move by `shift`.
 * Everything else is kept byte for byte. The same input and rewrite always give the same output, so
 * the blocks of one call stay consistent with one another. `AS_RECORDED` returns the block unchanged.
 */
export function rewriteBlock(block: string, rewrite: Rewrite): string {
  const { generation, shiftSeconds } = rewrite;
  let text = block;
  if (generation !== 0 || shiftSeconds !== 0) {
    text = text.replace(ID_LINE, (_line, key: string, epoch: string, seq: string, cr: string) =>
      `${key}: ${Number(epoch) + shiftSeconds}.${Number(seq) + generation * SEQ_STEP}${cr}`,
    );
  }
  if (generation !== 0) {
    text = text
      .replace(CHANNEL_SUFFIX, (_m, head: string, hex: string) => head + hex8((parseInt(hex, 16) + generation * CHANNEL_STEP) % 0x100000000))
      .replace(UUID, (_m, head: string, node: string) => head + ((BigInt(`0x${node}`) + BigInt(generation) * UUID_STEP) % UUID_MOD).toString(16).padStart(12, '0'));
  }
  if (shiftSeconds !== 0) {
    text = text
      .replace(TIMESTAMP_LINE, (_line, seconds: string, fraction: string | undefined, cr: string) => `Timestamp: ${Number(seconds) + shiftSeconds}${fraction ?? ''}${cr}`)
      .replace(CDR_TIME_LINE, (_line, key: string, y: string, mo: string, d: string, h: string, mi: string, s: string, cr: string) =>
        `${key}: ${formatNaive(shifted(y, mo, d, h, mi, s, shiftSeconds), ' ')}${cr}`,
      )
      .replace(TV_LINE, (_line, key: string, y: string, mo: string, d: string, h: string, mi: string, s: string, fraction: string | undefined, zone: string | undefined, cr: string) =>
        `${key}: ${formatNaive(shifted(y, mo, d, h, mi, s, shiftSeconds), 'T')}${fraction ?? ''}${zone ?? ''}${cr}`,
      );
  }
  return text;
}

/** The whole-second shift that moves a recording starting at `firstTimestamp` to start at `nowSeconds`. */
export function shiftToNow(firstTimestamp: number | null, nowSeconds: number): number {
  return firstTimestamp === null ? 0 : Math.round(nowSeconds - firstTimestamp);
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** A wall-clock time as written (no zone: Asterisk writes local time), moved by `seconds`. */
function shifted(y: string, mo: string, d: string, h: string, mi: string, s: string, seconds: number): Date {
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + seconds * 1000);
}

function formatNaive(date: Date, separator: ' ' | 'T'): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}${separator}${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}
