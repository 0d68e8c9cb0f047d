/**
 * Bookings as staff manage them: a session's delegates, booking on someone's behalf, moving, substituting, cancelling with a reason and promoting from the waiting list. Every write takes the session's lock and is audited.
 */
import type { ServiceDeps } from './index.js';

export class BookingAdminService {
  constructor(private readonly deps: ServiceDeps) {}
}
