import type { IncomingMessage } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Deepest nesting of arrays/objects a JSON body may have (the API's own bodies need 4). */
export const JSON_MAX_DEPTH = 32;

/**
 * Whether a JSON text nests arrays/objects deeper than `maxDepth` (pure). One pass over the
 * bytes before JSON.parse, stopping at the first level too deep: a 40k-deep body costs
 * microseconds, not a parse and a stack overflow in the validator.
 */
export function jsonTooDeep(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

class JsonTooDeepError extends Error {
  readonly type = 'entity.too.deep';
}

/**
 * The JSON and form body parsers for every route, limited to `limitBytes` each (413 above it)
 * and to JSON_MAX_DEPTH levels; their errors become 4xx answers that say what was wrong (the
 * API's error filter sends them as they are). Other content types are left unread for the
 * routes that stream their body themselves (the CSV import).
 */
export function useJsonBodies(app: NestExpressApplication, limitBytes: number): void {
  const verify = (_request: IncomingMessage, _response: unknown, body: Buffer): void => {
    if (jsonTooDeep(body, JSON_MAX_DEPTH)) throw new JsonTooDeepError(`JSON nested deeper than ${JSON_MAX_DEPTH} levels`);
  };
  app.useBodyParser('json', { limit: limitBytes, verify });
  app.useBodyParser('urlencoded', { limit: limitBytes, extended: true, parameterLimit: 1000 });
  app.use((error: unknown, _request: Request, _response: Response, next: NextFunction) => {
    const answer = bodyErrorResponse(error, limitBytes);
    next(answer ? new HttpException(answer, answer.statusCode) : error);
  });
}

/** What body-parser's errors (http-errors with a `type`) tell the client; null for any other error. */
export function bodyErrorResponse(error: unknown, limitBytes: number): { statusCode: number; error: string; message: string } | null {
  if (typeof error !== 'object' || error === null) return null;
  const { type, message } = error as { type?: unknown; message?: unknown };
  switch (type) {
    case 'entity.too.large':
      return { statusCode: 413, error: 'too_large', message: `the request body is larger than ${formatBytes(limitBytes)} (the limit for JSON bodies)` };
    case 'entity.too.deep':
      return { statusCode: 400, error: 'invalid', message: `the JSON body is nested deeper than ${JSON_MAX_DEPTH} levels` };
    case 'entity.parse.failed':
      return { statusCode: 400, error: 'invalid', message: `the body is not valid JSON: ${String(message)}` };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { statusCode: 415, error: 'unsupported_media_type', message: String(message) };
    case 'parameters.too.many':
      return { statusCode: 413, error: 'too_large', message: 'the form has too many fields' };
    case 'querystring.parse.rangeError':
      return { statusCode: 400, error: 'invalid', message: 'the form is nested too deeply' };
    default: {
      // Any other client error body-parser raises (a broken gzip stream, a short body): http-errors
      // marks those `expose`; the message is its own, safe to show.
      const { status, expose, code } = error as { status?: unknown; expose?: unknown; code?: unknown };
      if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
        const why = typeof code === 'string' && code.startsWith('Z_') ? `the compressed body (Content-Encoding) is broken (${code})` : String(message);
        return { statusCode: status, error: status === 413 ? 'too_large' : 'invalid', message: `the request body could not be read: ${why}` };
      }
      return null;
    }
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}
