import { join } from 'node:path';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config';
import { MetricsService } from '../../metrics/metrics.service';
import type { AmiMessage } from '../ami/ami-frame-parser';
import { AmiService } from '../ami/ami.service';
import { CallEventBus } from './call-events';
import { CallJournal } from './call-journal';
import {
  callOfMessage,
  closeStaleCalls,
  createCallTrackerState,
  isWorthStoring,
  liveCalls,
  reduceCallEvent,
  replaceTrackerDirectory,
  type CallEffect,
  type CallTrackerState,
} from './call-reducer';
import { readableRecord, readableText } from './call-storage-text';
import { CallsRepository } from './calls.repository';
import { parseDirectory } from './directory';
import { peopleDirectory, resolveExtension, type PeopleDirectory } from '../../people/people-directory';
import { PeopleService } from '../../people/people.service';

const DIRECTORY_RELOAD_MS = 30_000;
const SWEEP_MS = 60_000;

/**
 * The edge around the pure call tracker: every AMI message goes, strictly in arrival order and
 * synchronously, through `reduceCallEvent`; the effects it returns are carried out here —
 * finalized calls queued for storage, ringing/answered/leg-ended/finalized published on the
 * CallEventBus, problems logged with their linkedid. After every (re)connect the live channels
 * are listed (CoreShowChannels) and fed to the tracker, which closes calls that ended while the
 * link was down; a periodic sweep closes calls silent for CALL_MAX_IDLE_SECONDS. The messages of
 * calls in progress are journaled to DATA_DIR (call-journal.ts): after a restart — even a kill -9 —
 * the first resync starts from the calls as they were. Nothing here throws into the AMI client.
 */
/** Pauses before asking again for the channel list when a resync failed (then the idle sweep). */
const RESYNC_RETRY_MS = [1_000, 5_000, 15_000];

