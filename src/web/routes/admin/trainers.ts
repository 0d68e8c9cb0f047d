/**
 * Trainers: list, add and edit.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminTrainerRoutes(_app: FastifyInstance, _options: { services: Services }) {}
