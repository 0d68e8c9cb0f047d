/** Every email Trellis sends, one file per message. */
export {
  accountClosedOnRequest,
  type AccountClosedOnRequestFacts,
} from './accounts/accountClosedOnRequest.js';
export { accountClosing, type AccountClosingFacts } from './accounts/accountClosing.js';
export { bookingCancelled, type BookingCancelledFacts } from './bookings/bookingCancelled.js';
export { bookingConfirmed, type BookingConfirmedFacts } from './bookings/bookingConfirmed.js';
export { chargeDecided, type ChargeDecidedFacts, type ChargeOutcome } from './charges/chargeDecided.js';
export { chargeLineManager, type ChargeLineManagerFacts } from './charges/chargeLineManager.js';
export { chargeProposed, type ChargeProposedFacts } from './charges/chargeProposed.js';
export { certificateReady, type CertificateReadyFacts } from './afterCourse/certificateReady.js';
export { creditNoteIssued, type CreditNoteIssuedFacts } from './charges/creditNoteIssued.js';
export { bookingMoved, type BookingMovedFacts } from './bookings/bookingMoved.js';
export { detailsChanged, type AccountDetail, type DetailsChangedFacts } from './accounts/detailsChanged.js';
export { emailChangeRequested, type EmailChangeRequestedFacts } from './accounts/emailChangeRequested.js';
export { emailInUse, type EmailInUseFacts } from './accounts/emailInUse.js';
export { feedbackInvitation, type FeedbackInvitationFacts } from './afterCourse/feedbackInvitation.js';
export { followUpReminder } from './afterCourse/followUpReminder.js';
export { followUpRequest, type FollowUpRequestFacts } from './afterCourse/followUpRequest.js';
export {
  LINE_MANAGER_EMAIL_KINDS,
  lineManagerTold,
  type LineManagerToldFacts,
} from './bookings/lineManagerTold.js';
export { invoiceIssued, type InvoiceIssuedFacts } from './charges/invoiceIssued.js';
export { onlineMorningReminder, type OnlineMorningReminderFacts } from './sessions/onlineMorningReminder.js';
export { offerExpired, type OfferExpiredFacts } from './bookings/offerExpired.js';
export { passwordReset, type PasswordResetFacts } from './accounts/passwordReset.js';
export { placeOffered, type PlaceOfferedFacts } from './bookings/placeOffered.js';
export { placePassed, type PlacePassedFacts } from './bookings/placePassed.js';
export { sessionCancelled, type SessionCancelledFacts } from './sessions/sessionCancelled.js';
export {
  sessionChanged,
  type SessionChangeLine,
  type SessionChangedFacts,
} from './sessions/sessionChanged.js';
export { sessionReminder, type SessionReminderFacts } from './sessions/sessionReminder.js';
export { verifyEmail, type VerifyEmailFacts } from './accounts/verifyEmail.js';
export { waitlistJoined, type WaitlistJoinedFacts } from './bookings/waitlistJoined.js';
export type {
  EmailAttachment,
  EmailKind,
  EmailMessage,
  HubFacts,
  NeedsFacts,
  SessionFacts,
  VenueFacts,
} from './message.js';
