// A small seeded PRNG for the runtime (shuffling, splits). sfc32: 128 bits of state, fast,
// passes PractRand/BigCrush, and its state fits in four int32s, so a checkpoint can store it
// and a resumed run continues the exact same sequence.
//
// The state lives in an Int32Array, not object fields: with pointer compression V8 boxes
// 32-bit integers that do not fit a Smi, so field stores could allocate inside the step loop.

const TWO_POW_32 = 4294967296;

/** Mixes a seed and a stream number into one 32-bit value (splitmix32 finaliser). */
export function mixSeed(seed: number, stream = 0): number {
  let h = (Math.floor(seed) ^ Math.floor(seed / TWO_POW_32) ^ Math.imul(stream, 0x9e3779b9)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}

export class Rng {
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    // splitmix32 spreads a small seed (0, 1, 2…) over all four words; sfc32's own
    // recommendation is then to discard a few outputs.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = z ^ (z >>> 16);
    }
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const a = s[0], b = s[1], c = s[2], d = s[3];
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). The bias of floor(u·n) is below 2^-32·n: fine for shuffles. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). No cached second value, so the state stays four words. */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1]: log never sees 0
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher-Yates, in place; allocation-free. */
  shuffle(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** The state as plain numbers, for a checkpoint's JSON header. */
  state(): number[] {
    return Array.from(this.s);
  }

  restore(state: readonly number[]): void {
    if (state.length !== 4 || !state.every((v) => Number.isInteger(v))) {
      throw new Error(`bad RNG state: expected 4 integers, got ${JSON.stringify(state)}`);
    }
    for (let i = 0; i < 4; i++) this.s[i] = state[i] | 0;
  }
}
