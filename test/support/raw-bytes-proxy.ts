import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP hop between the service and an AMI server that puts raw bytes on the wire. The AMI
 * servers of the tests write text (UTF-8), so they cannot send what a broken trunk sends: bytes
 * that are not UTF-8. A stream that holds U+F780 + (b − 0x80) — private-use characters, never in
 * a recording — reaches the service as the single byte b (0x80…0xFF) instead; everything else
 * passes unchanged, both ways. `rawByte` writes such a byte into a string. The server behind can
 * be replaced (`target`): the service sees its link dropped and reconnects.
 */
export interface RawBytesProxy {
  port: number;
  /** Sends new connections to this port (and drops the current ones). */
  target(port: number): void;
  close(): Promise<void>;
}

const MARK_FIRST = 0xef;

/** The marker of a raw byte 0x80…0xFF in a string. */
export function rawByte(byte: number): string {
  if (byte < 0x80 || byte > 0xff) throw new Error(`not a raw byte: ${byte}`);
  return String.fromCharCode(0xf780 + byte - 0x80);
}

export async function rawBytesProxy(initialTarget: number): Promise<RawBytesProxy> {
  let targetPort = initialTarget;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const decode = rawByteDecoder();
    upstream.on('data', (chunk: Buffer) => client.write(decode(chunk)));
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy not listening');
  return {
    port: address.port,
    target(port) {
      targetPort = port;
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Turns EF 9E/9F xx (UTF-8 of U+F780…U+F7FF) into one byte; a marker split across chunks is completed by the next. */
function rawByteDecoder(): (chunk: Buffer) => Buffer {
  let carry = Buffer.alloc(0);
  return (chunk) => {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const out = Buffer.allocUnsafe(bytes.length);
    let n = 0;
    let i = 0;
    for (; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === MARK_FIRST) {
        if (i + 2 >= bytes.length) break; // maybe a marker cut by the chunk: wait for the rest
        const second = bytes[i + 1];
        if ((second === 0x9e || second === 0x9f) && (bytes[i + 2] & 0xc0) === 0x80) {
          out[n++] = 0x80 + (((second & 1) << 6) | (bytes[i + 2] & 0x3f));
          i += 2;
          continue;
        }
      }
      out[n++] = byte;
    }
    carry = Buffer.from(bytes.subarray(i));
    return out.subarray(0, n);
  };
}
