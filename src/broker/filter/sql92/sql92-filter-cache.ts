/**
 * Compiled SQL92 subscriptions per (consumer group, topic), recompiled only when the subscription's
 * subVersion or text changes, as RocketMQ's ConsumerFilterManager keeps one ConsumerFilterData per
 * topic and group. Bounded (least recently used goes first) so that clients cycling through
 * subscriptions cannot grow it; a failed compile is remembered too (SelectorParser caches failures)
 * so a client retrying a bad expression on every pull costs one parse per version, not one per pull.
 */
import { type CompiledExpression, compileSql92, type Sql92Limits } from './compile-sql92.js';
import { SqlFilterError } from './sql-filter-error.js';

export interface Sql92FilterCacheOptions {
  /** most (group, topic) entries kept (default 4096) */
  maxEntries?: number;
  limits?: Sql92Limits;
}

interface Entry {
  readonly subVersion: number;
  readonly expression: string;
  readonly compiled: CompiledExpression | undefined;
  readonly error: SqlFilterError | undefined;
}

export class Sql92FilterCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly limits: Sql92Limits;

  constructor(options: Sql92FilterCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 4096);
    this.limits = options.limits ?? {};
  }

  /**
   * The compiled expression of `group`'s subscription to `topic` at `subVersion`; compiles it on
   * first use or when the version or text changed. Throws SqlFilterError for a bad expression.
   */
  get(group: string, topic: string, subVersion: number, expression: string): CompiledExpression {
    const key = cacheKey(group, topic);
    let entry = this.entries.get(key);
    if (entry !== undefined && entry.subVersion === subVersion && entry.expression === expression) {
      // refresh its place in the LRU order
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = this.compile(subVersion, expression);
      this.entries.delete(key);
      this.entries.set(key, entry);
      while (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
      }
    }
    if (entry.error !== undefined) throw entry.error;
    return entry.compiled!;
  }

  /** Forgets one subscription (the consumer unsubscribed), or all of a group's when topic is omitted. */
  remove(group: string, topic?: string): void {
    if (topic !== undefined) {
      this.entries.delete(cacheKey(group, topic));
      return;
    }
    const prefix = `${group}\u0000`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private compile(subVersion: number, expression: string): Entry {
    try {
      return { subVersion, expression, compiled: compileSql92(expression, this.limits), error: undefined };
    } catch (e) {
      if (e instanceof SqlFilterError) return { subVersion, expression, compiled: undefined, error: e };
      throw e;
    }
  }
}

// NUL never appears in a group or topic name RocketMQ accepts, so the key is unambiguous.
function cacheKey(group: string, topic: string): string {
  return `${group}\u0000${topic}`;
}
