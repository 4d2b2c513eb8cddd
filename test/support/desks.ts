import { io as connectIo, type Socket as IoSocket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { ClientEventMap, ClientEventName } from '../../src/realtime/client-events';

/** Desk clients for the e2e tests: socket.io and plain /ws, recording every event they receive. */
export type Received = { [K in ClientEventName]: { event: K; data: ClientEventMap[K] } }[ClientEventName];

/** A desk client (socket.io or /ws) recording every event it receives. */
export interface Desk {
  events: Received[];
  of<K extends ClientEventName>(event: K, linkedid?: string): ClientEventMap[K][];
  close(): void;
}

function record(events: Received[]): Desk['of'] {
  return <K extends ClientEventName>(event: K, linkedid?: string): ClientEventMap[K][] =>
    events
      .filter((e) => e.event === event && (linkedid === undefined || !('linkedid' in e.data) || e.data.linkedid === linkedid))
      .map((e) => e.data as ClientEventMap[K]);
}

export function ioDesk(url: string, token: string, scope?: 'all'): Promise<Desk> {
  const socket: IoSocket = connectIo(url, { auth: { token, scope }, transports: ['websocket'], reconnection: false, forceNew: true });
  const events: Received[] = [];
  socket.onAny((event: ClientEventName, data: ClientEventMap[ClientEventName]) => events.push({ event, data } as Received));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ events, of: record(events), close: () => socket.disconnect() }));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** A browser-like desk: socket.io with automatic reconnection. */
export function reconnectingDesk(url: string, token: string): { desk: Desk; socket: IoSocket } {
  const socket: IoSocket = connectIo(url, { auth: { token }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300, forceNew: true });
  const events: Received[] = [];
  socket.onAny((event: ClientEventName, data: ClientEventMap[ClientEventName]) => events.push({ event, data } as Received));
  return { desk: { events, of: record(events), close: () => socket.disconnect() }, socket };
}

export function wsDesk(url: string, token: string): Promise<Desk> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  const events: Received[] = [];
  socket.on('message', (raw) => events.push(JSON.parse(String(raw)) as Received));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ events, of: record(events), close: () => socket.close() }));
    socket.once('unexpected-response', (_req, response) => {
      socket.terminate();
      reject(new Error(`HTTP ${response.statusCode}`));
    });
    socket.once('error', reject);
  });
}
