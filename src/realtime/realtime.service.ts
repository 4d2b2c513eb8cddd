import { performance } from 'node:perf_hooks';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AmiService } from '../telephony/ami/ami.service';
import { CallEventBus } from '../telephony/calls/call-events';
import type { CallRecord } from '../telephony/calls/call-record';
import { CallerCardCache } from './caller-card';
import type { CallEndedEvent, CallerCardView, DeskPerson, DeskSnapshotCall } from './client-events';
import {
  createDeskState,
  deskAnswered,
  deskFinalized,
  deskLegEnded,
  deskRinging,
  deskSnapshot,
  type DeskCall,
  type DeskEffect,
  type DeskState,
  type PersonRef,
} from './desk-state';
import { RealtimeGateway } from './realtime.gateway';
import { MetricsService } from '../metrics/metrics.service';
import { personById, resolveExtension } from '../people/people-directory';
import { PeopleService } from '../people/people.service';

/**
 * Three steps, as wazo's manager: the tracker's events go through the pure desk state, which says
 * what to send to whom; this service adds the caller card (looked up once per call) and hands the
 * events to the gateway. Events of one call go out strictly in order (a chain per linkedid), so a
 * slow card never lets `call.answered` overtake `call.ringing`. Nothing here throws into the bus.
 */
