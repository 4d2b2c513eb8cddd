import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export type SaveResult =
  | { ok: true; bytes: number }
  | { ok: false; reason: 'too_large'; bytes: number }
  /** The source failed or closed before its end (a client gone mid-upload). */
  | { ok: false; reason: 'cut_off'; bytes: number; message: string };

/**
 * Streams `input` (an HTTP request body, stdin) into a new file, at most `maxBytes`. Beyond that
 * it stops writing, removes the file and answers `too_large` — without destroying `input`, so an
 * HTTP request can still be answered (Node discards the rest of its body). A source that fails or
 * ends early is `cut_off`; only a failing disk rejects. The file is removed unless `ok`; nothing
 * here can escape as an unhandled 'error' event.
 */
export function saveStream(input: Readable, path: string, maxBytes: number): Promise<SaveResult> {
  return new Promise<SaveResult>((resolve, reject) => {
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    let bytes = 0;
    let settled = false;
    let ended = false;
    // The error and close listeners stay: a late 'error' must never go unheard.
    const detach = (): void => {
      input.off('data', onData);
      input.off('end', onEnd);
    };
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      detach();
      outcome();
    };
    const discard = (then: () => void): void => {
      out.destroy();
      void rm(path, { force: true }).then(then, then);
    };
    const failWith = (error: Error): void => settle(() => discard(() => reject(error)));
    const cutOff = (message: string): void => settle(() => discard(() => resolve({ ok: false, reason: 'cut_off', bytes, message })));
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buffer.length;
      if (bytes > maxBytes) {
        settle(() => {
          input.resume();
          discard(() => resolve({ ok: false, reason: 'too_large', bytes }));
        });
        return;
      }
      if (!out.write(buffer)) {
        input.pause();
        out.once('drain', () => input.resume());
      }
    };
    const onEnd = (): void => {
      ended = true;
      out.end();
    };
    const onInputError = (error: Error): void => cutOff(`the upload failed after ${bytes} bytes: ${error.message}`);
    const onClose = (): void => {
      if (!ended) cutOff(`the upload was cut off after ${bytes} bytes`);
    };
    out.once('finish', () => settle(() => resolve({ ok: true, bytes })));
    out.on('error', (error) => failWith(error));
    input.on('data', onData);
    input.once('end', onEnd);
    input.on('error', onInputError);
    input.once('close', onClose);
  });
}
