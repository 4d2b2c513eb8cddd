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
    if (error instanceof QueryFailedError && /invalid input syntax for type uuid/.test(error.message)) {
      response.status(HttpStatus.NOT_FOUND).json({ statusCode: 404, error: 'not_found', message: 'no such id' });
      return;
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ statusCode: 500, error: 'internal', message: 'internal error' });
  }
}