@Injectable()
export class RealtimeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeService.name);
  private readonly state: DeskState = createDeskState();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Wall clock (epoch ms, sub-ms) when the AMI event being processed reached the service. */
  private lastArrivalMs = 0;

  constructor(
    private readonly bus: CallEventBus,
    private readonly gateway: RealtimeGateway,
    private readonly cards: CallerCardCache,
    private readonly ami: AmiService,
    private readonly metrics: MetricsService,
    private readonly people: PeopleService,
  ) {
    // Subscribed in the constructor, before the call tracker subscribes (in its onModuleInit): this
    // listener runs first for every AMI event, so a popup can say when its event arrived.
    ami.on('message', () => {
      this.lastArrivalMs = performance.timeOrigin + performance.now();
    });
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.on('call.ringing', (event) => {
        const receivedAtMs = this.arrival();
        // Start the card lookup at once, before anything else of this call waits on it.
        void this.cards.cardFor(event.linkedid, event.call);
        this.carryOut(deskRinging(this.state, event), receivedAtMs);
      }),
      this.bus.on('call.answered', (event) => this.carryOut(deskAnswered(this.state, event), this.arrival())),
      this.bus.on('call.legEnded', (event) => this.carryOut(deskLegEnded(this.state, event), this.arrival())),
      // The new leader announces these calls again (its resync); this instance forgets its popups.
      this.bus.on('call.handedOver', ({ linkedids }) => {
        for (const linkedid of linkedids) {
          this.state.calls.delete(linkedid);
          this.cards.forget(linkedid);
        }
      }),
      // The end of a call: once it is stored (or, refused by the database, in the dead letter).
      this.bus.on('call.stored', ({ record }) => this.endCall(record)),
      this.bus.on('call.deadLettered', ({ record }) => this.endCall(record)),
      // Lead capture wrote a lead or a task: every desk's lists may show it (the exchange is everyone's).
      this.bus.on('call.leadCaptured', ({ reason }) => {
        const everyone = this.people.directory.people.filter((person) => person.active).map((person) => person.id);
        this.gateway.send({ users: everyone, all: true }, 'desk.listsChanged', { reason });
      }),
    );
    this.gateway.answerSnapshots((query) => this.snapshotCalls(query.userId, query.all));
    this.gateway.onDeskConnected((desk, send, connectionId) => {
      const query = { userId: desk.user.id, all: desk.scope === 'all' };
      // A follower consumes no AMI and has no live calls: it asks the other instances (the leader).
      void Promise.all([this.snapshotCalls(query.userId, query.all), this.ami.leader ? [] : this.gateway.snapshotOfOthers(query)]).then(([own, others]) => {
        const calls = [...own, ...others.filter((call) => !own.some((mine) => mine.linkedid === call.linkedid))];
        send('desk.snapshot', { user: { id: desk.user.id, name: desk.user.name, role: desk.user.role }, scope: desk.scope, calls });
        if (calls.length > 0) this.logger.log(`desk ${connectionId} (user ${desk.user.id}): snapshot with ${calls.length} call(s) in progress`);
      });
    });
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** This instance's calls in progress for a desk, with their cards. */
  private snapshotCalls(userId: string, all: boolean): Promise<DeskSnapshotCall[]> {
    const items = deskSnapshot(this.state, userId, all);
    return Promise.all(
      items.map(
        async (item): Promise<DeskSnapshotCall> => ({
          linkedid: item.linkedid,
          state: item.state,
          uniqueid: item.leg.uniqueid,
          person: this.person(item.leg),
          step: item.leg.step,
          at: item.leg.at,
          answeredBy: item.answered ? this.person(item.answered) : null,
          card: await this.cards.cardFor(item.linkedid, item.base),
        }),
      ),
    );
  }

  /** The calls in progress as the desks see them (read-only: the wallboard reads them). */
  deskCalls(): readonly DeskCall[] {
    return [...this.state.calls.values()];
  }

  /** Calls the desks are shown now (for status and tests). */
  liveCallIds(): string[] {
    return [...this.state.calls.keys()];
  }

  private arrival(): number {
    return this.lastArrivalMs || performance.timeOrigin + performance.now();
  }

  private carryOut(effects: DeskEffect[], receivedAtMs: number): void {
    for (const effect of effects) {
      const linkedid = effect.linkedid;
      const previous = this.chains.get(linkedid) ?? Promise.resolve();
      const next = previous
        .then(() => this.deliver(effect, receivedAtMs))
        .catch((error: unknown) => {
          this.logger.error(`call ${linkedid}: ${effect.type} not delivered: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        });
      this.chains.set(linkedid, next);
      if (effect.type === 'ended') {
        void next.then(() => {
          if (this.chains.get(linkedid) === next) this.chains.delete(linkedid);
        });
      }
    }
  }

  private async deliver(effect: DeskEffect, receivedAtMs: number): Promise<void> {
    switch (effect.type) {
      case 'ringing': {
        const card = await this.cards.cardFor(effect.linkedid, effect.base);
        this.metrics.popupsSent.inc();
        this.gateway.send(audienceOf(effect.leg.userId), 'call.ringing', {
          linkedid: effect.linkedid,
          uniqueid: effect.leg.uniqueid,
          ringing: this.person(effect.leg),
          step: effect.leg.step,
          at: effect.leg.at,
          receivedAtMs,
          card,
        });
        return;
      }
      case 'answered': {
        const card = await this.cards.cardFor(effect.linkedid, effect.base);
        this.metrics.popupsSent.inc();
        this.gateway.send(audienceOf(effect.leg.userId), 'call.answered', {
          linkedid: effect.linkedid,
          uniqueid: effect.leg.uniqueid,
          answeredBy: this.person(effect.leg),
          step: effect.leg.step,
          at: effect.leg.at,
          card,
        });
        return;
      }
      case 'taken':
        this.gateway.send({ users: effect.to, all: true }, 'call.taken', { linkedid: effect.linkedid, answeredBy: this.person(effect.by), at: effect.at });
        return;
      case 'withdrawn':
        this.gateway.send(audienceOf(effect.leg.userId), 'call.withdrawn', {
          linkedid: effect.linkedid,
          uniqueid: effect.leg.uniqueid,
          person: this.person(effect.leg),
          outcome: effect.outcome,
          at: effect.leg.at,
        });
        return;
      case 'ended': {
        const cached = this.cards.peek(effect.linkedid);
        const card = cached ? await cached : null;
        // The note/task prompt is for the person who talked; everyone else rung (and supervisors) get the outcome only.
        const event = this.endedEvent(effect.record, effect.answeredBy, card);
        const talker = event.prompt ? event.answeredBy?.userId ?? null : null;
        if (talker) {
          this.gateway.send({ users: [talker], all: false }, 'call.ended', event);
          this.gateway.send({ users: effect.to, all: true, except: [talker] }, 'call.ended', { ...event, prompt: null });
        } else {
          this.gateway.send({ users: effect.to, all: true }, 'call.ended', { ...event, prompt: null });
        }
        if (effect.record.disposition === 'answered' || effect.record.direction !== 'inbound') this.cards.forget(effect.linkedid);
        this.logger.debug(`call ${effect.linkedid}: ended sent to ${effect.to.length} user(s)`);
        return;
      }
      case 'missed': {
        const record = effect.record;
        const base = effect.base ?? { direction: record.direction, caller: record.caller, callerName: record.callerName, did: record.did };
        const card = await this.cards.cardFor(record.linkedid, base);
        this.cards.forget(record.linkedid);
        const responsibleId = card.responsible?.id ?? null;
        this.gateway.send({ users: responsibleId ? [responsibleId] : [], all: true }, 'call.missed', {
          linkedid: record.linkedid,
          abandoned: record.abandoned,
          voicemail: record.voicemail,
          ringSeconds: record.ringSeconds,
          startedAt: record.startedAt,
          endedAt: record.endedAt,
          responsibleId,
          card,
        });
        this.logger.log(`call ${record.linkedid}: missed ${record.caller}, sent to ${responsibleId ? `responsible ${responsibleId}` : 'supervisors (new caller)'}`);
        return;
      }
    }
  }

  private endCall(record: CallRecord): void {
    this.carryOut(deskFinalized(this.state, record, this.people.userIdOf(record.answeredBy)), this.arrival());
  }

  private endedEvent(record: CallRecord, answeredBy: PersonRef | null, card: CallerCardView | null): CallEndedEvent {
    const answered = record.disposition === 'answered' && answeredBy !== null;
    return {
      linkedid: record.linkedid,
      disposition: record.disposition,
      abandoned: record.abandoned,
      voicemail: record.voicemail,
      answeredBy: answeredBy ? this.person(answeredBy) : null,
      ringSeconds: record.ringSeconds,
      talkSeconds: record.talkSeconds,
      endedAt: record.endedAt,
      phone: record.caller,
      prompt: answered
        ? {
            kind: 'note_or_task',
            phone: record.caller,
            contactId: card?.contact?.id ?? null,
            companyId: card?.company?.id ?? null,
            dealId: card?.openDeals[0]?.id ?? null,
          }
        : null,
    };
  }

  /** The person of a leg: the tracker's user id, else the extension's owner; names of former staff still show. */
  private person(ref: PersonRef): DeskPerson {
    const directory = this.people.directory;
    const person = personById(directory, ref.userId) ?? resolveExtension(directory, ref.extension);
    return { userId: ref.userId ?? person?.id ?? null, extension: ref.extension, name: person?.name ?? null };
  }
}

function audienceOf(userId: string | null): { users: string[]; all: boolean } {
  return { users: userId ? [userId] : [], all: true };
}