@Injectable()
export class CallTrackerService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CallTrackerService.name);
  private readonly state: CallTrackerState;
  private readonly debug: boolean;
  private people: PeopleDirectory = peopleDirectory([]);
  private unsubscribePeople: (() => void) | null = null;
  private lastEventWallMs = Date.now();
  private resyncs = 0;
  private reloadTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private directorySummary = '';
  /** Messages fed to the tracker and calls finalized since start. */
  messages = 0;
  finalized = 0;
  /** The AMI connection (counter) the last resync was for. */
  private connection = 0;
  private journal: CallJournal | null = null;
  private journalTimer: NodeJS.Timeout | null = null;
  /** The journal of the last run was fed to the tracker (at the first connection as AMI leader). */
  private resumed = false;
  private resuming = false;

  constructor(
    private readonly ami: AmiService,
    private readonly calls: CallsRepository,
    private readonly bus: CallEventBus,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly peopleService: PeopleService,
  ) {
    metrics.gauge('calls_active', 'Calls in progress in the tracker of this instance', () => this.state.calls.size);
    this.debug = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'verbose';
    this.state = createCallTrackerState(
      parseDirectory({ defaultRegion: config.DEFAULT_REGION, stepVariable: config.STEP_VARIABLE, stepNames: config.stepAliases }),
    );
  }

  async onModuleInit(): Promise<void> {
    if (!this.ami.enabled) return;
    // A call written again is merged with what is stored and, when both hold events the other
    // lacks, rebuilt with the same directory as the live tracker's.
    this.calls.useDirectory(() => this.state.directory.directory);
    await this.reloadDirectory();
    // A user saved (here, or seen by the people directory's own reload) reaches the tracker at once.
    this.unsubscribePeople = this.peopleService.onReload((people) => void this.reloadDirectory(people));
    this.journal = new CallJournal(join(this.config.dataDir, 'calls-live.jsonl'), this.logger);
    this.journalTimer = setInterval(() => this.journal?.flush(), 1_000);
    this.journalTimer.unref();
    this.ami.on('message', (message) => this.ingest(message));
    this.ami.on('connected', ({ connection }) => {
      this.connection = connection;
      if (!this.resumed) this.resume();
      void this.resync(connection);
    });
    this.ami.on('leadership', ({ leader }) => {
      if (!leader) this.handOver();
    });
    this.reloadTimer = setInterval(() => void this.reloadDirectory(), DIRECTORY_RELOAD_MS);
    this.reloadTimer.unref();
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.reloadTimer) clearInterval(this.reloadTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.journalTimer) clearInterval(this.journalTimer);
    this.reloadTimer = this.sweepTimer = this.journalTimer = null;
    this.unsubscribePeople?.();
    this.unsubscribePeople = null;
    const open = this.liveCallIds();
    this.journal?.close();
    if (open.length === 0) return;
    this.logger.warn(
      `stopping with ${open.length} call(s) in progress (${preview(open)}): their events are kept in ${this.journal?.path}; ` +
        'the next start continues them (the calls that ended meanwhile are closed by its channel list)',
    );
  }

  /**
   * Feeds the journal of the last run to the tracker (once, before the first resync as AMI
   * leader): the calls that were in progress when the process stopped or died continue with
   * their direction, caller and legs; the resync that follows closes those that ended meanwhile.
   */
  private resume(): void {
    this.resumed = true;
    const journal = this.journal;
    if (!journal) return;
    const messages = journal.load(this.config.CALL_MAX_IDLE_SECONDS);
    if (messages.length === 0) return;
    this.resuming = true;
    const finalizedBefore = this.finalized;
    try {
      for (const message of messages) this.ingest(message);
    } finally {
      this.resuming = false;
    }
    const open = this.liveCallIds();
    journal.compact(new Set(open));
    this.logger.warn(
      `resumed from ${journal.path}: ${messages.length} message(s) of the last run, ${open.length} call(s) in progress continued` +
        `${open.length > 0 ? ` (${preview(open)})` : ''}, ${this.finalized - finalizedBefore} finished call(s) queued again`,
    );
  }

  /**
   * Another instance consumes AMI now: forget the calls in progress without finalizing them (the
   * new leader picks them up from its CoreShowChannels resync and records them once).
   */
  private handOver(): void {
    const open = liveCalls(this.state).map((call) => call.linkedid);
    this.state.calls.clear();
    this.state.channelCall.clear();
    this.state.resync = null;
    this.journal?.reset();
    this.bus.emit('call.handedOver', { linkedids: open });
    if (open.length > 0) {
      this.logger.warn(`handed over ${open.length} call(s) in progress to the new AMI leader: ${open.slice(0, 5).join(', ')}${open.length > 5 ? ', …' : ''}`);
    }
  }

  /** Calls in progress (linkedids), for status and tests. */
  liveCallIds(): string[] {
    return liveCalls(this.state).map((call) => call.linkedid);
  }

  /**
   * Rebuilds the tracker's directory from the database (with `people` when the people directory
   * was just loaded); calls in progress keep their state.
   */
  async reloadDirectory(people?: PeopleDirectory): Promise<boolean> {
    try {
      const loaded = await this.calls.loadDirectory(people);
      const directory = loaded.directory;
      replaceTrackerDirectory(this.state, directory);
      this.people = loaded.people;
      const summary = `${directory.users.length} extension(s), ${directory.knownCallers.length} known caller(s), step variable ${directory.stepVariable}`;
      if (summary !== this.directorySummary) this.logger.log(`directory loaded: ${summary}`);
      this.directorySummary = summary;
      return true;
    } catch (error) {
      this.logger.error(`directory not loaded (keeping the previous one): ${errorText(error)}`);
      return false;
    }
  }

  /** Feeds one AMI message to the tracker and carries out its effects. Never throws. */
  ingest(message: AmiMessage): CallEffect[] {
    this.messages++;
    this.lastEventWallMs = Date.now();
    let effects: CallEffect[];
    try {
      const before = this.journal && !this.resuming ? callOfMessage(this.state, message) : null;
      effects = reduceCallEvent(this.state, message).effects;
      if (this.journal && !this.resuming) this.journalize(message, before, effects);
    } catch (error) {
      this.logger.error(`tracker failed on ${message.Event ?? 'response'} (linkedid ${message.Linkedid ?? 'none'}): ${errorText(error)}`);
      return [];
    }
    this.dispatch(effects);
    return effects;
  }

  /**
   * Journals a message the tracker read (before its effects are carried out, so that what was
   * decided is on disk first): messages about calls, tagged with them, and channel lists.
   */
  private journalize(message: AmiMessage, before: string | null, effects: readonly CallEffect[]): void {
    const journal = this.journal as CallJournal;
    const isList = message.Event === 'CoreShowChannel' || message.Event === 'CoreShowChannelsComplete' || message.EventList === 'start';
    if (!isList && !isWorthStoring(message, this.state.directory.directory.stepVariable)) return;
    const calls = new Set<string>();
    if (before) calls.add(before);
    const after = callOfMessage(this.state, message);
    if (after) calls.add(after);
    for (const effect of effects) if (effect.type === 'callFinalized') calls.add(effect.record.linkedid);
    if (message.Event === 'CoreShowChannel' && message.Linkedid) calls.add(message.Linkedid);
    if (calls.size === 0 && !isList) return;
    journal.append(message.Event === 'CoreShowChannel' || !isList ? [...calls] : [], message);
    if (effects.some((effect) => effect.type === 'callFinalized')) journal.maybeCompact(new Set(this.liveCallIds()));
  }

  /** Lists live channels after a (re)connect and lets the tracker close what ended meanwhile. */
  private async resync(connection: number, attempt = 0): Promise<void> {
    const actionId = `switchboard-resync-${++this.resyncs}`;
    // Mark where the snapshot starts in the event order before asking: channels with events after
    // this point are alive even if the list (taken a moment later) does not show them.
    this.ingest({ Response: 'Success', ActionID: actionId, EventList: 'start', Message: 'Channels will follow' });
    const before = this.state.calls.size;
    try {
      const { items } = await this.ami.listAction({ Action: 'CoreShowChannels' });
      let closed = 0;
      for (const item of items) closed += countFinalized(this.ingest({ ...item, ActionID: actionId }));
      closed += countFinalized(
        this.ingest({ Event: 'CoreShowChannelsComplete', ActionID: actionId, EventList: 'Complete', ListItems: String(items.length) }),
      );
      this.metrics.amiResyncs.inc({ result: 'ok' });
      this.logger.log(
        `resync on connection ${connection}: ${items.length} live channel(s); ${before} call(s) were open, ${closed} closed as ended while the link was down, ${this.state.calls.size} in progress`,
      );
    } catch (error) {
      this.state.resync = null;
      this.metrics.amiResyncs.inc({ result: 'failed' });
      const delay = RESYNC_RETRY_MS[attempt];
      if (delay === undefined) {
        this.logger.warn(`resync on connection ${connection} failed: ${errorText(error)}; gave up, open calls are closed by the idle sweep if they never end`);
        return;
      }
      this.logger.warn(`resync on connection ${connection} failed: ${errorText(error)}; retrying in ${delay} ms`);
      setTimeout(() => {
        // Only for the same link and while this instance still consumes it; a new link resyncs anyway.
        if (this.connection === connection && this.ami.leader) void this.resync(connection, attempt + 1);
      }, delay).unref();
    }
  }

  /** Closes calls silent for too long, measured on the Asterisk clock of the last event. */
  private sweep(): void {
    const asteriskNow = (this.state.lastTimestamp ?? Date.now() / 1000) + (Date.now() - this.lastEventWallMs) / 1000;
    try {
      const { effects } = closeStaleCalls(this.state, asteriskNow, undefined, this.config.CALL_MAX_IDLE_SECONDS);
      const closed = countFinalized(effects);
      if (closed > 0) this.logger.warn(`${closed} call(s) idle for over ${this.config.CALL_MAX_IDLE_SECONDS} s closed as timeout`);
      this.dispatch(effects);
    } catch (error) {
      this.logger.error(`idle sweep failed: ${errorText(error)}`);
    }
  }

  private dispatch(effects: CallEffect[]): void {
    for (const effect of effects) {
      try {
        this.carryOut(effect);
      } catch (error) {
        const linkedid = 'linkedid' in effect ? effect.linkedid : 'record' in effect ? effect.record.linkedid : null;
        this.logger.error(`call ${linkedid ?? '?'}: ${effect.type} effect failed: ${errorText(error)}`);
      }
    }
  }

  private carryOut(effect: CallEffect): void {
    switch (effect.type) {
      case 'callStarted':
        if (this.debug) this.logger.debug(`call ${effect.linkedid} started`);
        return;
      case 'ringing':
        this.bus.emit('call.ringing', {
          linkedid: effect.linkedid,
          uniqueid: effect.uniqueid,
          extension: effect.extension,
          userId: resolveExtension(this.people, effect.extension)?.id ?? null,
          step: effect.step,
          call: { ...effect.call, caller: readableText(effect.call.caller), callerName: effect.call.callerName === null ? null : readableText(effect.call.callerName) },
          at: effect.at,
        });
        return;
      case 'answered':
        if (this.debug) this.logger.debug(`call ${effect.linkedid} answered by ${effect.extension} at step ${effect.step ?? '-'}`);
        this.bus.emit('call.answered', {
          linkedid: effect.linkedid,
          uniqueid: effect.uniqueid,
          extension: effect.extension,
          userId: resolveExtension(this.people, effect.extension)?.id ?? null,
          step: effect.step,
          at: effect.at,
        });
        return;
      case 'legEnded':
        this.bus.emit('call.legEnded', {
          linkedid: effect.linkedid,
          uniqueid: effect.uniqueid,
          extension: effect.extension,
          userId: resolveExtension(this.people, effect.extension)?.id ?? null,
          outcome: effect.outcome,
          at: effect.at,
        });
        return;
      case 'transferred':
        this.logger.log(`call ${effect.linkedid} transferred to ${effect.to ?? 'unknown'}`);
        return;
      case 'callFinalized': {
        this.finalized++;
        this.metrics.callsFinalized.inc();
        // Queued for the database; lead capture, the desks' end of call and the live counters
        // follow from `call.stored`, once it is written (CallsRepository).
        this.calls.enqueue(effect.record, effect.events);
        const record = readableRecord(effect.record);
        this.logger.log(
          `call ${record.linkedid} finalized: ${record.direction} ${record.caller} ${record.disposition}` +
            `${record.answeredBy ? ` by ${record.answeredBy}` : ''}, step ${record.stepReached ?? '-'}, closed by ${record.closedBy}`,
        );
        return;
      }
      case 'problem':
        this.logger.warn(`call ${effect.linkedid ?? '?'}: ${effect.code} on ${effect.event ?? '?'}: ${effect.message}`);
        return;
      case 'ignored':
        if (this.debug) this.logger.debug(`call ${effect.linkedid ?? '-'}: ${effect.event} ignored`);
        return;
    }
  }
}

function preview(linkedids: readonly string[]): string {
  return linkedids.length > 5 ? `${linkedids.slice(0, 5).join(', ')}, …` : linkedids.join(', ');
}

function countFinalized(effects: CallEffect[]): number {
  return effects.filter((effect) => effect.type === 'callFinalized').length;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
