/**
 * Rendered public pages, kept in memory and served again while nothing they
 * show has changed. An entry is valid for one public pages version (which
 * database triggers raise on any change to the programme, bookings or
 * settings) and one clock minute (so sessions starting, booking windows
 * closing and offers expiring show within a minute without any write).
 *
 * A page out of date is rendered once for everyone who asks meanwhile, not
 * once per request. During a booking rush the version goes up hundreds of
 * times a second, so almost every request finds its page out of date; were
 * each to render it, fifty at once would each run the page's queries and
 * template (measured: the session page fell from about 13,600 to 880 req/s,
 * worst response 1.1 s). Instead at most one render per page is in flight:
 * a request arriving during it is given the page that render will replace
 * (out of date by at most that one render), or, when there is none yet,
 * waits for the render. So the promise pages keep is: a request made after a
 * change has committed, and after any render of its page in flight then has
 * finished, shows the change.
 *
 * That alone is not enough on SQLite: its queries do not wait on the network,
 * so a render runs from start to end without letting another request in, and
 * the next request (at a newer version) starts the next one. Every request
 * still rendered (measured: 18 req/s with the counter raised 50 times a
 * second, against 537 without). So a page rendered again while the last
 * render is recent waits first: a render of a page starts no sooner than
 * RENDER_GAP_FACTOR times the last one's length after it ended (at most
 * MAX_RENDER_GAP_MS), which keeps one busy page's renders to about a
 * twentieth of the process's time. The wait counts as the render being in
 * flight: visitors meanwhile get the page it replaces (a public page may be a
 * little out of date during a rush), and the request that started it waits
 * for it, so the promise above holds. A page not rendered lately renders at once.
 *
 * Only pages that are the same for every visitor may be cached here.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

export interface CachedPage {
  statusCode: number;
  body: string;
  /** The body gzipped, made on first request from a client that accepts it. */
  gzipped?: Buffer;
}

interface Entry extends CachedPage {
  version: number;
  minute: number;
  /** When its render ended and how long it took (performance.now() milliseconds), to space the next. */
  renderedAt: number;
  renderMs: number;
}

/** The gap before a page is rendered again, as a multiple of its last render's length. */
const RENDER_GAP_FACTOR = 19;
/** However slow a render, a busy page is rendered again within this long. */
const MAX_RENDER_GAP_MS = 500;

export interface PageCacheOptions {
  /** How many pages are kept (the least recently used go first). */
  limit?: number;
  /** RENDER_GAP_FACTOR unless said (0: render again at once, as tests of the order of events need). */
  renderGapFactor?: number;
}

/** The page's body gzipped, computed once per cached page rather than per reply. */
export function gzippedBody(page: CachedPage): Buffer {
  page.gzipped ??= gzipSync(page.body, { level: 6 });
  return page.gzipped;
}

export class PageCache {
  private readonly entries = new Map<string, Entry>();
  /** The render in flight for each page key: at most one. */
  private readonly rendering = new Map<string, Promise<CachedPage>>();

  private readonly limit: number;
  private readonly renderGapFactor: number;

  constructor(options: PageCacheOptions = {}) {
    this.limit = options.limit ?? 500;
    this.renderGapFactor = options.renderGapFactor ?? RENDER_GAP_FACTOR;
  }

  /**
   * The page at `key` as of `version` (read after the request arrived) and
   * `minute`: the cached page if it is that recent; else the page being
   * replaced while a render is in flight; else a new render by `render`,
   * which every request arriving before it finishes shares.
   */
  async page(
    key: string,
    version: number,
    minute: number,
    render: () => Promise<CachedPage>,
  ): Promise<CachedPage> {
    const entry = this.entries.get(key);
    // The counter only goes up, so a page rendered at a later version (for a
    // request whose read came back sooner) is at least as recent as asked.
    if (entry && entry.version >= version && entry.minute === minute) return this.touch(key, entry);
    const inFlight = this.rendering.get(key);
    if (inFlight) return entry ? this.touch(key, entry) : inFlight;

    const gap = entry ? this.gapBeforeRender(entry) : 0;
    const timed = async () => {
      const started = performance.now();
      const page = await render();
      const ended = performance.now();
      this.set(key, version, minute, page, { renderedAt: ended, renderMs: ended - started });
      return page;
    };
    const rendered = gap > 0 ? delay(gap).then(timed) : timed();
    this.rendering.set(key, rendered);
    // Cleared however it ends, so a failed render (a page that is not found)
    // is tried again by the next request rather than failing every one after.
    const clear = () => {
      if (this.rendering.get(key) === rendered) this.rendering.delete(key);
    };
    rendered.then(clear, clear);
    return rendered;
  }

  /** The cached page at `key` if it is as recent as `version` and `minute`, without rendering. */
  get(key: string, version: number, minute: number): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.version < version || entry.minute !== minute) return undefined;
    return this.touch(key, entry);
  }

  set(
    key: string,
    version: number,
    minute: number,
    page: CachedPage,
    timing: { renderedAt: number; renderMs: number } = { renderedAt: performance.now(), renderMs: 0 },
  ): void {
    // A render that finished late never replaces a more recent page.
    const current = this.entries.get(key);
    if (current && current.minute === minute && current.version > version) return;
    this.entries.delete(key);
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { ...page, version, minute, ...timing });
  }

  /** How many pages are kept (out of date ones included, until replaced or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /** How long to wait before rendering `entry`'s page again: none once its last render is long enough ago. */
  private gapBeforeRender(entry: Entry): number {
    const gap = Math.min(MAX_RENDER_GAP_MS, entry.renderMs * this.renderGapFactor);
    return Math.max(0, entry.renderedAt + gap - performance.now());
  }

  /** Least recently used goes first: re-inserting marks the entry as used. */
  private touch(key: string, entry: Entry): Entry {
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }
}
