/** Every email Trellis sends, one file per message. */
export { accountClosedOnRequest, type AccountClosedOnRequestFacts } from './accountClosedOnRequest.js';
export { accountClosing, type AccountClosingFacts } from './accountClosing.js';
export { bookingCancelled, type BookingCancelledFacts } from './bookingCancelled.js';
export { bookingConfirmed, type BookingConfirmedFacts } from './bookingConfirmed.js';
export { chargeDecided, type ChargeDecidedFacts, type ChargeOutcome } from './chargeDecided.js';
export { chargeLineManager, type ChargeLineManagerFacts } from './chargeLineManager.js';
export { chargeProposed, type ChargeProposedFacts } from './chargeProposed.js';
export { certificateReady, type CertificateReadyFacts } from './certificateReady.js';
export { creditNoteIssued, type CreditNoteIssuedFacts } from './creditNoteIssued.js';
export { bookingMoved, type BookingMovedFacts } from './bookingMoved.js';
export { detailsChanged, type AccountDetail, type DetailsChangedFacts } from './detailsChanged.js';
export { emailChangeRequested, type EmailChangeRequestedFacts } from './emailChangeRequested.js';
export { emailInUse, type EmailInUseFacts } from './emailInUse.js';
export { feedbackInvitation, type FeedbackInvitationFacts } from './feedbackInvitation.js';
export { followUpReminder } from './followUpReminder.js';
export { followUpRequest, type FollowUpRequestFacts } from './followUpRequest.js';
export { LINE_MANAGER_EMAIL_KINDS, lineManagerTold, type LineManagerToldFacts } from './lineManagerTold.js';
export { invoiceIssued, type InvoiceIssuedFacts } from './invoiceIssued.js';
export { onlineMorningReminder, type OnlineMorningReminderFacts } from './onlineMorningReminder.js';
export { offerExpired, type OfferExpiredFacts } from './offerExpired.js';
export { passwordReset, type PasswordResetFacts } from './passwordReset.js';
export { placeOffered, type PlaceOfferedFacts } from './placeOffered.js';
export { placePassed, type PlacePassedFacts } from './placePassed.js';
export { sessionCancelled, type SessionCancelledFacts } from './sessionCancelled.js';
export { sessionChanged, type SessionChangeLine, type SessionChangedFacts } from './sessionChanged.js';
export { sessionReminder, type SessionReminderFacts } from './sessionReminder.js';
export { verifyEmail, type VerifyEmailFacts } from './verifyEmail.js';
export { waitlistJoined, type WaitlistJoinedFacts } from './waitlistJoined.js';
export type {
  EmailAttachment,
  EmailKind,
  EmailMessage,
  HubFacts,
  NeedsFacts,
  SessionFacts,
  VenueFacts,
} from './message.js';
