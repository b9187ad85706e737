/**
 * A seeded random sequence (mulberry32: small, fast, and the same numbers from the same seed), so
 * the demo is the same story every time it is made for the same day, and tests can rely on it.
 */
export type Random = ReturnType<typeof seededRandom>;

export function seededRandom(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pickWeighted = <T>(items: readonly T[], weight: (item: T) => number): T | undefined => {
    const total = items.reduce((sum, item) => sum + weight(item), 0);
    if (total <= 0) return undefined;
    let point = next() * total;
    for (const item of items) {
      point -= weight(item);
      if (point < 0 && weight(item) > 0) return item;
    }
    return items.findLast((item) => weight(item) > 0);
  };
  return {
    next,
    /** A whole number from min to max, both included. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const index = Math.floor(next() * items.length);
      if (index >= items.length) throw new Error('Nothing to pick from: the list is empty');
      // In range, checked above; T itself may include null, so the value cannot be the check.
      return items[index] as T;
    },
    pickWeighted,
    shuffle: <T>(items: readonly T[]) =>
      items
        .map((item) => ({ item, key: next() }))
        .sort((a, b) => a.key - b.key)
        .map((x) => x.item),
    /** A whole number whose average is `value`: 2.3 is 2 seven times in ten and 3 otherwise. */
    round: (value: number) => Math.floor(value) + (next() < value - Math.floor(value) ? 1 : 0),
  };
}
