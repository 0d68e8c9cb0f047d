/**
 * The reports' groupings in words: each section's heading and first column,
 * and a row's name, so the attendance, feedback and follow-up tables (and
 * their downloads) name the same group the same way.
 */
import { ORGANISATION_TYPE_NAMES, type OrganisationType } from '../../domain/programme/organisation.js';
import { formatMoment } from '../../domain/time/time.js';
import type { ReportSection } from '../../services/afterCourse/reportService.js';

export const GROUPING_WORDS: Record<ReportSection['grouping'], { heading: string; column: string }> = {
  organisationType: { heading: 'By organisation type', column: 'Organisation type' },
  organisation: { heading: 'By organisation', column: 'Organisation' },
  jobRole: { heading: 'By job role', column: 'Job role' },
  course: { heading: 'By course', column: 'Course' },
  session: { heading: 'By session', column: 'Session' },
};

/** A row's name in words; delegates who gave none are one row of their own. */
export function rowName(grouping: ReportSection['grouping'], label: string | null): string {
  switch (grouping) {
    case 'organisationType':
      return label ? (ORGANISATION_TYPE_NAMES[label as OrganisationType] ?? label) : 'No organisation given';
    case 'organisation':
      return label ?? 'No organisation given';
    case 'jobRole':
      return label ? label.charAt(0).toUpperCase() + label.slice(1) : 'No job role given';
    case 'course':
      return label ?? '';
    case 'session':
      return label ? formatMoment(new Date(label)) : '';
  }
}
