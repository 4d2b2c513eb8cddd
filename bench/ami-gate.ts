import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP gate in front of an AMI server: the app connects to `port` at once, but nothing flows
 * (no banner, no events) until `open()` — so desks can connect before a recording starts.
 */
export async function gatedAmi(targetPort: number): Promise<{ port: number; open(): void; close(): Promise<void> }> {
  const pending = new Set<Socket>();
  const pairs = new Set<Socket>();
  let opened = false;
  const pipe = (client: Socket): void => {
    const upstream = connect(targetPort, '127.0.0.1');
    pairs.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };
  const server = createServer((client) => {
    pairs.add(client);
    if (opened) pipe(client);
    else {
      client.pause();
      pending.add(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('gate not listening');
  return {
    port: address.port,
    open(): void {
      opened = true;
      for (const client of pending) {
        client.resume();
        pipe(client);
      }
      pending.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of pairs) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
