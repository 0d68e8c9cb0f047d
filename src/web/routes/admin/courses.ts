/**
 * Courses: list, create, edit (Markdown with preview), duplicate and archive.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminCourseRoutes(_app: FastifyInstance, _options: { services: Services }) {}
