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
 * Only pages that are the same for every visitor may be cached here.
 */
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

  constructor(private readonly limit = 500) {}

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

    const rendered = render().then((page) => {
      this.set(key, version, minute, page);
      return page;
    });
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

  set(key: string, version: number, minute: number, page: CachedPage): void {
    // A render that finished late never replaces a more recent page.
    const current = this.entries.get(key);
    if (current && current.minute === minute && current.version > version) return;
    this.entries.delete(key);
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { ...page, version, minute });
  }

  /** How many pages are kept (out of date ones included, until replaced or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /** Least recently used goes first: re-inserting marks the entry as used. */
  private touch(key: string, entry: Entry): Entry {
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }
}
