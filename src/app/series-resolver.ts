import type { Observation, SeriesMetadata } from '../domain/observations/observation.ts';
import type { SeriesRepo, SeriesUpsert } from '../store/repos/series-repo.ts';

/**
 * Maps series keys to their numeric ids, creating unknown series on first sight. A process-wide
 * cache keeps the bulk path free of lookups: a key costs a query only the first time it is seen,
 * or when an observation brings metadata that differs from what this process last applied.
 */
export class SeriesResolver {
  private readonly ids = new Map<string, number>();
  private readonly appliedMeta = new Map<string, string>();

  /**
   * `onMetadataApplied` hears the ids of series whose description may have changed, so whoever
   * caches descriptions (detection's rule selection) can forget them.
   */
  constructor(
    private readonly repo: Pick<SeriesRepo, 'ensure'>,
    private readonly onMetadataApplied: (ids: readonly number[]) => void = () => {},
  ) {}

  /** Answers the id of each observation's series, in order, as an Int32Array. */
  async resolve(observations: readonly Observation[]): Promise<Int32Array> {
    const todo = new Map<string, SeriesUpsert>();
    for (const o of observations) {
      const known = this.ids.has(o.series);
      if (!o.meta) {
        if (!known && !todo.has(o.series)) todo.set(o.series, { key: o.series });
        continue;
      }
      const signature = metaSignature(o.meta);
      if (known && this.appliedMeta.get(o.series) === signature) continue;
      const pending = todo.get(o.series);
      todo.set(o.series, { key: o.series, meta: pending?.meta ? { ...pending.meta, ...o.meta } : o.meta });
    }
    if (todo.size > 0) {
      const items = [...todo.values()];
      const resolved = await this.repo.ensure(items);
      const changed: number[] = [];
      for (const item of items) {
        const id = resolved.get(item.key);
        if (id === undefined) throw new Error(`series ${item.key} was not created`);
        this.ids.set(item.key, id);
        if (item.meta) {
          this.appliedMeta.set(item.key, metaSignature(item.meta));
          changed.push(id);
        }
      }
      if (changed.length > 0) this.onMetadataApplied(changed);
    }
    const out = new Int32Array(observations.length);
    for (let i = 0; i < observations.length; i++) out[i] = this.ids.get(observations[i]!.series)!;
    return out;
  }

  /** Forgets everything (after a restore, or in tests). */
  clear(): void {
    this.ids.clear();
    this.appliedMeta.clear();
  }
}

function metaSignature(meta: SeriesMetadata): string {
  return JSON.stringify(meta);
}
