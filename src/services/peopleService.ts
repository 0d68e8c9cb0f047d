/**
 * Delegates and organisations for staff: search, a delegate's history, merging duplicate accounts, confirming, typing and merging organisations.
 */
import type { ServiceDeps } from './index.js';

export class PeopleService {
  constructor(private readonly deps: ServiceDeps) {}
}
