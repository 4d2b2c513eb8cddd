import { isUUID } from 'class-validator';

/** The one algorithm tokens are signed and verified with (a token naming another is refused). */
export const JWT_ALGORITHM = 'HS256';

/** What a verified token must carry: whose it is (`sub`, a user id) and when it stops working (`exp`). */
export interface TokenClaims {
  sub: string;
  exp: number;
}

/**
 * The claims of a token whose signature already checked out, or why they are not enough (pure).
 * Without `sub` a lookup by id would match any row; without `exp` a token would work forever.
 */
export function checkTokenClaims(payload: unknown): { ok: true; claims: TokenClaims } | { ok: false; reason: string } {
  if (typeof payload !== 'object' || payload === null) return { ok: false, reason: 'the token has no claims' };
  const { sub, exp } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || !isUUID(sub)) return { ok: false, reason: 'the token names no user (sub)' };
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return { ok: false, reason: 'the token has no expiry (exp)' };
  return { ok: true, claims: { sub, exp } };
}
