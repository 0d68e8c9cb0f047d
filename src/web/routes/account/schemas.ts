/** The account forms' fields, with messages that say what to do. */
import { z } from 'zod';

import { MIN_PASSWORD_LENGTH } from '../../../domain/accounts/accounts.js';

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
    .min(1, 'Choose your organisation, “My organisation is not listed” or “I do not have an employer”')
    .regex(/^(\d{1,9}|other|none)$/, 'Choose your organisation from the list'),
  newOrganisationName: z.string().optional(),
};

/** A field someone may leave empty: empty (or only spaces) is "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    schema.optional(),
  );

/** Everything a delegate keeps up to date themselves; the email address changes on its own page. */
const profileFields = {
  name: oneLine('your full name', 100),
  ...organisation,
  jobRole: oneLine('your job role', 100),
  // A volunteer may have no line manager.
  lineManagerName: optional(oneLine('your line manager’s name', 100)),
  lineManagerEmail: optional(email('your line manager’s email address')),
};

function checkProfile(
  value: {
    email?: string;
    organisationId: string;
    newOrganisationName?: string | undefined;
    lineManagerName?: string | undefined;
    lineManagerEmail?: string | undefined;
  },
  ctx: z.RefinementCtx,
) {
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
  if (value.lineManagerEmail && value.lineManagerEmail === value.email) {
    ctx.addIssue({
      code: 'custom',
      path: ['lineManagerEmail'],
      message: 'Enter your line manager’s own email address, not yours',
    });
  }
  // Half a line manager is no use to anyone: both, or neither.
  if (value.lineManagerName && !value.lineManagerEmail) {
    ctx.addIssue({
      code: 'custom',
      path: ['lineManagerEmail'],
      message: 'Enter your line manager’s email address, or leave their name blank too',
    });
  }
  if (value.lineManagerEmail && !value.lineManagerName) {
    ctx.addIssue({
      code: 'custom',
      path: ['lineManagerName'],
      message: 'Enter your line manager’s name, or leave their email address blank too',
    });
  }
}

function profileValues(value: {
  name: string;
  organisationId: string;
  newOrganisationName?: string | undefined;
  jobRole: string;
  lineManagerName?: string | undefined;
  lineManagerEmail?: string | undefined;
}) {
  const id = value.organisationId;
  return {
    name: value.name,
    // "none": someone with no employer, such as a volunteer.
    organisationId: id === 'other' || id === 'none' ? null : Number(id),
    newOrganisationName:
      id === 'other' ? (value.newOrganisationName ?? '').replace(/\s+/g, ' ').trim() : null,
    jobRole: value.jobRole,
    lineManagerName: value.lineManagerName ?? '',
    lineManagerEmail: value.lineManagerEmail ?? '',
  };
}

export const PROFILE_FIELDS = [
  'name',
  'organisationId',
  'newOrganisationName',
  'jobRole',
  'lineManagerName',
  'lineManagerEmail',
];

export const DETAILS_FIELDS = ['name', 'email', ...PROFILE_FIELDS.slice(1)];

/** Registration: the profile and the email address. */
export const detailsSchema = z
  .object({ ...profileFields, email: email('your work email address') })
  .superRefine(checkProfile)
  .transform((value) => ({ ...profileValues(value), email: value.email }));

/** "Change your details": the profile only. */
export const profileSchema = z.object(profileFields).superRefine(checkProfile).transform(profileValues);

export const changeEmailSchema = z.object({
  email: email('your new email address'),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(200, 'Enter your password correctly: it is the one you sign in with'),
});

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
