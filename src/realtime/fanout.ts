import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/postgres-adapter';
import { Pool } from 'pg';
import type { Server } from 'socket.io';
import type { Audience } from './audience';
import type { ClientEventMap, ClientEventName, DeskSnapshotCall } from './client-events';

/** Whose calls a desk's snapshot shows: one user's, or every call (supervisors). */
export interface SnapshotQuery {
  userId: string;
  all: boolean;
}

/**
 * What instances send each other (socket.io server-side events): one desk event and its audience;
 * a desk's snapshot asked of the others (the leader has the live calls; followers answer []).
 */
export interface FanoutEvents {
  'desk.event': (audience: Audience, event: ClientEventName, data: ClientEventMap[ClientEventName]) => void;
  'desk.snapshot': (query: SnapshotQuery, reply: (calls: DeskSnapshotCall[]) => void) => void;
}

type SnapshotSource = (query: SnapshotQuery) => Promise<DeskSnapshotCall[]>;

type Deliver = (audience: Audience, event: ClientEventName, data: ClientEventMap[ClientEventName]) => void;
type FanoutServer = Server<Record<string, never>, Record<string, never>, FanoutEvents>;

/** Table of the adapter's payloads (migration SocketIoAttachments). */
export const FANOUT_TABLE = 'socket_io_attachments';
const CHANNEL_PREFIX = 'switchboard';
const CLOSE_WAIT_MS = 2_000;
/** How long a connecting desk's snapshot waits for the other instances' calls. */
const SNAPSHOT_WAIT_MS = 2_000;

/**
 * Desk events across instances on one database, through the socket.io Postgres adapter
 * (LISTEN/NOTIFY). Each event is published once as a socket.io server-side emit; every other
 * instance hands it to its own desks of both transports (socket.io rooms and plain /ws). The
 * adapter never hands an instance its own publications, so the sender delivers locally itself.
 *
 * Order: a call's events must reach desks in order. The adapter sends small payloads inline and
 * large ones (caller cards can pass NOTIFY's 8000 bytes) as INSERT + NOTIFY of the row id, and a
 * receiver reads those rows back asynchronously — mixing both reorders events. So every message
 * goes through the table (threshold 0), and the pool has one connection for LISTEN and exactly one
 * for queries: publications and read-backs run first-in first-out on it, in order on both ends.
 */
export class InstanceFanout {
  private readonly logger = new Logger(InstanceFanout.name);
  private pool: Pool | null = null;
  private io: FanoutServer | null = null;
  private snapshots: SnapshotSource = () => Promise.resolve([]);

  constructor(private readonly databaseUrl: string) {}

  attach<S extends Server>(server: S, deliver: Deliver): void {
    const io = server as unknown as FanoutServer;
    const pool = new Pool({ connectionString: this.databaseUrl, max: 2, application_name: 'switchboard desk fan-out' });
    pool.on('error', (error) => this.logger.warn(`fan-out connection error: ${error.message}`));
    // The adapter keeps one client checked out for LISTEN and listens to its 'end' (to reconnect)
    // but not its 'error': without this a database restart would crash the process.
    pool.on('connect', (client) => client.on('error', (error) => this.logger.warn(`fan-out connection lost: ${error.message}`)));
    io.adapter(
      createAdapter(pool, {
        channelPrefix: CHANNEL_PREFIX,
        tableName: FANOUT_TABLE,
        payloadThreshold: 0,
        errorHandler: (error: Error) => this.logger.warn(`fan-out: ${error.message}`),
      }),
    );
    io.on('desk.event', (audience, event, data) => {
      if (!audience || !Array.isArray(audience.users) || typeof event !== 'string') {
        this.logger.warn(`fan-out: malformed event from another instance ignored`);
        return;
      }
      try {
        const except = Array.isArray(audience.except) ? audience.except.filter((id): id is string => typeof id === 'string') : [];
        deliver({ users: audience.users, all: audience.all === true, except }, event, data);
      } catch (error) {
        this.logger.error(`fan-out: ${event} not delivered: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    io.on('desk.snapshot', (query, reply) => {
      if (typeof reply !== 'function') return;
      if (!query || typeof query.userId !== 'string') return reply([]);
      this.snapshots({ userId: query.userId, all: query.all === true })
        .then(reply)
        .catch((error: unknown) => {
          this.logger.error(`fan-out: snapshot for user ${query.userId} failed: ${error instanceof Error ? error.message : String(error)}`);
          reply([]);
        });
    });
    this.pool = pool;
    this.io = io;
  }

  /** What this instance answers when another one asks for a desk's calls. */
  answerSnapshots(source: SnapshotSource): void {
    this.snapshots = source;
  }

  /** The calls the other instances show for a desk; what arrived within SNAPSHOT_WAIT_MS (else []). */
  async snapshotOfOthers(query: SnapshotQuery): Promise<DeskSnapshotCall[]> {
    const io = this.io;
    if (!io) return [];
    let timer: NodeJS.Timeout | undefined;
    const asked = io.serverSideEmitWithAck('desk.snapshot', query).catch((error: unknown) => {
      const partial = (error as { responses?: DeskSnapshotCall[][] }).responses ?? [];
      this.logger.warn(`fan-out: snapshot for user ${query.userId}: ${error instanceof Error ? error.message : String(error)}`);
      return partial;
    });
    const late = new Promise<DeskSnapshotCall[][]>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`fan-out: snapshot for user ${query.userId}: no answer within ${SNAPSHOT_WAIT_MS} ms; the desk gets this instance's calls only`);
        resolve([]);
      }, SNAPSHOT_WAIT_MS);
    });
    const responses = await Promise.race([asked, late]);
    clearTimeout(timer);
    return responses.filter(Array.isArray).flat();
  }

  /** Hands one event to the other instances (fire and forget; errors are logged by the adapter). */
  publish<K extends ClientEventName>(audience: Audience, event: K, data: ClientEventMap[K]): void {
    this.io?.serverSideEmit('desk.event', { users: [...audience.users], all: audience.all, except: [...(audience.except ?? [])] }, event, data);
  }

  /** Instances the adapter has heard from (heartbeats), this one included. */
  async instanceCount(): Promise<number> {
    return this.io ? this.io.of('/').adapter.serverCount() : 1;
  }

  /** Ends the pool; call after the socket.io server closed (that releases the LISTEN connection). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.io = null;
    if (!pool) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pool.end(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
