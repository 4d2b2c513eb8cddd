import { Injectable, Logger } from '@nestjs/common';
import type { ClientCard } from '../crm/lookup/client-card';
import { ClientLookupService } from '../crm/lookup/client-lookup.service';
import type { RingingCall } from '../telephony/calls/call-reducer';
import type { CallerCardView } from './client-events';

/** Most calls in progress at once that keep a cached card (oldest dropped first). */
const MAX_CACHED = 5_000;

/** The popup card: what the PBX said about the call plus the CRM's card of the number (pure). */
export function toCallerCardView(linkedid: string, base: RingingCall, client: ClientCard | null, lookupFailed = false): CallerCardView {
  return {
    linkedid,
    direction: base.direction,
    phone: base.caller,
    callerIdName: base.callerName,
    line: base.did,
    newCaller: client ? !client.known : !lookupFailed && base.direction === 'inbound',
    contact: client?.contact ?? null,
    company: client?.company ?? null,
    responsible: client?.responsible ?? null,
    openDeals: client?.openDeals ?? [],
    openTasks: client?.openTasks ?? [],
    lastCalls: client?.lastCalls ?? [],
    lookupFailed,
  };
}

/** Only real numbers are looked up: not `anonymous`, not extensions of internal calls. */
export function isLookupable(phone: string): boolean {
  return /^\+\d{6,15}$/.test(phone);
}

/**
 * Caller cards cached per call (linkedid): every desk rung in a call, and every later event of
 * it, share one lookup — one prepared statement (CLIENT_CARD_STATEMENT) per call, no N+1.
 */
@Injectable()
export class CallerCardCache {
  private readonly logger = new Logger(CallerCardCache.name);
  private readonly cards = new Map<string, Promise<CallerCardView>>();
  lookups = 0;

  constructor(private readonly lookup: ClientLookupService) {}

  /** The card of a call, looked up once; never rejects (a failed lookup gives a PBX-only card). */
  cardFor(linkedid: string, base: RingingCall): Promise<CallerCardView> {
    const cached = this.cards.get(linkedid);
    if (cached) return cached;
    const card = this.load(linkedid, base);
    this.cards.set(linkedid, card);
    if (this.cards.size > MAX_CACHED) {
      const oldest = this.cards.keys().next().value;
      if (oldest !== undefined) this.cards.delete(oldest);
    }
    return card;
  }

  peek(linkedid: string): Promise<CallerCardView> | undefined {
    return this.cards.get(linkedid);
  }

  forget(linkedid: string): void {
    this.cards.delete(linkedid);
  }

  get size(): number {
    return this.cards.size;
  }

  private async load(linkedid: string, base: RingingCall): Promise<CallerCardView> {
    if (!isLookupable(base.caller)) return toCallerCardView(linkedid, base, null);
    this.lookups++;
    try {
      return toCallerCardView(linkedid, base, await this.lookup.cardFor(base.caller));
    } catch (error) {
      this.logger.error(`call ${linkedid}: card lookup for ${base.caller} failed: ${error instanceof Error ? error.message : String(error)}`);
      return toCallerCardView(linkedid, base, null, true);
    }
  }
}
