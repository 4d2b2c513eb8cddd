/**
 * Pure helpers for writing AMI actions: header sanitising, wire formatting, ActionIDs and the
 * reconnect backoff. No I/O here; ami.client.ts does the writing.
 */

/** One header value, or several (sent as the same header repeated, e.g. `Variable`). */
export type AmiActionValue = string | number | boolean | readonly string[] | undefined;

/** An action as callers give it: `{ Action: 'Originate', Channel: 'PJSIP/101', ... }`. */
export type AmiActionFields = { Action: string } & Record<string, AmiActionValue>;

// C0 controls (CR and LF among them), DEL and C1 controls. Asterisk splits headers on CR/LF,
// so any of them in a caller-controlled value (a caller id, a CRM name) could forge a header.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// A header name must not carry the separator either.
const NAME_FORBIDDEN = /[\u0000-\u0020\u007f-\u009f\u2028\u2029:]/g;

/** Removes every control character from an action header value. */
export function sanitizeHeaderValue(value: string): string {
  return value.replace(CONTROL_CHARS, '');
}

/** Removes control characters, whitespace and ':' from an action header name. */
export function sanitizeHeaderName(name: string): string {
  return name.replace(NAME_FORBIDDEN, '');
}

/**
 * Flattens and sanitises the fields of an action into `[name, value]` pairs, `Action` first.
 * Any caller-given ActionID is dropped (the client owns ActionIDs); undefined values are skipped;
 * arrays become repeated headers; headers whose name sanitises to nothing are dropped.
 */
export function actionHeaders(fields: AmiActionFields): Array<[string, string]> {
  const headers: Array<[string, string]> = [['Action', sanitizeHeaderValue(String(fields.Action))]];
  for (const [rawName, raw] of Object.entries(fields)) {
    const name = sanitizeHeaderName(rawName);
    const lower = name.toLowerCase();
    if (name === '' || lower === 'action' || lower === 'actionid' || raw === undefined) continue;
    const values = Array.isArray(raw) ? (raw as readonly string[]) : [String(raw)];
    for (const value of values) headers.push([name, sanitizeHeaderValue(String(value))]);
  }
  return headers;
}

/** The exact bytes of one action on the wire (CRLF lines, blank line at the end). */
export function formatAction(fields: AmiActionFields, actionId: string): string {
  const [action, ...rest] = actionHeaders(fields);
  const lines = [`${action[0]}: ${action[1]}`, `ActionID: ${sanitizeHeaderValue(actionId)}`];
  for (const [name, value] of rest) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** ActionIDs unique per client instance and distinct from other clients on the same PBX. */
export function actionIdGenerator(prefix = `sb-${Math.random().toString(36).slice(2, 8)}`): () => string {
  let next = 0;
  return () => `${prefix}-${++next}`;
}

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** 0..1: the delay is spread by ± this fraction. */
  jitter: number;
}

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, jittered. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.minMs * 2 ** Math.min(attempt, 30));
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(options.maxMs, base + spread)));
}
