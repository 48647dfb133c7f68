// A small LRU for lists that are expensive to build and served page by page (a delta round's
// merged changes, a big group's transitive members). Keys encode everything the list depends
// on, so a miss just rebuilds.
export interface SnapshotCache<T> {
  get(key: string, build: () => T): T;
}

export function createSnapshotCache<T>(maxEntries: number): SnapshotCache<T> {
  const entries = new Map<string, T>();
  return {
    get(key, build) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const value = build();
      entries.set(key, value);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
      return value;
    },
  };
}
