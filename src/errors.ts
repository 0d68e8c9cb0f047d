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
