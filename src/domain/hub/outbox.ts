/**
 * How many emails one address may be sent in an hour, whatever triggered
 * them. Every email Trellis sends answers something a person did (a booking,
 * a reset asked for, a register marked), so a real person gets a handful an
 * hour at most: a busy coordinator booking a team, say, sends their line
 * manager a dozen. Twenty stops a loop, or someone pressing "Forgot your
 * password" again and again, from flooding one mailbox (and from getting the
 * hub's mail server listed as a source of spam), while an ordinary burst
 * never waits. Messages over the limit are held, never dropped, and sent as
 * the hour allows (jobs/outboxSender.ts).
 */
export const EMAILS_PER_RECIPIENT_PER_HOUR = 20;

/** The window the limit counts over. */
export const RECIPIENT_LIMIT_WINDOW_MS = 60 * 60_000;

/**
 * When a message to an address over the limit may go: as soon as the
 * window holds one fewer than the limit, that is an hour after the sending
 * that must drop out of it. `sentInWindow` are the sending times in the window
 * (sent > now − 1 hour), oldest first. Null: under the limit, send now.
 */
export function heldUntil(sentInWindow: readonly Date[], limit = EMAILS_PER_RECIPIENT_PER_HOUR): Date | null {
  if (sentInWindow.length < limit) return null;
  const dropping = sentInWindow[sentInWindow.length - limit]!;
  return new Date(dropping.getTime() + RECIPIENT_LIMIT_WINDOW_MS);
}
