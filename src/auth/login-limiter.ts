/** How many attempts a key gets per window, and how many keys are remembered at most. */
export interface AttemptLimits {
  maxAttempts: number;
  windowMs: number;
  maxKeys: number;
}

export type AttemptVerdict = { ok: true } | { ok: false; retryInMs: number };

interface Window {
  attempts: number;
  endsAt: number;
}

/**
 * Login attempts per key (an email, a source address) in fixed windows, bounded in memory (pure:
 * the caller passes the clock).
 *
 * An attempt is counted when it starts (before the slow password check), so a burst of parallel
 * guesses cannot all slip past the count; a success clears or refunds it. The table is an LRU:
 * when it is full, expired windows go first, then the least recently tried key that is *not*
 * locked. A locked key is never evicted; it only expires with its window. Junk keys therefore
 * cannot flush a lock, and the table cannot grow without bound: every locked key cost
 * `maxAttempts` password checks, which the limiter itself slows down.
 */
export class LoginAttempts {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limits: AttemptLimits) {}

  get size(): number {
    return this.windows.size;
  }

  /** Counts one attempt for the key, or refuses it while the key is locked. */
  attempt(key: string, now: number): AttemptVerdict {
    const current = this.windows.get(key);
    if (current && current.endsAt > now) {
      if (current.attempts >= this.limits.maxAttempts) return { ok: false, retryInMs: current.endsAt - now };
      current.attempts++;
      this.touch(key, current);
      return { ok: true };
    }
    if (current) this.windows.delete(key);
    else if (this.windows.size >= this.limits.maxKeys) this.evictOne(now);
    this.windows.set(key, { attempts: 1, endsAt: now + this.limits.windowMs });
    return { ok: true };
  }

  /** Whether the key is locked now (without counting an attempt). */
  isLocked(key: string, now: number): boolean {
    const current = this.windows.get(key);
    return current !== undefined && current.endsAt > now && current.attempts >= this.limits.maxAttempts;
  }

  /** A successful login: the key starts afresh. */
  clear(key: string): void {
    this.windows.delete(key);
  }

  /** Takes back one counted attempt (a success from a shared source address is not a failure). */
  refund(key: string, now: number): void {
    const current = this.windows.get(key);
    if (!current || current.endsAt <= now) return;
    current.attempts = Math.max(0, current.attempts - 1);
  }

  private touch(key: string, window: Window): void {
    this.windows.delete(key);
    this.windows.set(key, window);
  }

  /** Frees one slot: expired windows on the way, then the least recently tried unlocked key. */
  private evictOne(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now) {
        this.windows.delete(key);
        if (this.windows.size < this.limits.maxKeys) return;
        continue;
      }
      if (window.attempts < this.limits.maxAttempts) {
        this.windows.delete(key);
        return;
      }
    }
    // Every key is locked: keep them all (the table grows past maxKeys rather than unlocking one).
  }
}
