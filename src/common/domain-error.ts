/** Every error the domain raises; the HTTP filter maps codes to statuses with one exhaustive switch. */
export type DomainErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'forbidden'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable';

export class DomainError<C extends DomainErrorCode = DomainErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string): DomainError<'not_found'> =>
  new DomainError('not_found', `${what} ${id} not found`, { id });
