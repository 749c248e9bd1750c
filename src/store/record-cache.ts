/**
 * The one cache of ctxpress: keyed records (landmark indexes, gist summary vectors, scores), held
 * in an LRU bounded by their size, behind an optional shared storage (Redis), with at most one
 * build per key in flight in this process.
 */

/** Where records of one kind are kept: Redis (src/store) or this process' memory. */
export interface RecordStorage<Key, Value> {
  /** The record, or null when it was never stored or has been dropped. */
  get(key: Key): Promise<Value | null>;
  put(key: Key, value: Value): Promise<void>;
}

/**
 * The most recently used values, bounded by the sum of `sizeOf` over them (bytes, tokens…):
 * storing past `maxSize` drops the least recently used first; a value larger than `maxSize` is
 * not stored at all.
 */
export class SizedLru<Value> {
  // Map order is insertion order: re-inserting marks an entry most recently used.
  readonly #entries = new Map<string, Value>();
  #held = 0;

  /**
   * @param maxSize - the most size held at once.
   * @param sizeOf - one value's size, in the unit of `maxSize`.
   */
  constructor(
    readonly maxSize: number,
    private readonly sizeOf: (value: Value) => number,
  ) {}

  /** The size of everything held now. */
  get heldSize(): number {
    return this.#held;
  }

  /** The value (now the most recently used), or undefined. */
  get(id: string): Value | undefined {
    const found = this.#entries.get(id);
    if (found === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, found);
    return found;
  }

  set(id: string, value: Value): void {
    const size = this.sizeOf(value);
    if (size > this.maxSize) return;
    this.delete(id);
    this.#entries.set(id, value);
    this.#held += size;
    for (const oldest of this.#entries.keys()) {
      if (this.#held <= this.maxSize) break;
      this.delete(oldest);
    }
  }

  delete(id: string): void {
    const found = this.#entries.get(id);
    if (found === undefined) return;
    this.#entries.delete(id);
    this.#held -= this.sizeOf(found);
  }

  clear(): void {
    this.#entries.clear();
    this.#held = 0;
  }
}

/** Records kept in this process' memory, least recently used dropped first past `maxSize`. */
export class MemoryRecords<Key, Value> implements RecordStorage<Key, Value> {
  readonly #lru: SizedLru<Value>;

  /**
   * @param idOf - the key as one string (equal keys, equal strings).
   * @param maxSize - the most size held, in the unit of `sizeOf` (e.g. bytes).
   */
  constructor(
    private readonly idOf: (key: Key) => string,
    maxSize: number,
    sizeOf: (value: Value) => number,
  ) {
    this.#lru = new SizedLru(maxSize, sizeOf);
  }

  async get(key: Key): Promise<Value | null> {
    return this.#lru.get(this.idOf(key)) ?? null;
  }

  async put(key: Key, value: Value): Promise<void> {
    this.#lru.set(this.idOf(key), value);
  }
}

/** A record found in storage (`built: false`) or built now (`built: true`). */
export interface CachedRecord<Value> {
  readonly value: Value;
  readonly built: boolean;
}

/**
 * Records looked up in a storage and built on a miss. Requests for a key whose build is already
 * running in this process wait for that build instead of starting another.
 */
export class RecordCache<Key, Value> {
  readonly #building = new Map<string, Promise<Value>>();

  /** @param idOf - the key as one string (equal keys, equal strings). */
  constructor(
    private readonly storage: RecordStorage<Key, Value>,
    private readonly idOf: (key: Key) => string,
  ) {}

  /** The stored record only: null when there is none. */
  read(key: Key): Promise<Value | null> {
    return this.storage.get(key);
  }

  /** The stored record, or the one `build` returns, stored before it is handed out. */
  async getOrBuild(key: Key, build: () => Promise<Value>): Promise<CachedRecord<Value>> {
    const stored = await this.storage.get(key);
    if (stored !== null) return { value: stored, built: false };
    const id = this.idOf(key);
    let building = this.#building.get(id);
    if (building === undefined) {
      building = build().then(async (value) => {
        await this.storage.put(key, value);
        return value;
      });
      this.#building.set(id, building);
      const forget = () => this.#building.delete(id);
      building.then(forget, forget);
    }
    return { value: await building, built: true };
  }
}
