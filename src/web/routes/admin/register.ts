/**
 * A session's register: the printable sign-in sheet and marking attendance.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminRegisterRoutes(_app: FastifyInstance, _options: { services: Services }) {}
