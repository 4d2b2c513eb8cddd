import { Client } from 'pg';
import { bool, readRow } from '../common/sql-rows';

export interface LeaderLockLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LeaderLockOptions {
  /** postgres:// URL; the lock lives on a dedicated connection, not on the pool. */
  url: string;
  /** pg_advisory_lock key shared by every instance that competes for the same work. */
  key: number;
  /** How often a follower tries to take over and a leader checks its lock connection. */
  pollMs: number;
  logger: LeaderLockLogger;
  /** Called on every change of leadership, in order. */
  onChange(leader: boolean, reason: string): void;
}

/**
 * Leadership through a session-level Postgres advisory lock on a dedicated connection: whoever
 * holds `pg_try_advisory_lock(key)` leads. Followers retry every `pollMs`; a leader pings its lock
 * connection at the same pace, so a dead connection is noticed within a poll or two.
 *
 * Losing the lock connection is not yet losing leadership: the leader reconnects and takes the
 * lock again. It steps down only when it reaches the database and finds the lock held by another
 * instance. While the database is unreachable it keeps leading — nobody can take the lock then,
 * and stepping down would stop AMI consumption for the whole outage, which is exactly when events
 * must be buffered. (The price, on a network partition that cuts only the leader off the
 * database: two consumers until it reconnects; call writes are idempotent by linkedid.)
 */
export class LeaderLock {
  private client: Client | null = null;
  private holding = false;
  private leading = false;
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private stopped = false;
  private unreachableLogged = false;

  constructor(private readonly options: LeaderLockOptions) {}

  get leader(): boolean {
    return this.leading;
  }

  /** The first attempt is awaited, so a lone instance leads as soon as this resolves. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.schedule();
  }

  /** Stops polling, releases the lock (if held) and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
    const client = this.client;
    this.client = null;
    if (client && this.holding) {
      await client.query('SELECT pg_advisory_unlock($1)', [this.options.key]).catch(() => undefined);
    }
    this.holding = false;
    if (this.leading) this.change(false, 'shutting down');
    await client?.end().catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick().finally(() => this.schedule());
    }, this.options.pollMs);
  }

  private tick(): Promise<void> {
    if (this.busy) return this.busy;
    this.busy = this.attempt().finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private async attempt(): Promise<void> {
    const client = await this.connection();
    if (!client || this.stopped) return;
    try {
      if (this.holding) {
        await client.query('SELECT 1');
        return;
      }
      const result = readRow('advisory lock', await client.query('SELECT pg_try_advisory_lock($1) AS ok', [this.options.key]), { ok: bool });
      if (this.stopped) return;
      if (result?.ok === true) {
        this.holding = true;
        if (!this.leading) this.change(true, 'took the AMI lock');
        else this.options.logger.log('lock connection restored; still the AMI leader');
      } else if (this.leading) {
        this.change(false, 'another instance holds the AMI lock');
      }
    } catch (error) {
      this.drop(client, error);
    }
  }

  private async connection(): Promise<Client | null> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.options.url,
      application_name: 'switchboard-leader',
      keepAlive: true,
      connectionTimeoutMillis: Math.max(1_000, this.options.pollMs * 2),
      query_timeout: Math.max(1_000, this.options.pollMs * 2),
    });
    client.on('error', (error) => this.drop(client, error));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      if (!this.unreachableLogged) {
        this.options.logger.warn(
          `database unreachable for the AMI lock (${message(error)})${this.leading ? '; keeping AMI leadership until it is back' : ''}`,
        );
        this.unreachableLogged = true;
      }
      return null;
    }
    this.unreachableLogged = false;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return null;
    }
    this.client = client;
    return client;
  }

  private drop(client: Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = null;
    this.holding = false;
    this.options.logger.warn(
      `AMI lock connection lost (${message(error)})${this.leading ? '; still consuming AMI while reconnecting to take the lock again' : ''}`,
    );
    void client.end().catch(() => undefined);
  }

  private change(leader: boolean, reason: string): void {
    this.leading = leader;
    this.options.onChange(leader, reason);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
