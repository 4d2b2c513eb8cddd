import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config';
import { LinkStatus, type AmiLinkReport } from '../../health/link-status';
import type { AmiMessage } from './ami-frame-parser';
import { AmiClient, type AmiActionFields, type AmiClientEvents, type AmiListResult } from './ami.client';

/**
 * The AMI link of the service: one AmiClient built from the settings (none when AMI_HOST is
 * unset), started once the application is up, closed on shutdown, reported on /health.
 * AMI trouble is logged and retried by the client; it never reaches the process.
 */
@Injectable()
export class AmiService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AmiService.name);
  private readonly client: AmiClient | null;
  private disconnects = 0;
  private loginFailures = 0;
  private problems = 0;

  constructor(config: AppConfig, linkStatus: LinkStatus) {
    if (config.AMI_HOST === undefined) {
      this.client = null;
      this.logger.log('AMI_HOST is unset: AMI disabled (no call tracking)');
      return;
    }
    this.client = new AmiClient({
      host: config.AMI_HOST,
      port: config.AMI_PORT,
      username: config.AMI_USER,
      secret: config.AMI_SECRET,
      heartbeatIntervalMs: config.AMI_HEARTBEAT_SECONDS * 1000,
      reconnect: { minMs: 500, maxMs: 30_000, jitter: 0.2 },
      logger: {
        log: (message) => this.logger.log(message),
        warn: (message) => this.logger.warn(message),
        error: (message) => this.logger.error(message),
        debug: (message) => this.logger.debug(message),
      },
    });
    this.client.on('connected', ({ connection }) => {
      this.logger.log(
        `AMI connected (connection ${connection}, reconnects ${this.client?.reconnects ?? 0}, events so far ${this.client?.eventsReceived ?? 0})`,
      );
    });
    this.client.on('disconnected', ({ reason }) => {
      this.disconnects++;
      this.logger.warn(`AMI disconnected: ${reason} (disconnect ${this.disconnects}, events so far ${this.client?.eventsReceived ?? 0})`);
    });
    this.client.on('loginFailed', ({ message, attempt }) => {
      this.loginFailures++;
      this.logger.error(`${message} (attempt ${attempt}); check AMI_USER/AMI_SECRET`);
    });
    this.client.on('problem', (problem) => {
      this.problems++;
      this.logger.warn(`AMI stream problem on connection ${problem.connection}: ${problem.kind} (${this.problems} so far)`);
    });
    linkStatus.setAmiSource(() => this.report());
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  /** Subscribes to the link (no-op when AMI is disabled). Listeners run in the stream's order. */
  on<K extends 'message' | 'connected'>(event: K, listener: (...args: AmiClientEvents[K]) => void): void {
    if (!this.client) return;
    if (event === 'message') this.client.on('message', listener as (message: AmiMessage) => void);
    else this.client.on('connected', listener as (info: { connection: number }) => void);
  }

  /** Sends one action (an async Originate, …); resolves with its response — check `Response`. */
  action(fields: AmiActionFields): Promise<AmiMessage> {
    if (!this.client) return Promise.reject(new Error('AMI disabled (AMI_HOST unset)'));
    return this.client.action(fields);
  }

  listAction(fields: AmiActionFields): Promise<AmiListResult> {
    if (!this.client) return Promise.reject(new Error('AMI disabled (AMI_HOST unset)'));
    return this.client.listAction(fields);
  }

  report(): AmiLinkReport {
    if (!this.client) return { state: 'disabled' };
    return {
      state: this.client.state,
      connections: this.client.connectionCount,
      reconnects: this.client.reconnects,
      eventsReceived: this.client.eventsReceived,
      lastEventAt: this.client.lastEventAt?.toISOString() ?? null,
    };
  }

  onApplicationBootstrap(): void {
    if (!this.client) return;
    this.logger.log('AMI starting');
    this.client.start();
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.client) return;
    await this.client.close();
    this.logger.log(`AMI closed after ${this.client.eventsReceived} events, ${this.client.reconnects} reconnects`);
  }
}
