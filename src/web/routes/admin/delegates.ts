/**
 * Delegates: search, history, merging duplicates.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminDelegateRoutes(_app: FastifyInstance, _options: { services: Services }) {}
