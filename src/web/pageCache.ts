/**
 * Rendered public pages, kept in memory and served again while nothing they
 * show has changed. An entry is valid for one public pages version (which
 * database triggers raise on any change to the programme, bookings or
 * settings) and one clock minute (so sessions starting, booking windows
 * closing and offers expiring show within a minute without any write).
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

  constructor(private readonly limit = 500) {}

  get(key: string, version: number, minute: number): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.version !== version || entry.minute !== minute) {
      this.entries.delete(key);
      return undefined;
    }
    // Least recently used goes first: re-insert to mark as used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, version: number, minute: number, page: CachedPage): void {
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { ...page, version, minute });
  }

  get size(): number {
    return this.entries.size;
  }
}
