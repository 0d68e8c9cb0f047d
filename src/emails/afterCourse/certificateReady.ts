import { formatDate } from '../../domain/time/time.js';
import { webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface CertificateReadyFacts {
  hub: HubFacts;
  delegateName: string;
  courseTitle: string;
  /** The start of the first part attended. */
  attendedFrom: Date;
  certificateNumber: string;
  /** Absolute link to the delegate's booking, where they sign in and download it. */
  bookingUrl: string;
  /** Absolute link to the public page that confirms the certificate is genuine. */
  verifyUrl: string;
  /** It replaces a certificate issued before, now withdrawn. */
  replaces: boolean;
}

/**
 * Sent when a certificate of attendance is issued. The link opens the
 * booking, which asks the delegate to sign in: the email itself carries no
 * key to the certificate, so a forwarded or scanned email gives nothing away.
 */
export function certificateReady(facts: CertificateReadyFacts): EmailMessage {
  return {
    kind: 'certificate_ready',
    ...renderEmail('certificateReady', {
      hub: facts.hub,
      subject: facts.replaces
        ? `Your updated certificate of attendance: ${facts.courseTitle}`
        : `Your certificate of attendance is ready: ${facts.courseTitle}`,
      heading: facts.replaces
        ? 'Your certificate of attendance has been updated'
        : 'Your certificate of attendance is ready',
      greeting: facts.delegateName,
      reason: `${facts.hub.name} marked your attendance on ${facts.courseTitle}`,
      courseTitle: facts.courseTitle,
      date: formatDate(facts.attendedFrom),
      number: facts.certificateNumber,
      bookingUrl: webLink(facts.bookingUrl, 'the booking link'),
      verifyUrl: webLink(facts.verifyUrl, 'the verification link'),
      replaces: facts.replaces,
    }),
  };
}
