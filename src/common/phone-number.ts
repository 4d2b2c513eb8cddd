import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** What Asterisk and carriers put in CallerIDNum when the number is withheld or unknown. */
const ANONYMOUS_TOKENS = new Set([
  '',
  'anonymous',
  '<unknown>',
  'unknown',
  'restricted',
  'private',
  'unavailable',
  'withheld',
  'blocked',
  'none',
  'null',
]);

const SEPARATORS = /[\s\-().\u00a0/]/g;
const PLAUSIBLE_DIGITS = /^\+?\d{8,15}$/;

/** True when a raw caller id says "no number" (withheld, unknown, empty). */
export function isAnonymousCaller(raw: string | null | undefined): boolean {
  return raw === null || raw === undefined || ANONYMOUS_TOKENS.has(raw.trim().toLowerCase());
}

/**
 * Normalizes a phone number to E.164 with libphonenumber-js (max metadata).
 * `defaultRegion` is an ISO country (e.g. `RU`): `8 495 123-45-67`, `+7 (495) 123-45-67` and
 * `74951234567` are the same number there. Returns null for anything that is not a number
 * (withheld caller ids, extensions, garbage). Digit-only input libphonenumber cannot place is
 * kept as `+<digits>` when it has a plausible length (8–15 digits).
 */
export function normalizePhone(raw: string | null | undefined, defaultRegion: string): string | null {
  if (isAnonymousCaller(raw)) return null;
  const text = stripUri((raw as string).trim());
  const compact = text.replace(SEPARATORS, '');
  if (compact.length === 0 || compact.length > 40) return null;
  const region = toRegion(defaultRegion);

  const parsed = parse(compact, region);
  if (parsed?.isValid()) return parsed.number;
  if (/^\d{11,15}$/.test(compact)) {
    const international = parse(`+${compact}`, region);
    if (international?.isValid()) return international.number;
  }
  if (parsed?.isPossible() && compact.replace(/\D/g, '').length >= 8) return parsed.number;
  if (PLAUSIBLE_DIGITS.test(compact)) return `+${compact.replace(/^\+/, '')}`;
  return null;
}

/** The caller as stored on a call: E.164, or `anonymous` when there is no usable number. */
export function callerNumber(raw: string | null | undefined, defaultRegion: string): string {
  return normalizePhone(raw, defaultRegion) ?? 'anonymous';
}

function stripUri(text: string): string {
  const scheme = /^(?:sips?|tel):/i;
  if (!scheme.test(text)) return text;
  const rest = text.replace(scheme, '');
  const at = rest.indexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : rest;
  const semicolon = user.indexOf(';');
  return semicolon >= 0 ? user.slice(0, semicolon) : user;
}

function parse(text: string, region: CountryCode | undefined) {
  try {
    return parsePhoneNumberFromString(text, region);
  } catch {
    return undefined;
  }
}

function toRegion(region: string): CountryCode | undefined {
  const upper = region.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(upper) ? (upper as CountryCode) : undefined;
}
