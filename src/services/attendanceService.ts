/**
 * Registers and attendance: who is expected at each part of a session, marking attended, partial or absent (a trainer in the room, on a phone), corrections audited; and the CSV exports.
 */
import type { ServiceDeps } from './index.js';

export class AttendanceService {
  constructor(private readonly deps: ServiceDeps) {}
}
