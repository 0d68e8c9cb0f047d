/** Booking fields that delegates and staff fill in alike. */
import { z } from 'zod';

/** What a booking reference looks like: anything else is not one of ours. */
export const BOOKING_REFERENCE = /^TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

const needsText = (what: string) =>
  z
    .string()
    .max(1_000, `${what} must be 1,000 characters or fewer`)
    .optional()
    .transform((value) => value?.trim() || null);

/**
 * Access and dietary needs, held only with the delegate's agreement;
 * `consentMessage` asks for it in the words of whoever fills in the form.
 */
export function needsSchema(consentMessage: string) {
  return z
    .object({
      accessNeeds: needsText('Access needs'),
      dietaryNeeds: needsText('Dietary needs'),
      consent: z.string().optional(),
    })
    .superRefine((value, ctx) => {
      if ((value.accessNeeds || value.dietaryNeeds) && value.consent !== 'yes') {
        ctx.addIssue({ code: 'custom', path: ['consent'], message: consentMessage });
      }
    })
    .transform((value) => ({ ...value, consent: value.consent === 'yes' }));
}
