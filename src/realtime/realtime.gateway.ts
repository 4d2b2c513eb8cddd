import type { IncomingMessage } from 'node:http';
import { Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Server, Socket } from 'socket.io';
import type { DataSource } from 'typeorm';
import type { WebSocket } from 'ws';
import type { AuthUser } from '../auth/auth-user';
import { AuthService } from '../auth/auth.service';
import { SUPERVISORS } from '../auth/roles.decorator';
import { DomainError } from '../common/domain-error';
import type { Audience } from './audience';
import type { ClientEventMap, ClientEventName, ClientToServerEvents, DeskSnapshotCall, ServerToClientEvents } from './client-events';
import { plainEndpointOf } from './dual-socket.adapter';
import { InstanceFanout, type FanoutEvents, type SnapshotQuery } from './fanout';

/** Who is at a desk: the token's user and whether they watch every call (supervisors only). */
export interface DeskIdentity {
  user: AuthUser;
  scope: 'own' | 'all';
}

type DeskSocket = Socket<ClientToServerEvents, ServerToClientEvents, FanoutEvents, { desk: DeskIdentity }>;
type DeskServer = Server<ClientToServerEvents, ServerToClientEvents, FanoutEvents, { desk: DeskIdentity }>;
type DeskSender = <K extends ClientEventName>(event: K, data: ClientEventMap[K]) => void;
type ConnectListener = (desk: DeskIdentity, send: DeskSender, connectionId: string) => void;

const ALL_ROOM = 'calls:all';
const roomOf = (userId: string): string => `user:${userId}`;
const PLAIN_HEARTBEAT_MS = 25_000;

interface PlainDesk {
  socket: WebSocket;
  desk: DeskIdentity;
  id: string;
  alive: boolean;
}

/** How often open desks are re-checked against the users table (deactivated users lose them). */
const DESK_REVALIDATE_MS = 60_000;

/**
 * The realtime gateway (immich's habit): socket.io for browser desks and plain WebSocket at /ws
 * for desktop clients, same events, same auth. A JWT is checked before the connection is
 * accepted (socket.io middleware, HTTP 401 on the ws upgrade); each desk joins its user's room,
 * supervisors may ask for every call (`scope: 'all'`). Events go out through the typed map.
 *
 * Several instances on one database: each event is delivered to this instance's desks (both
 * transports) and published once to the other instances (InstanceFanout: the socket.io Postgres
 * adapter's server-side emit), which deliver it to their own desks. An instance never receives
 * its own publication, so no desk gets an event twice.
 */
