/**
 * Staff accounts, for administrators: add, change role, disable, reset a lost second factor.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminStaffRoutes(_app: FastifyInstance, _options: { services: Services }) {}
