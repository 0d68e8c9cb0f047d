/** Requests about personal data: subject access and erasure, admins only (handlePersonalData). */
import { ADMINS, type AdminRules } from './types.js';

export const privacyRules: AdminRules = {
  'GET /admin/delegates/:delegateId/subject-access': ADMINS,
  'GET /admin/delegates/:delegateId/subject-access.json': ADMINS,
  'GET /admin/delegates/:delegateId/erase': ADMINS,
  'POST /admin/delegates/:delegateId/erase': ADMINS,
};