@WebSocketGateway({ serveClient: true, pingInterval: 10_000, pingTimeout: 5_000, maxHttpBufferSize: 64 * 1024 })
export class RealtimeGateway
  implements OnGatewayInit<DeskServer>, OnGatewayConnection<DeskSocket>, OnGatewayDisconnect<DeskSocket>, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger(RealtimeGateway.name);
  private io: DeskServer | null = null;
  private readonly plainByUser = new Map<string, Set<PlainDesk>>();
  private readonly plainAll = new Set<PlainDesk>();
  private readonly connectListeners: ConnectListener[] = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private revalidation: NodeJS.Timeout | null = null;
  private plainSeq = 0;
  private readonly fanout: InstanceFanout;

  constructor(
    private readonly auth: AuthService,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.fanout = new InstanceFanout(urlOf(dataSource));
  }

  afterInit(io: DeskServer): void {
    this.io = io;
    this.fanout.attach(io, (audience, event, data) => this.deliverLocally(audience, event, data));
    io.use((socket, next) => {
      const handshake = socket.handshake;
      const token = stringOf(handshake.auth.token) ?? stringOf(handshake.query.token) ?? bearerOf(handshake.headers.authorization);
      const scope = stringOf(handshake.auth.scope) ?? stringOf(handshake.query.scope);
      this.identify(token, scope)
        .then((desk) => {
          socket.data.desk = desk;
          next();
        })
        .catch((error: unknown) => {
          const message = error instanceof DomainError ? error.code : 'unauthorized';
          this.logger.warn(`socket.io desk ${socket.id} from ${handshake.address} refused: ${error instanceof Error ? error.message : String(error)}`);
          next(new Error(message));
        });
    });
    const endpoint = plainEndpointOf(io as unknown as Server);
    if (!endpoint) {
      this.logger.warn('no plain WebSocket endpoint (the app was not given DualSocketAdapter): /ws is off');
      return;
    }
    endpoint.use<DeskIdentity>({
      authorize: async (request) => {
        const url = new URL(request.url ?? '/', 'http://desk');
        const token = url.searchParams.get('token') ?? bearerOf(request.headers.authorization);
        try {
          return { ok: true, context: await this.identify(token, url.searchParams.get('scope')) };
        } catch (error) {
          const forbidden = error instanceof DomainError && error.code === 'forbidden';
          this.logger.warn(`ws desk from ${request.socket.remoteAddress ?? '?'} refused: ${error instanceof Error ? error.message : String(error)}`);
          return { ok: false, status: forbidden ? 403 : 401, message: forbidden ? 'forbidden' : 'unauthorized' };
        }
      },
      connected: (socket, desk, request) => this.onPlainConnection(socket, desk, request),
    });
    this.heartbeat = setInterval(() => this.beat(), PLAIN_HEARTBEAT_MS);
    this.heartbeat.unref();
    this.revalidation = setInterval(() => void this.revalidateDesks(), DESK_REVALIDATE_MS);
    this.revalidation.unref();
  }

  handleConnection(socket: DeskSocket): void {
    const desk = socket.data.desk;
    void socket.join(roomOf(desk.user.id));
    if (desk.scope === 'all') void socket.join(ALL_ROOM);
    this.logger.log(`desk ${socket.id} connected (socket.io): user ${desk.user.id} ${desk.user.name}, scope ${desk.scope}`);
    this.announce(desk, (event, data) => socket.emit(event, ...([data] as Parameters<ServerToClientEvents[typeof event]>)), socket.id);
  }

  handleDisconnect(socket: DeskSocket): void {
    const desk = socket.data.desk as DeskIdentity | undefined;
    if (desk) this.logger.log(`desk ${socket.id} disconnected (socket.io): user ${desk.user.id}`);
  }

  onModuleDestroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.revalidation) clearInterval(this.revalidation);
    this.revalidation = null;
  }

  /** After the socket.io server closed (its adapter released the LISTEN connection). */
  async onApplicationShutdown(): Promise<void> {
    await this.fanout.close();
  }

  /** Runs for every desk that connects (after auth): the place to send it its snapshot. */
  onDeskConnected(listener: ConnectListener): void {
    this.connectListeners.push(listener);
  }

  /** Sends one event to an audience on both transports, on this instance and on the others. */
  send<K extends ClientEventName>(audience: Audience, event: K, data: ClientEventMap[K]): void {
    if (audience.users.length === 0 && !audience.all) return;
    this.deliverLocally(audience, event, data);
    this.fanout.publish(audience, event, data);
  }

  /** Answers the other instances' snapshot requests (the leader's live calls for a desk). */
  answerSnapshots(source: (query: SnapshotQuery) => Promise<DeskSnapshotCall[]>): void {
    this.fanout.answerSnapshots(source);
  }

  /** The calls other instances show for a desk (a follower asks the leader when a desk connects). */
  snapshotOfOthers(query: SnapshotQuery): Promise<DeskSnapshotCall[]> {
    return this.fanout.snapshotOfOthers(query);
  }

  /** Instances whose desks get this instance's events (this one included), as the adapter knows them. */
  async instanceCount(): Promise<number> {
    return this.fanout.instanceCount();
  }

  /** Delivers one event to this instance's desks of the audience (serialized once for /ws). */
  private deliverLocally<K extends ClientEventName>(audience: Audience, event: K, data: ClientEventMap[K]): void {
    const rooms = audience.users.map(roomOf);
    if (audience.all) rooms.push(ALL_ROOM);
    if (rooms.length === 0) return;
    const except = audience.except ?? [];
    const targets = this.io?.local.to(rooms);
    (except.length > 0 ? targets?.except(except.map(roomOf)) : targets)?.emit(event, ...([data] as Parameters<ServerToClientEvents[K]>));
    let frame: string | null = null;
    const sent = new Set<PlainDesk>();
    const deliver = (plain: PlainDesk): void => {
      if (sent.has(plain) || plain.socket.readyState !== plain.socket.OPEN || except.includes(plain.desk.user.id)) return;
      sent.add(plain);
      frame ??= JSON.stringify({ event, data });
      plain.socket.send(frame);
    };
    for (const userId of audience.users) for (const plain of this.plainByUser.get(userId) ?? []) deliver(plain);
    if (audience.all) for (const plain of this.plainAll) deliver(plain);
  }

  /** Connected desks (socket.io + ws), for status and the bench. */
  deskCount(): { socketIo: number; plain: number } {
    let plain = 0;
    for (const set of this.plainByUser.values()) plain += set.size;
    return { socketIo: this.io?.of('/').sockets.size ?? 0, plain };
  }

  /** Desks of users deactivated since they connected are disconnected (checked every minute). */
  async revalidateDesks(): Promise<number> {
    const sockets = [...(this.io?.of('/').sockets.values() ?? [])];
    const ids = [...new Set([...sockets.map((socket) => socket.data.desk.user.id), ...this.plainByUser.keys()])];
    let active: Set<string>;
    try {
      active = await this.auth.stillActive(ids);
    } catch (error) {
      this.logger.warn(`desk re-check skipped: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
    let closed = 0;
    for (const socket of sockets) {
      if (active.has(socket.data.desk.user.id)) continue;
      socket.disconnect(true);
      closed++;
    }
    for (const [userId, set] of this.plainByUser) {
      if (active.has(userId)) continue;
      for (const plain of set) {
        plain.socket.close(4001, 'user deactivated');
        closed++;
      }
    }
    if (closed > 0) this.logger.log(`${closed} desk(s) of deactivated users disconnected`);
    return closed;
  }

  private async identify(token: string | null, scope: string | null): Promise<DeskIdentity> {
    if (!token) throw new DomainError('unauthorized', 'no token');
    const user = await this.auth.verify(token);
    if (scope === 'all') {
      if (!SUPERVISORS.includes(user.role)) throw new DomainError('forbidden', `role ${user.role} may not watch every call`);
      return { user, scope: 'all' };
    }
    return { user, scope: 'own' };
  }

  private onPlainConnection(socket: WebSocket, desk: DeskIdentity, request: IncomingMessage): void {
    const plain: PlainDesk = { socket, desk, id: `ws-${++this.plainSeq}`, alive: true };
    let set = this.plainByUser.get(desk.user.id);
    if (!set) this.plainByUser.set(desk.user.id, (set = new Set()));
    set.add(plain);
    if (desk.scope === 'all') this.plainAll.add(plain);
    this.logger.log(`desk ${plain.id} connected (ws) from ${request.socket.remoteAddress ?? '?'}: user ${desk.user.id} ${desk.user.name}, scope ${desk.scope}`);
    socket.on('pong', () => (plain.alive = true));
    socket.on('message', () => {
      // Desks only listen; a message is answered with nothing and logged at debug level.
      this.logger.debug(`desk ${plain.id} (user ${desk.user.id}) sent a message; ignored`);
    });
    socket.on('error', (error) => this.logger.warn(`desk ${plain.id} (user ${desk.user.id}) error: ${error.message}`));
    socket.on('close', () => {
      set.delete(plain);
      if (set.size === 0) this.plainByUser.delete(desk.user.id);
      this.plainAll.delete(plain);
      this.logger.log(`desk ${plain.id} disconnected (ws): user ${desk.user.id}`);
    });
    this.announce(
      desk,
      (event, data) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ event, data }));
      },
      plain.id,
    );
  }

  private announce(desk: DeskIdentity, send: DeskSender, connectionId: string): void {
    for (const listener of this.connectListeners) {
      try {
        listener(desk, send, connectionId);
      } catch (error) {
        this.logger.error(`desk ${connectionId} (user ${desk.user.id}): connect listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private beat(): void {
    for (const set of this.plainByUser.values()) {
      for (const plain of set) {
        if (!plain.alive) {
          this.logger.warn(`desk ${plain.id} (user ${plain.desk.user.id}) missed a heartbeat; terminated`);
          plain.socket.terminate();
          continue;
        }
        plain.alive = false;
        plain.socket.ping();
      }
    }
  }
}

function urlOf(dataSource: DataSource): string {
  const url = (dataSource.options as { url?: string }).url;
  if (!url) throw new Error('RealtimeGateway needs a postgres:// URL for the instance fan-out');
  return url;
}

function stringOf(value: unknown): string | null {
  if (Array.isArray(value)) return stringOf(value[0]);
  return typeof value === 'string' && value !== '' ? value : null;
}

function bearerOf(header: string | undefined): string | null {
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}
