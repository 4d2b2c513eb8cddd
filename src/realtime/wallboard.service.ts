import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PeopleService } from '../people/people.service';
import { CallEventBus } from '../telephony/calls/call-events';
import { PresenceService } from '../telephony/routing/presence.service';
import { CallerCardCache } from './caller-card';
import { RealtimeService } from './realtime.service';
import { wallboardView, type WallboardClient, type WallboardView } from './wallboard';

/**
 * Loads what the wallboard decides from (the desks' calls, presence, people with DND, the cached
 * caller cards) and asks the pure wallboardView. The PBX's clock is estimated from the tracker's
 * events (their AMI Timestamp against the service's clock when they arrive).
 */
@Injectable()
export class WallboardService implements OnModuleInit, OnModuleDestroy {
  /** PBX clock minus the service's clock, seconds (0 until an event says otherwise). */
  private pbxOffset = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly bus: CallEventBus,
    private readonly realtime: RealtimeService,
    private readonly people: PeopleService,
    private readonly presence: PresenceService,
    private readonly cards: CallerCardCache,
  ) {}

  onModuleInit(): void {
    const learn = ({ at }: { at: number }): void => {
      if (Number.isFinite(at) && at > 0) this.pbxOffset = at - Date.now() / 1000;
    };
    this.unsubscribe.push(this.bus.on('call.ringing', learn), this.bus.on('call.answered', learn), this.bus.on('call.legEnded', learn));
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  async view(): Promise<WallboardView> {
    const calls = this.realtime.deskCalls();
    const clients = new Map<string, WallboardClient | null>();
    await Promise.all(
      calls.map(async (call) => {
        const card = await this.cards.peek(call.linkedid);
        clients.set(call.linkedid, card && (card.company || card.contact) ? { company: card.company?.name ?? null, contact: card.contact?.name ?? null } : null);
      }),
    );
    return wallboardView({
      people: this.people.directory.people,
      presence: this.presence.state,
      calls,
      clients,
      now: Math.round((Date.now() / 1000 + this.pbxOffset) * 1000) / 1000,
    });
  }
}
