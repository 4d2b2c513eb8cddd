import { findForbiddenCharacter } from './text-safety';

/** Field names that address an object's prototype; the validator would strip them silently. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first thing in a parsed body, query or path parameter that must not get further (pure):
 * a string (value or field name) with a character no text field may carry (text-safety.ts: NUL,
 * which PostgreSQL refuses, other control characters, U+FFFD, lone surrogates — the same rule as
 * the CSV import's), or a prototype field name (`__proto__`, `constructor`), with its path
 * (`title`, `phones.2`); null when there is none. Iterative: deep nesting cannot overflow the stack.
 */
export function findInputHazard(value: unknown, root = ''): { field: string; reason: string } | null {
  const pending: { value: unknown; path: string }[] = [{ value, path: root }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const forbidden = findForbiddenCharacter(current);
      if (forbidden) return { field: path || 'value', reason: `contains ${forbidden.description}, which a text field may not carry` };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    for (const [key, child] of Object.entries(current)) {
      const named = path ? `${path}.${JSON.stringify(key).slice(1, -1)}` : JSON.stringify(key).slice(1, -1);
      const forbidden = findForbiddenCharacter(key);
      if (forbidden) return { field: named, reason: `(a field name) contains ${forbidden.description}` };
      if (RESERVED_KEYS.has(key)) return { field: named, reason: 'is not a field name the API accepts' };
      pending.push({ value: child, path: path ? `${path}.${key}` : key });
    }
  }
  return null;
}
