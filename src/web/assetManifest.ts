/**
 * The built assets' names. scripts/build-assets.mjs gives every CSS, script
 * and image file its content's hash in its name and writes
 * public/build/manifest.json (own name → hashed name); templates ask for a
 * file's address with `assetUrl('trellis.css')`, so none names a hashed file
 * itself, and the static file server gives hashed files a year-long cache
 * lifetime knowing a new release can never be served under the same name.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ASSETS_PREFIX = '/assets/';

/** For a file whose address changes whenever its content does: browsers keep it a year without asking. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

export class AssetManifest {
  private names = new Map<string, string>();
  private hashed = new Set<string>();
  private readAt = -1;

  /**
   * @param directory the build folder (public/build)
   * @param options.watch read the manifest again whenever it changes (a
   *   developer rebuilding the assets while Trellis runs); otherwise it is
   *   read once, as a release never changes its files.
   */
  constructor(
    private readonly directory: string,
    private readonly options: { watch: boolean; onMissing?: (message: string) => void } = { watch: false },
  ) {
    this.load();
  }

  /** Whether the build wrote a manifest (assets built at all). */
  get built(): boolean {
    return this.readAt >= 0;
  }

  /**
   * The address of a built file by its own name ('trellis.css'), or of a path
   * under /assets/ ('/assets/logo.svg', as a hub's logo is stored). Without
   * a build, or for a file the build did not make, the unhashed address.
   */
  url(nameOrPath: string): string {
    if (this.options.watch) this.load();
    const name = nameOrPath.startsWith(ASSETS_PREFIX) ? nameOrPath.slice(ASSETS_PREFIX.length) : nameOrPath;
    return ASSETS_PREFIX + (this.names.get(name) ?? name);
  }

  /** Whether a file in the build folder is one the build named by its content (so never changes). */
  isHashed(fileName: string): boolean {
    if (this.options.watch) this.load();
    return this.hashed.has(fileName);
  }

  private load(): void {
    const path = join(this.directory, 'manifest.json');
    let modified: number;
    try {
      modified = statSync(path).mtimeMs;
    } catch {
      if (this.readAt !== -2) {
        this.options.onMissing?.(
          `No built assets in ${this.directory}: run \`npm run build\` (or \`node scripts/build-assets.mjs\`) first. ` +
            'Pages are served without their CSS and script until then.',
        );
      }
      this.readAt = -2;
      this.names = new Map();
      this.hashed = new Set();
      return;
    }
    if (modified === this.readAt) return;
    const names = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    this.names = new Map(Object.entries(names));
    this.hashed = new Set(Object.values(names));
    this.readAt = modified;
  }
}
