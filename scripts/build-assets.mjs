// Builds the browser assets into public/build: Trellis's CSS from Sass, and
// the scripts and images served as they are.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as sass from 'sass';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'build');
const assets = join(root, 'src', 'web', 'assets');
mkdirSync(out, { recursive: true });

const css = sass.compile(join(assets, 'styles.scss'), {
  loadPaths: [join(root, 'node_modules')],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import'],
});
writeFileSync(join(out, 'trellis.css'), css.css);

copyFileSync(join(assets, 'app.js'), join(out, 'app.js'));
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk');
copyFileSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'govuk-frontend.min.js'));
for (const file of readdirSync(join(assets, 'static'))) {
  copyFileSync(join(assets, 'static', file), join(out, file));
}
console.log(`Assets built in ${out} (${Math.round(css.css.length / 1024)} kB of CSS)`);
