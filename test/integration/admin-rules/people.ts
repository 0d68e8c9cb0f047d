/** Delegates and organisations. */
import { READERS, RUNNERS, type AdminRules } from './types.js';

export const peopleRules: AdminRules = {
  'GET /admin/delegates': READERS,
  'GET /admin/delegates/:delegateId': READERS,
  // Merging changes bookings: the page that leads to it is for those who may.
  'GET /admin/delegates/:delegateId/merge': RUNNERS,
  'POST /admin/delegates/:delegateId/merge': RUNNERS,
  'GET /admin/organisations': READERS,
  // Viewers read the organisation; only runners see and send its form.
  'GET /admin/organisations/:organisationId': READERS,
  'POST /admin/organisations/:organisationId': RUNNERS,
  'GET /admin/organisations/:organisationId/merge': RUNNERS,
  'POST /admin/organisations/:organisationId/merge': RUNNERS,
};
