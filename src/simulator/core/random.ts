// Deterministic randomness for seeded data: same seed, same directory.
export type Random = () => number;

/** mulberry32: tiny, fast and good enough for made-up names and fault dice. */
export function createSeededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const uuidBuffer = Buffer.alloc(36);

/** A v4-shaped uuid from a seeded source, so seeded directories get stable object ids. Written
 * into a byte buffer: string concatenation would leave a 700-byte rope per id in memory. */
export function seededUuid(random: Random): string {
  let word = 0;
  let pos = 0;
  for (let i = 0; i < 32; i++) {
    if (i === 8 || i === 12 || i === 16 || i === 20) uuidBuffer[pos++] = 0x2d;
    if (i % 8 === 0) word = (random() * 4294967296) >>> 0;
    let nibble = word & 15;
    word >>>= 4;
    if (i === 12) nibble = 4;
    else if (i === 16) nibble = 8 | (nibble & 3);
    uuidBuffer[pos++] = HEX[nibble] as number;
  }
  return uuidBuffer.toString('latin1');
}

/** Template literals build ropes (a node per `+`) that, for a million stored users, cost about
 * 90 bytes more per string. Reading a character makes V8 flatten the rope in place, and the
 * garbage collector then drops the rope nodes. */
export function flatten(text: string): string {
  text.charCodeAt(0);
  return text;
}
