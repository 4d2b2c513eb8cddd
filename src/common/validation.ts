import {
  BadRequestException,
  UnsupportedMediaTypeException,
  ValidationPipe,
  type ArgumentMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type ValidationError,
} from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { findInputHazard } from './input-hazards';

export interface FieldErrors {
  field: string;
  errors: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldErrors[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * A field that may be left out but, when given, is never null (class-validator's IsOptional lets
 * null through, and a NOT NULL column then fails with a 500). Nullable fields keep
 * `@IsOptional() @ValidateIf((_o, v) => v !== null)`; update DTOs are
 * `PartialType(Create…, { skipNullProperties: false })` for the same reason.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** The one shape of a 400 for bad input: `fields: [{field, errors}]` naming each bad field. */
export function invalidInput(fields: FieldErrors[], message = `invalid ${fields.map((f) => f.field).join(', ')}`): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'invalid', message, fields });
}

/**
 * Body, query and path validation for every route: 400 naming each bad field; unknown fields are
 * rejected. Before the DTO's own rules, the rules every input shares:
 * - text PostgreSQL cannot store (NUL, lone surrogates) in any string or field name of a body,
 *   query or path parameter is a 400 naming the field (it would be a 500 at the database), and
 *   so is a `__proto__`/`constructor` field (the validator would strip it silently);
 * - a route that takes a JSON body and got none it could read (another content type) is a 415,
 *   and one that is not a JSON object (an array, a string) a 400.
 */
export class InputValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => invalidInput(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') return super.transform(value, metadata);
    const hazard = findInputHazard(value, metadata.data ?? '');
    if (hazard) throw invalidInput([{ field: hazard.field, errors: [`${hazard.field} ${hazard.reason}`] }]);
    const wholeBody = metadata.type === 'body' && metadata.data === undefined;
    if (wholeBody && value === undefined) {
      throw new UnsupportedMediaTypeException({
        statusCode: 415,
        error: 'unsupported_media_type',
        message: 'this route takes a JSON body: send it with Content-Type: application/json',
      });
    }
    const dtoBody = wholeBody && this.toValidate(metadata);
    if (dtoBody && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw invalidInput([], 'the body must be a JSON object');
    }
    return super.transform(value, metadata);
  }
}

/** Every PATCH route: a body that names no field (`{}`) changes nothing and is a 400, after the login check. */
export class EmptyPatchInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const body: unknown = request.body;
    if (request.method === 'PATCH' && typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0) {
      throw invalidInput([], 'the body is empty: name at least one field to change');
    }
    return next.handle();
  }
}

export function validationPipe(): ValidationPipe {
  return new InputValidationPipe();
}
