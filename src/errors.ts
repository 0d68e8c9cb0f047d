/**
 * The kinds of error a request can meet, each with its HTTP status and a
 * message in plain English for the person who made it. Anything else is a
 * fault of ours: it is logged and the person sees a calm 500 page.
 */

export abstract class UserFacingError extends Error {
  abstract readonly statusCode: number;
  /** A heading for the error page. */
  abstract readonly title: string;
}

/** Something asked for does not exist (or is not this person's to see). */
export class NotFoundError extends UserFacingError {
  readonly statusCode = 404;
  readonly title = 'Page not found';
  constructor(
    /** What was looked for, in words: "session", "course", "trainer". */
    readonly what: string = 'page',
  ) {
    super(`We could not find that ${what}.`);
  }
}

/** The request itself is malformed; `problems` say what to change. */
export class BadRequestError extends UserFacingError {
  readonly statusCode = 400;
  readonly title = 'There is a problem with the request';
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/**
 * A form that cannot be accepted: `fields` maps each field to what is wrong
 * with it and how to fix it. Routes show the form again with these messages
 * beside the fields and in an error summary, keeping what was typed.
 */
export class FormError extends UserFacingError {
  readonly statusCode = 400;
  readonly title = 'There is a problem';
  constructor(readonly fields: Record<string, string>) {
    super(Object.values(fields)[0] ?? 'Check the form and try again.');
  }
}

/** The person must sign in (or sign in again) first. */
export class SignInRequiredError extends UserFacingError {
  readonly statusCode = 401;
  readonly title = 'Sign in to continue';
  constructor() {
    super('Sign in to continue.');
  }
}

/** The request is valid but not allowed now, for a reason the person should be told. */
export class ConflictError extends UserFacingError {
  readonly statusCode = 409;
  readonly title = 'That could not be done';
}
