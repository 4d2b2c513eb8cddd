import { DomainError } from './domain-error';

/** What a pure rule decides about a request: allowed, or refused with a code, a message and the field at fault. */
export type Verdict = { ok: true } | { ok: false; code: 'forbidden' | 'invalid' | 'conflict'; message: string; field?: string };

export const ALLOWED: Verdict = { ok: true };

export function refused(code: 'forbidden' | 'invalid' | 'conflict', message: string, field?: string): Verdict {
  return { ok: false, code, message, ...(field ? { field } : {}) };
}

/** Services carry out a rule's verdict: a refusal becomes the DomainError the HTTP filter maps. */
export function assertAllowed(verdict: Verdict): void {
  if (!verdict.ok) throw new DomainError(verdict.code, verdict.message, verdict.field ? { field: verdict.field } : undefined);
}
