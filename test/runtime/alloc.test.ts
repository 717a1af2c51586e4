import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

// In a child process with --expose-gc: vitest's own worker allocates, which would blur
// both the GC observer and the heap numbers.
it("allocates nothing per step in steady state (no GC, flat heap)", () => {
  const script = join(import.meta.dirname, "fixtures/alloc-check.ts");
  // --no-concurrent-recompilation: optimized code is installed as soon as a function is hot,
  // not whenever a background thread gets CPU time (CI runs test files in parallel).
  const out = execFileSync(process.execPath, ["--expose-gc", "--no-concurrent-recompilation", "--import", "tsx", script], {
    encoding: "utf8", cwd: join(import.meta.dirname, "../.."), timeout: 60_000,
  });
  const results = JSON.parse(out) as Record<string, { gcEvents: number; heapGrowth: number; steps: number }>;
  // 3 losses, 5 optimizers, 2 generated JS modules and 2 wasm modules, the CNN on both backends, one compiled with batch norm and dropout.
  expect(Object.keys(results)).toHaveLength(15);
  expect(Object.keys(results)).toEqual(expect.arrayContaining(["optimizer adam", "optimizer adamw", "optimizer rmsprop", "optimizer adagrad", "compiled batch_norm + dropout"]));
  expect(results["generated/mnist_cnn"]!.steps).toBeGreaterThan(0);
  expect(results["generated/mnist_cnn.wasm"]!.steps).toBeGreaterThan(0);
  for (const [loss, r] of Object.entries(results)) {
    expect({ loss, gc: r.gcEvents }).toEqual({ loss, gc: 0 });
    // One boxed double per step would be 16 B × 8000 = 128 KB; allow observer noise only.
    expect(r.heapGrowth, loss).toBeLessThan(32 * 1024);
  }
}, 60_000);
