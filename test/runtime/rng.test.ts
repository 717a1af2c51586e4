import { describe, expect, it } from "vitest";
import { Rng, mixSeed } from "../../runtime/rng.ts";

const take = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.next());

describe("Rng", () => {
  it("is deterministic per seed and differs across seeds", () => {
    expect(take(new Rng(1), 100)).toEqual(take(new Rng(1), 100));
    expect(take(new Rng(1), 10)).not.toEqual(take(new Rng(2), 10));
    expect(take(new Rng(0), 10)).not.toEqual(take(new Rng(mixSeed(0, 1)), 10));
  });

  it("next() stays in [0, 1) with a plausible mean", () => {
    const xs = take(new Rng(7), 20000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });

  it("state() / restore() continue the exact sequence", () => {
    const a = new Rng(123);
    take(a, 17);
    const saved = JSON.parse(JSON.stringify(a.state())) as number[];
    const expected = take(a, 50);
    const b = new Rng(999);
    b.restore(saved);
    expect(take(b, 50)).toEqual(expected);
    expect(() => b.restore([1, 2, 3])).toThrow(/bad RNG state/);
  });

  it("int(n) covers 0..n-1 only", () => {
    const r = new Rng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("normal() has mean ≈ 0 and std ≈ 1", () => {
    const r = new Rng(11);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });

  it("shuffle() is a seeded permutation", () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    const b = a.slice();
    new Rng(3).shuffle(a);
    new Rng(3).shuffle(b);
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
