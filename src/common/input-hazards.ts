/** Half of a UTF-16 surrogate pair without its other half: not a character, and not valid UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Field names that address an object's prototype; the validator would strip them silently. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why PostgreSQL would refuse this text (pure): `text` columns cannot hold NUL, and neither
 * `text` nor `jsonb` can hold a lone surrogate (the driver would also silently turn it into U+FFFD).
 * Null when the text is storable as it is.
 */
export function unstorableReason(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (broken Unicode), which cannot be stored';
  return null;
}

/** The text with what PostgreSQL refuses taken out: NUL removed, lone surrogates as U+FFFD (for inputs that must not be refused). */
export function storableText(text: string): string {
  return unstorableReason(text) === null ? text : text.replace(/\u0000/g, '').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

/**
 * The first thing in a parsed body, query or path parameter that must not get further (pure):
 * a string (value or field name) PostgreSQL would refuse, or a prototype field name
 * (`__proto__`, `constructor`), with its path (`title`, `phones.2`); null when there is none.
 * Iterative: a deeply nested value cannot overflow the stack here.
 */
export function findInputHazard(value: unknown, root = ''): { field: string; reason: string } | null {
  const pending: { value: unknown; path: string }[] = [{ value, path: root }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const reason = unstorableReason(current);
      if (reason) return { field: path || 'value', reason };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    for (const [key, child] of Object.entries(current)) {
      const named = path ? `${path}.${JSON.stringify(key).slice(1, -1)}` : JSON.stringify(key).slice(1, -1);
      const keyReason = unstorableReason(key);
      if (keyReason) return { field: named, reason: `(a field name) ${keyReason}` };
      if (RESERVED_KEYS.has(key)) return { field: named, reason: 'is not a field name the API accepts' };
      pending.push({ value: child, path: path ? `${path}.${key}` : key });
    }
  }
  return null;
}
