/**
 * Reading forms: a zod schema per form, and its problems turned into the
 * shape GOV.UK error summaries and field messages need.
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

import { ConflictError, FormError } from '../errors.js';

export interface FormErrors {
  /** Field name → message, shown beside each field. */
  fields: Record<string, string>;
  /** For govukErrorSummary, in the order fields appear on the page. */
  list: { text: string; href: string }[];
}

export function formErrors(
  fields: Record<string, string>,
  order: string[] = Object.keys(fields),
): FormErrors {
  const names = [
    ...order.filter((name) => fields[name]),
    ...Object.keys(fields).filter((n) => !order.includes(n)),
  ];
  return { fields, list: names.map((name) => ({ text: fields[name] as string, href: `#${name}` })) };
}

/** Parses a form body, or throws FormError with a message per field. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  // Control characters (a NUL, say) are never meant, and PostgreSQL refuses a
  // NUL outright: refuse them by the field rather than fail on saving.
  const fields: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [name, value] of Object.entries(body)) {
      // eslint-disable-next-line no-control-regex
      if (typeof value === 'string' && /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
        fields[name] = 'Remove the special characters from this answer';
      }
    }
  }
  if (Object.keys(fields).length) throw new FormError(fields);
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? 'form');
    fields[name] ??= issue.message;
  }
  throw new FormError(fields);
}

/** What was typed, to put back in the form (never passwords or the CSRF token). */
export function keepTyped(body: unknown): Record<string, string> {
  const kept: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string' && !/password|_csrf/i.test(key)) kept[key] = value.slice(0, 2_000);
    }
  }
  return kept;
}

/** A form's fields as posted (an empty object when nothing was). */
export function formBody(request: FastifyRequest): Record<string, unknown> {
  return (request.body as Record<string, unknown> | undefined) ?? {};
}

/**
 * The problems a form page shows again itself: answers to correct
 * (FormError) or a change the state of things refused (ConflictError).
 * Anything else is for the error pages.
 */
export function isShownOnForm(error: unknown): error is FormError | ConflictError {
  return error instanceof FormError || error instanceof ConflictError;
}

/** What a form page shows of such a problem: field messages, or one sentence above the form. */
export function formProblem(error: FormError | ConflictError | undefined, fieldOrder: string[]) {
  return {
    errors: error instanceof FormError ? formErrors(error.fields, fieldOrder) : null,
    problem: error instanceof ConflictError ? error.message : null,
  };
}

/** The status of a form page: 200, or 400 for answers to correct, 409 for a refused change. */
export function formStatus(error: FormError | ConflictError | undefined): number {
  return error ? (error instanceof ConflictError ? 409 : 400) : 200;
}
