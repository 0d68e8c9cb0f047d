/**
 * Courses, venues and trainers as coordinators edit them: create, edit, duplicate and archive courses; edit venues and trainers. Every change is audited.
 */
import type { ServiceDeps } from './index.js';

export class ProgrammeService {
  constructor(private readonly deps: ServiceDeps) {}
}
