/**
 * Where Trellis's files are on disk, the same whether running from src/ with
 * tsx or from the compiled dist/.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const VIEWS_DIR = join(PROJECT_ROOT, 'src', 'web', 'views');
export const BUILT_ASSETS_DIR = join(PROJECT_ROOT, 'public', 'build');
export const STATIC_ASSETS_DIR = join(PROJECT_ROOT, 'src', 'web', 'assets', 'static');
export const GOVUK_FRONTEND_DIR = join(PROJECT_ROOT, 'node_modules', 'govuk-frontend', 'dist');
