/** The account forms' fields, with messages that say what to do. */
import { z } from 'zod';

import { MIN_PASSWORD_LENGTH } from '../../../domain/accounts.js';

// Names and roles go into emails and sign-in sheets: no control characters
// (a CR/LF could otherwise reach a mail header). Staff booking on a delegate's
// behalf ask for the same details, so the back office uses it too.
export const oneLine = (what: string, max: number) =>
  z
    .string({ error: `Enter ${what}` })
    .transform((value) => value.replace(/\s+/g, ' ').trim())
    .pipe(
      z
        .string()
        .min(1, `Enter ${what}`)
        .max(max, `${capitalise(what)} must be ${max} characters or fewer`)
        .refine(
          // eslint-disable-next-line no-control-regex
          (value) => !/[\u0000-\u001f\u007f]/.test(value),
          `${capitalise(what)} must not contain special characters`,
        ),
    );

const email = (what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(254, `${capitalise(what)} must be 254 characters or fewer`)
    .pipe(z.email(`Enter ${what} in the correct format, like name@example.org.uk`))
    .transform((value) => value.toLowerCase());

const password = z
  .string({ error: 'Enter a password' })
  .min(1, 'Enter a password')
  .min(MIN_PASSWORD_LENGTH, `Your password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, 'Your password must be 200 characters or fewer');

const organisation = {
  organisationId: z
    .string({ error: 'Choose your organisation' })
    .min(1, 'Choose your organisation, or “My organisation is not listed”')
    .regex(/^(\d{1,9}|other)$/, 'Choose your organisation from the list'),
  newOrganisationName: z.string().optional(),
};

const details = z
  .object({
    name: oneLine('your full name', 100),
    email: email('your work email address'),
    ...organisation,
    jobRole: oneLine('your job role', 100),
    lineManagerName: oneLine('your line manager’s name', 100),
    lineManagerEmail: email('your line manager’s email address'),
  })
  .superRefine((value, ctx) => {
    if (value.organisationId === 'other' && !value.newOrganisationName?.trim()) {
      ctx.addIssue({
        code: 'custom',
        path: ['newOrganisationName'],
        message: 'Enter the name of your organisation',
      });
    }
    if ((value.newOrganisationName ?? '').length > 120) {
      ctx.addIssue({
        code: 'custom',
        path: ['newOrganisationName'],
        message: 'Organisation name must be 120 characters or fewer',
      });
    }
    if (value.lineManagerEmail === value.email) {
      ctx.addIssue({
        code: 'custom',
        path: ['lineManagerEmail'],
        message: 'Enter your line manager’s own email address, not yours',
      });
    }
  })
  .transform((value) => ({
    name: value.name,
    email: value.email,
    organisationId: value.organisationId === 'other' ? null : Number(value.organisationId),
    newOrganisationName:
      value.organisationId === 'other' ? (value.newOrganisationName ?? '').replace(/\s+/g, ' ').trim() : null,
    jobRole: value.jobRole,
    lineManagerName: value.lineManagerName,
    lineManagerEmail: value.lineManagerEmail,
  }));

export const DETAILS_FIELDS = [
  'name',
  'email',
  'organisationId',
  'newOrganisationName',
  'jobRole',
  'lineManagerName',
  'lineManagerEmail',
];

export const detailsSchema = details;

export const signInSchema = z.object({
  email: email('your email address'),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(200, 'Enter your password'),
});

export const forgotPasswordSchema = z.object({ email: email('your email address') });

export const newPasswordSchema = z.object({ password });

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/^your /i, 'Your ');
}
