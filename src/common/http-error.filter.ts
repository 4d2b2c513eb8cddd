import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, type DomainErrorCode } from './domain-error';

function statusOf(code: DomainErrorCode): number {
  switch (code) {
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'invalid':
      return HttpStatus.BAD_REQUEST;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'unauthorized':
      return HttpStatus.UNAUTHORIZED;
    case 'rate_limited':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

/** One filter for the REST API: domain errors → their status, Nest's own exceptions as they are, the rest → 500 (logged). */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof DomainError) {
      const status = statusOf(error.code);
      response.status(status).json({ statusCode: status, error: error.code, message: error.message, ...error.details });
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      response.status(error.getStatus()).json(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    if (error instanceof QueryFailedError) {
      const mapped = mapDatabaseError(error);
      if (mapped) {
        if (mapped.statusCode === 400 && !mapped.field) this.logger.warn(`input the API let through was refused by the database: ${error.message}`);
        response.status(mapped.statusCode).json(mapped);
        return;
      }
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ statusCode: 500, error: 'internal', message: 'internal error' });
  }
}

/** Constraint violations that reach the API are the client's mistake, not a 500. */
function mapDatabaseError(error: QueryFailedError): { statusCode: number; error: string; message: string; field?: string } | null {
  const driver = error.driverError as { code?: string; detail?: string; column?: string } | undefined;
  const detail = driver?.detail ?? '';
  const column = /Key \(([a-z_]+)\)/.exec(detail)?.[1] ?? driver?.column;
  const field = column?.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  switch (driver?.code) {
    case '22P02': // invalid text representation (e.g. a malformed uuid in a path)
      return { statusCode: 404, error: 'not_found', message: 'no such id' };
    case '23503': // foreign key: the body points at a row that does not exist
      return { statusCode: 400, error: 'invalid', message: `${field ?? 'a reference'} points at nothing`, ...(field ? { field } : {}) };
    case '23505': // unique
      return { statusCode: 409, error: 'conflict', message: `${field ?? 'a value'} already exists`, ...(field ? { field } : {}) };
    // Last resort for input the validation edge should have refused (each is logged as a warning).
    case '22021': // character not in repertoire (NUL in text)
    case '22P05': // untranslatable character (NUL or a lone surrogate in jsonb)
      return { statusCode: 400, error: 'invalid', message: 'a text value contains a character that cannot be stored (NUL or broken Unicode)' };
    case '22003': // numeric value out of range
      return { statusCode: 400, error: 'invalid', message: 'a number is out of range' };
    case '22007': // invalid datetime format
    case '22008': // datetime field overflow
      return { statusCode: 400, error: 'invalid', message: 'a date or time is out of range' };
    default:
      return null;
  }
}
