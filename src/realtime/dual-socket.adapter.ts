import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';

/** Path of the plain WebSocket endpoint (desktop and integration clients). */
export const PLAIN_WS_PATH = '/ws';
const MAX_FRAME_BYTES = 64 * 1024;

/** What the gateway plugs into the plain endpoint: who may connect, and what to do with them. */
export interface PlainEndpointHandlers<Ctx> {
  /** Resolves the connection's context, or rejects with a status to refuse the upgrade. */
  authorize(request: IncomingMessage): Promise<{ ok: true; context: Ctx } | { ok: false; status: number; message: string }>;
  connected(socket: WebSocket, context: Ctx, request: IncomingMessage): void;
}

export interface PlainEndpoint {
  readonly server: WebSocketServer;
  use<Ctx>(handlers: PlainEndpointHandlers<Ctx>): void;
}

const endpoints = new WeakMap<object, PlainEndpoint>();

/** The plain WebSocket endpoint created next to a socket.io server by DualSocketAdapter. */
export function plainEndpointOf(io: Server): PlainEndpoint | null {
  return endpoints.get(io) ?? null;
}

/**
 * Nest allows one WebSocket adapter, and the stock WsAdapter destroys upgrade requests on paths
 * it does not own (socket.io's included). This adapter serves both on the HTTP port: socket.io
 * (engine.io told not to destroy foreign upgrades) and a `ws` server without its own listener
 * that takes upgrades on `/ws` after the gateway's `authorize` accepted them. Upgrades on any
 * other path are refused with 404.
 */
export class DualSocketAdapter extends IoAdapter {
  private readonly logger = new Logger(DualSocketAdapter.name);
  private readonly plainServers = new Set<WebSocketServer>();

  constructor(app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const io = super.createIOServer(port, { ...options, destroyUpgrade: false }) as Server;
    const http = io.httpServer as HttpServer | undefined;
    if (!http) throw new Error('DualSocketAdapter needs the application HTTP server (gateway port 0)');
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, clientTracking: true });
    this.plainServers.add(wss);
    let handlers: PlainEndpointHandlers<unknown> | null = null;
    const ioPath = `${(io.path() || '/socket.io').replace(/\/$/, '')}/`;
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path.startsWith(ioPath)) return; // engine.io's own listener takes it
      // Node's HTTP server drops its own 'error' listener from an upgraded socket: from here on the
      // socket is ours, and a client that resets it (even while being refused) must not crash the
      // process. `ws` handles errors once the upgrade is done.
      const from = request.socket.remoteAddress ?? '?';
      const onError = (error: NodeJS.ErrnoException): void => {
        const line = `ws upgrade to ${path.slice(0, 80)} from ${from} failed: ${error.message}`;
        // A client that hung up is no news; anything else is worth a warning.
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') this.logger.debug(line);
        else this.logger.warn(line);
      };
      socket.on('error', onError);
      if (path !== PLAIN_WS_PATH && path !== `${PLAIN_WS_PATH}/`) return refuse(socket, 404, 'no WebSocket endpoint here');
      if (!handlers) return refuse(socket, 503, 'realtime gateway not ready');
      const current = handlers;
      current
        .authorize(request)
        .then((verdict) => {
          if (!verdict.ok) return refuse(socket, verdict.status, verdict.message);
          if (socket.destroyed) return;
          socket.off('error', onError);
          wss.handleUpgrade(request, socket, head, (ws) => current.connected(ws, verdict.context, request));
        })
        .catch((error: unknown) => {
          this.logger.error(`ws upgrade from ${from} failed: ${error instanceof Error ? error.message : String(error)}`);
          refuse(socket, 500, 'internal error');
        });
    });
    endpoints.set(io, {
      server: wss,
      use<Ctx>(next: PlainEndpointHandlers<Ctx>): void {
        handlers = next as PlainEndpointHandlers<unknown>;
      },
    });
    return io;
  }

  override async close(server: Server): Promise<void> {
    const endpoint = endpoints.get(server);
    if (endpoint) {
      for (const client of endpoint.server.clients) client.terminate();
      await new Promise<void>((resolve) => endpoint.server.close(() => resolve()));
      this.plainServers.delete(endpoint.server);
    }
    // socket.io's close disconnects every client and closes the engine (and the HTTP listener).
    await super.close(server);
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
  const body = JSON.stringify({ statusCode: status, message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
