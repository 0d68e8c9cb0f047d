import type { Config } from '../../../config.js';
import type { Services } from '../../../services/index.js';

/** What every public route file is registered with (see index.ts). */
export interface PublicRouteOptions {
  services: Services;
  config: Config;
}
