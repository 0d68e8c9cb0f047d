/**
 * Scheduling sessions for coordinators: the session list, new sessions with their parts, changes of date, time, venue or capacity (emailing booked delegates an updated calendar file), and cancelling a whole session.
 */
import type { ServiceDeps } from './index.js';

export class SessionAdminService {
  constructor(private readonly deps: ServiceDeps) {}
}
