// Builds the browser assets into public/build: Trellis's CSS from Sass, its
// script bundled with the GOV.UK Frontend components it uses, and the images.
//
// Every file gets its content's hash in its name (trellis.3f9c2a1b0d.css), so
// browsers may keep it for a year: a release that changes a file changes its
// name, and pages ask for the new one. public/build/manifest.json maps each
// file's own name to its hashed name for the templates (src/web/assetManifest.ts).
// The CSS and script also get Brotli (.br) and gzip (.gz) copies, compressed
// once here at the highest levels, which Trellis and nginx send to browsers
// that accept them.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

import * as esbuild from 'esbuild';
import * as sass from 'sass';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'build');
const assets = join(root, 'src', 'web', 'assets');
const manifestPath = join(out, 'manifest.json');
mkdirSync(out, { recursive: true });

/** Text worth compressing; images here are SVG, small and served as they are. */
const COMPRESSED = new Set(['.css', '.js']);

function hashedName(name, content) {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 10);
  const ext = extname(name);
  return `${name.slice(0, -ext.length)}.${hash}${ext}`;
}

/** @type {Record<string, string>} */
const manifest = {};
function emit(name, content) {
  const hashed = hashedName(name, content);
  manifest[name] = hashed;
  writeFileSync(join(out, hashed), content);
  if (COMPRESSED.has(extname(name))) {
    writeFileSync(
      join(out, `${hashed}.br`),
      brotliCompressSync(content, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
          [zlib.BROTLI_PARAM_SIZE_HINT]: content.length,
        },
      }),
    );
    writeFileSync(join(out, `${hashed}.gz`), gzipSync(content, { level: 9 }));
  }
}

const css = sass.compile(join(assets, 'styles.scss'), {
  loadPaths: [join(root, 'node_modules')],
  style: 'compressed',
  quietDeps: true,
});
emit('trellis.css', Buffer.from(css.css));

// One ES module: app.js with just the components it imports (GOV.UK
// Frontend's package says it has no side effects, so the rest is left out).
const script = await esbuild.build({
  entryPoints: [join(assets, 'app.js')],
  bundle: true,
  format: 'esm',
  minify: true,
  // Browsers that run `type="module"` scripts; GOV.UK Frontend asks no more.
  target: ['es2020'],
  legalComments: 'none',
  write: false,
  absWorkingDir: root,
});
emit('app.js', Buffer.from(script.outputFiles[0].contents));

for (const file of readdirSync(join(assets, 'static'))) {
  const content = readFileSync(join(assets, 'static', file));
  emit(file, content);
  // Also under its own name, for what names it directly (a hub's logo path
  // in its settings); served with a short cache lifetime, as it may change.
  writeFileSync(join(out, file), content);
}

// The last build's files stay beside the new ones, so pages rendered by a
// process still on the last release (during a rolling restart) find theirs;
// anything older goes, so the folder does not grow with every build.
const kept = new Set(['manifest.json', ...readdirSync(join(assets, 'static'))]);
for (const built of [manifest, readManifest(manifestPath)]) {
  for (const hashed of Object.values(built)) {
    for (const suffix of ['', '.br', '.gz']) kept.add(hashed + suffix);
  }
}
for (const file of readdirSync(out)) {
  if (!kept.has(file)) rmSync(join(out, file), { force: true, recursive: true });
}
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

const size = (name) => Math.round(readFileSync(join(out, manifest[name])).length / 1024);
const brotli = (name) => (readFileSync(join(out, `${manifest[name]}.br`)).length / 1024).toFixed(1);
console.log(
  `Assets built in ${out}: ${size('trellis.css')} KiB of CSS (${brotli('trellis.css')} KiB Brotli), ` +
    `${size('app.js')} KiB of script (${brotli('app.js')} KiB Brotli)`,
);

function readManifest(path) {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}
