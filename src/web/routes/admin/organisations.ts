/**
 * Organisations: confirming new ones, setting their type, merging duplicates.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminOrganisationRoutes(
  _app: FastifyInstance,
  _options: { services: Services },
) {}
