/**
 * Characters a text field must not carry into the database or onto a screen: NUL (PostgreSQL
 * refuses it in text and jsonb) and the other C0 controls except tab, CR and LF; DEL; the C1
 * controls (what a stray 0x80–0x9F byte becomes); U+FFFD (a character already lost by an earlier
 * conversion); and lone UTF-16 surrogates (not text at all).
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface ForbiddenCharacter {
  /** 0-based index in the string. */
  index: number;
  /** `U+0000`. */
  codePoint: string;
  /** For messages: `the control character U+0000`, `the replacement character U+FFFD (…)`, `a lone surrogate U+D800`. */
  description: string;
}

/** The first forbidden character of `text`, or null when the text is clean. */
export function findForbiddenCharacter(text: string): ForbiddenCharacter | null {
  const match = FORBIDDEN.exec(text);
  if (!match) return null;
  const code = match[0].charCodeAt(0);
  const codePoint = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const description =
    code === 0xfffd
      ? `the replacement character ${codePoint} (a letter lost by an earlier conversion)`
      : code >= 0xd800 && code <= 0xdfff
        ? `a lone surrogate ${codePoint}`
        : `the control character ${codePoint}`;
  return { index: match.index, codePoint, description };
}

/**
 * The text with every forbidden character taken out, for inputs that must be served rather than
 * refused (the dialplan's caller id: a NUL in it must not lose a batch of route decisions).
 */
export function withoutForbiddenCharacters(text: string): string {
  return findForbiddenCharacter(text) === null ? text : text.replace(new RegExp(FORBIDDEN.source, 'g'), '');
}
