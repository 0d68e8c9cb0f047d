/** Every area's rules, joined. */
import { attendanceRules } from './attendance.js';
import { bookingRules } from './bookings.js';
import { chargeRules } from './charges.js';
import { coreRules } from './core.js';
import { feedbackRules } from './feedback.js';
import { invoiceRules } from './invoices.js';
import { financeRules } from './finance.js';
import { peopleRules } from './people.js';
import { priceRules } from './prices.js';
import { privacyRules } from './privacy.js';
import { programmeRules } from './programme.js';
import { reportRules } from './reports.js';
import { retentionRules } from './retention.js';
import { sessionRules } from './sessions.js';
import { staffRules } from './staff.js';
import type { AdminRules } from './types.js';

export const RULES: AdminRules = {
  ...coreRules,
  ...programmeRules,
  ...sessionRules,
  ...bookingRules,
  ...attendanceRules,
  ...reportRules,
  ...feedbackRules,
  ...chargeRules,
  ...financeRules,
  ...peopleRules,
  ...staffRules,
  ...invoiceRules,
  ...priceRules,
  ...privacyRules,
  ...retentionRules,
};
