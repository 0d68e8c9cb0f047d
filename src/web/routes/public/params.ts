import { NotFoundError } from '../../../errors.js';

/** A numeric id from the path; anything else is a page that does not exist. */
export function idParam(value: string | undefined, what: string): number {
  if (!value || !/^[1-9]\d{0,9}$/.test(value)) throw new NotFoundError(what);
  const id = Number(value);
  if (id > 2_147_483_647) throw new NotFoundError(what);
  return id;
}

/** A slug from the path; anything that could not be a slug is not found. */
export function slugParam(value: string | undefined, what: string): string {
  if (!value || !/^[a-z0-9-]{1,120}$/.test(value)) throw new NotFoundError(what);
  return value;
}
