import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config';
import { LeaderLock } from '../../database/leader-lock';
import { LinkStatus, type AmiLinkReport } from '../../health/link-status';
import { MetricsService } from '../../metrics/metrics.service';
import type { AmiMessage } from './ami-frame-parser';
import { AmiClient, type AmiActionFields, type AmiListResult } from './ami.client';

export interface AmiServiceEvents {
  /** An AMI event on the consuming (leader's) session, in stream order. */
  message: [AmiMessage];
  /** The consuming session logged in (first time, reconnect, or takeover): resync now. */
  connected: [{ connection: number }];
  /** This instance stopped consuming AMI (another instance leads now). */
  leadership: [{ leader: boolean }];
}

/**
 * The AMI link of the service. Several instances may run on one database; exactly one consumes
 * AMI events — the holder of a Postgres advisory lock (LeaderLock). The leader runs the event
 * session (AmiClient with events on) and forwards its events to the tracker, presence and desks;
 * a follower keeps an actions-only session (`Events: off`) so click-to-call and lists work on
 * every instance, and takes over within a poll (AMI_LEADER_POLL_MS) when the leader's lock is
 * released. Events from a session that is no longer the consuming one are dropped at once.
 * AMI trouble is logged and retried by the client; it never reaches the process.
 */
@Injectable()
export class AmiService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AmiService.name);
  private readonly emitter = new EventEmitter<AmiServiceEvents>();
  private readonly lock: LeaderLock | null;
  private client: AmiClient | null = null;
  private consuming = false;
  private connectionsSeen = 0;
  private events = 0;
  private lastEventAt: Date | null = null;
  private disconnectedSince: Date | null = null;
  private lastGap: { from: string; to: string; seconds: number } | null = null;
  private disconnects = 0;
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    linkStatus: LinkStatus,
    dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {
    this.emitter.setMaxListeners(50);
    if (config.AMI_HOST === undefined) {
      this.lock = null;
      this.logger.log('AMI_HOST is unset: AMI disabled (no call tracking)');
      return;
    }
    const url = (dataSource.options as { url?: string }).url;
    if (url === undefined) throw new Error('AmiService needs a postgres:// URL for the AMI lock');
    this.lock = new LeaderLock({
      url,
      key: config.AMI_LEADER_LOCK_KEY,
      pollMs: config.AMI_LEADER_POLL_MS,
      logger: this.logger,
      onChange: (leader, reason) => this.onLeadership(leader, reason),
    });
    linkStatus.setAmiSource(() => this.report());
    metrics.gauge('ami_leader', '1 when this instance consumes AMI events (holds the AMI lock)', () => (this.consuming ? 1 : 0));
    metrics.gauge('ami_link_up', "1 when this instance's AMI session is logged in (the event session on the leader, the actions-only one on a follower)", () =>
      this.client?.state === 'connected' ? 1 : 0,
    );
    metrics.gauge('ami_last_event_timestamp_seconds', 'Unix time of the last AMI event received (0 = none yet)', () =>
      this.lastEventAt ? this.lastEventAt.getTime() / 1000 : 0,
    );
    metrics.gauge('ami_disconnected_seconds', 'Seconds the event link has been down right now (0 when up or on a follower)', () =>
      this.disconnectedSince ? (Date.now() - this.disconnectedSince.getTime()) / 1000 : 0,
    );
  }

  get enabled(): boolean {
    return this.lock !== null;
  }

  /** Whether this instance consumes AMI events now. */
  get leader(): boolean {
    return this.consuming;
  }

  /** Subscribes to the consuming link (nothing arrives when AMI is disabled). Listeners run in the stream's order. */
  on<K extends keyof AmiServiceEvents>(event: K, listener: (...args: AmiServiceEvents[K]) => void): void {
    // Node's typed EventEmitter cannot relate a generic K to its listener tuple; the map above is the contract.
    (this.emitter as unknown as EventEmitter).on(event, listener as (...args: unknown[]) => void);
  }

  /** Sends one action (an async Originate, …) on this instance's session; resolves with its response — check `Response`. */
  action(fields: AmiActionFields): Promise<AmiMessage> {
    if (!this.client) return Promise.reject(new Error(this.enabled ? 'AMI session not started' : 'AMI disabled (AMI_HOST unset)'));
    return this.client.action(fields);
  }

  listAction(fields: AmiActionFields): Promise<AmiListResult> {
    if (!this.client) return Promise.reject(new Error(this.enabled ? 'AMI session not started' : 'AMI disabled (AMI_HOST unset)'));
    return this.client.listAction(fields);
  }

  report(): AmiLinkReport {
    if (!this.enabled) return { state: 'disabled' };
    const now = Date.now();
    return {
      state: this.client?.state ?? 'idle',
      leader: this.consuming,
      connections: this.connectionsSeen,
      reconnects: Math.max(0, this.connectionsSeen - 1),
      disconnects: this.disconnects,
      eventsReceived: this.events,
      lastEventAt: this.lastEventAt?.toISOString() ?? null,
      secondsSinceLastEvent: this.lastEventAt ? round((now - this.lastEventAt.getTime()) / 1000) : null,
      disconnectedSince: this.disconnectedSince?.toISOString() ?? null,
      disconnectedSeconds: this.disconnectedSince ? round((now - this.disconnectedSince.getTime()) / 1000) : 0,
      lastGap: this.lastGap,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.lock) return;
    this.logger.log(`AMI starting: competing for the AMI lock (key ${this.config.AMI_LEADER_LOCK_KEY})`);
    await this.lock.start();
    if (!this.consuming && !this.client) this.startSession(false);
  }

  /** Graceful stop: stop consuming, release the lock (a follower takes over at once), close the session. */
  async onModuleDestroy(): Promise<void> {
    if (!this.lock) return;
    this.closing = true;
    const client = this.client;
    this.client = null;
    this.consuming = false;
    const closed = client?.close();
    await this.lock.stop();
    await closed;
    this.logger.log(`AMI closed after ${this.events} events, ${Math.max(0, this.connectionsSeen - 1)} reconnects; AMI lock released`);
  }

  private onLeadership(leader: boolean, reason: string): void {
    if (this.closing) return;
    this.metrics.leadershipChanges.inc({ became: leader ? 'leader' : 'follower' });
    if (leader) {
      this.logger.log(`AMI leader: ${reason}; starting the event session`);
    } else {
      this.logger.warn(`AMI follower: ${reason}; stopping event consumption at once`);
    }
    this.startSession(leader);
    this.emitter.emit('leadership', { leader });
  }

  /** Replaces the current session with an event session (leader) or an actions-only one (follower). */
  private startSession(leader: boolean): void {
    const previous = this.client;
    this.consuming = leader;
    this.disconnectedSince = leader ? new Date() : null;
    const config = this.config;
    const client = new AmiClient({
      host: config.AMI_HOST ?? '',
      port: config.AMI_PORT,
      username: config.AMI_USER,
      secret: config.AMI_SECRET,
      heartbeatIntervalMs: config.AMI_HEARTBEAT_SECONDS * 1000,
      reconnect: { minMs: 500, maxMs: 30_000, jitter: 0.2 },
      events: leader ? 'on' : 'off',
      logger: {
        log: (message) => this.logger.log(message),
        warn: (message) => this.logger.warn(message),
        error: (message) => this.logger.error(message),
        debug: (message) => this.logger.debug(message),
      },
    });
    this.client = client;
    const current = (): boolean => this.client === client && !this.closing;
    if (leader) {
      client.on('message', (message) => {
        if (!current() || !this.consuming) return;
        this.events++;
        this.lastEventAt = new Date();
        this.metrics.amiEvents.inc();
        this.emitter.emit('message', message);
      });
    }
    client.on('connected', ({ connection }) => {
      if (!current()) return;
      this.connectionsSeen++;
      if (this.connectionsSeen > 1) this.metrics.amiReconnects.inc();
      if (this.disconnectedSince) {
        const to = new Date();
        const seconds = round((to.getTime() - this.disconnectedSince.getTime()) / 1000);
        this.lastGap = { from: this.disconnectedSince.toISOString(), to: to.toISOString(), seconds };
        this.disconnectedSince = null;
      }
      this.logger.log(
        `AMI ${leader ? 'event' : 'actions-only'} session connected (connection ${connection}, logins ${this.connectionsSeen}, events so far ${this.events}` +
          `${leader && this.lastGap ? `, gap ${this.lastGap.seconds} s` : ''})`,
      );
      if (leader) this.emitter.emit('connected', { connection: this.connectionsSeen });
    });
    client.on('disconnected', ({ reason }) => {
      if (!current()) return;
      this.disconnects++;
      this.metrics.amiDisconnects.inc();
      if (leader) this.disconnectedSince = new Date();
      this.logger.warn(`AMI disconnected: ${reason} (disconnect ${this.disconnects}, events so far ${this.events})`);
    });
    client.on('loginFailed', ({ message, attempt }) => {
      if (current()) this.logger.error(`${message} (attempt ${attempt}); check AMI_USER/AMI_SECRET`);
    });
    client.on('problem', (problem) => {
      if (current()) this.logger.warn(`AMI stream problem on connection ${problem.connection}: ${problem.kind}`);
    });
    if (previous) void previous.close();
    client.start();
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
