import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import type { CallRecord, LegOutcome } from './call-record';
import type { RingingCall } from './call-reducer';

/** What the call tracker announces inside the process (realtime gateway, lead capture, …). */
export interface CallEventMap {
  'call.ringing': [{ linkedid: string; uniqueid: string; extension: string; userId: string | null; step: string | null; call: RingingCall; at: number }];
  'call.answered': [{ linkedid: string; uniqueid: string; extension: string; userId: string | null; step: string | null; at: number }];
  'call.legEnded': [{ linkedid: string; uniqueid: string; extension: string; userId: string | null; outcome: LegOutcome; at: number }];
  /**
   * A finished call is in the database (calls, legs, per-person rows, raw events: one
   * transaction), with the record as stored — merged with what was stored before, text made
   * readable. Everything that acts on a finished call (lead capture, the desks' end-of-call
   * events, live counters) listens to this, never to the tracker: nothing acts on a call that is
   * not stored. While the database is down the call waits in the write queue, and so do they.
   */
  'call.stored': [{ record: CallRecord }];
  /**
   * A finished call the database keeps refusing went to the dead letter instead (not stored;
   * `npm run retry-calls` writes it after a fix, and lead capture's outbox then finds it). The
   * desks end the call on this too, so a refused call does not stay on them.
   */
  'call.deadLettered': [{ record: CallRecord }];
  /**
   * Lead capture wrote what a stored call asked for (a lead, a merged repeat, a callback task, a
   * closed task): the desks' lists (missed calls, callbacks, the lead exchange) changed.
   */
  'call.leadCaptured': [{ linkedid: string; reason: string }];
  /** This instance stopped consuming AMI: these calls in progress are now the new leader's. */
  'call.handedOver': [{ linkedids: string[] }];
}

export type CallEventName = keyof CallEventMap;

/**
 * A small typed in-process bus. Listeners run synchronously in the tracker's event order; a
 * listener that throws is logged and does not stop the others or the ingestion.
 */
@Injectable()
export class CallEventBus {
  private readonly logger = new Logger(CallEventBus.name);
  private readonly emitter = new EventEmitter<CallEventMap>();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  on<K extends CallEventName>(event: K, listener: (...args: CallEventMap[K]) => void): () => void {
    const safe = (...args: CallEventMap[K]): void => {
      try {
        listener(...args);
      } catch (error) {
        this.logger.error(`listener of ${event} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    };
    // Node's typed EventEmitter cannot relate a generic K to its listener tuple; the map above is the contract.
    const emitter = this.emitter as unknown as EventEmitter;
    emitter.on(event, safe as (...args: unknown[]) => void);
    return () => emitter.off(event, safe as (...args: unknown[]) => void);
  }

  emit<K extends CallEventName>(event: K, ...args: CallEventMap[K]): void {
    (this.emitter as unknown as EventEmitter).emit(event, ...args);
  }

  listenerCount(event: CallEventName): number {
    return this.emitter.listenerCount(event);
  }
}
