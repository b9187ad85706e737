/**
 * A rule of the service said no. The code is stable (tests and routes match on it); the message
 * is written for the person using the page.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.field = field;
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Page not found') {
    super('not_found', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to see this page') {
    super('forbidden', message);
  }
}
