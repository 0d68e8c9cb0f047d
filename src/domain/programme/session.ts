/**
 * Session: one dated run of a course, with a capacity. It may have several
 * parts (a course over two mornings); the session runs from the start of its
 * first part to the end of its last.
 */

export interface SessionPartTimes {
  startsAt: Date;
  endsAt: Date;
}

export class InvalidSessionPartsError extends Error {
  override name = 'InvalidSessionPartsError';
}

/** Checks parts are in order and do not overlap, and returns the session's span. */
export function sessionSpan(parts: readonly SessionPartTimes[]): { startsAt: Date; endsAt: Date } {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!first || !last) throw new InvalidSessionPartsError('A session needs at least one part');
  parts.forEach((part, index) => {
    if (part.endsAt <= part.startsAt) {
      throw new InvalidSessionPartsError(`Part ${index + 1} must end after it starts`);
    }
    const previous = parts[index - 1];
    if (previous && part.startsAt < previous.endsAt) {
      throw new InvalidSessionPartsError(`Part ${index + 1} must start after part ${index} ends`);
    }
  });
  return { startsAt: first.startsAt, endsAt: last.endsAt };
}
