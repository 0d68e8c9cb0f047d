/**
 * What the back office's programme forms (courses, venues, trainers) do
 * alike: read who is acting and the notice a redirect names, keep what was
 * typed when a form comes back with messages, and turn a sent form into a
 * saved record or the form again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import { FormError } from '../../../errors.js';
import { formErrors, parseForm } from '../../forms.js';

export type Body = Record<string, unknown>;

/** What is kept of a plain field's typed value when its form comes back: more than any accepts. */
const KEEP_LIMIT = 6_000;

/** The signed-in staff member, as the services record who made a change. */
export function staffActor(request: FastifyRequest): { id: number } {
  return { id: request.staffSession!.staff.id };
}

/** The notice named by `?done=` after a redirect (created, saved, unchanged…), if any. */
export function doneNotice(request: FastifyRequest): string | null {
  const done = (request.query as Record<string, unknown> | undefined)?.done;
  return typeof done === 'string' ? done : null;
}

/** A textarea of one item per line: blank lines and surrounding spaces dropped. */
export function nonBlankLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** One typed value, to put back in the form: whole, up to `limit` characters (more than any field accepts). */
export function typedText(body: Body, field: string, limit: number): string {
  return typeof body[field] === 'string' ? (body[field] as string).slice(0, limit) : '';
}

/**
 * Renders a form page with a CSRF token; one that comes back with messages
 * lists them in the fields' order on the page and answers 400.
 */
export function formPage(
  reply: FastifyReply,
  template: string,
  context: Record<string, unknown>,
  form: { error?: FormError; fieldOrder: readonly string[] },
): Promise<FastifyReply> {
  return reply.page(
    template,
    {
      ...context,
      errors: form.error ? formErrors(form.error.fields, [...form.fieldOrder]) : null,
      csrfToken: reply.generateCsrf(),
    },
    form.error ? 400 : 200,
  );
}

/** Parses a form: its values, or the FormError with a message per field. */
export function readForm<S extends z.ZodType>(
  schema: S,
  body: Body,
): { input: z.output<S> } | { error: FormError } {
  try {
    return { input: parseForm(schema, body) };
  } catch (error) {
    if (error instanceof FormError) return { error };
    throw error;
  }
}

/**
 * Handles a sent form of plain fields: shows it again with what was typed
 * and a message per field, or saves it through `save` and follows the
 * address it returns (303, so a refresh does not send the form again).
 */
export async function submitForm<S extends z.ZodType>(
  request: FastifyRequest,
  reply: FastifyReply,
  form: {
    schema: S;
    fields: readonly string[];
    showAgain: (values: Record<string, string>, error: FormError) => Promise<FastifyReply>;
    save: (input: z.output<S>) => Promise<string>;
  },
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Body;
  const read = readForm(form.schema, body);
  if ('error' in read) {
    const values = Object.fromEntries(
      form.fields.map((field) => [field, typedText(body, field, KEEP_LIMIT)]),
    );
    return form.showAgain(values, read.error);
  }
  return reply.redirect(await form.save(read.input), 303);
}
