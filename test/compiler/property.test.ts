// Property test: random valid specs (depth 1-6, widths 1-64, any mix of activations,
// losses, regularizers, maxout and bias) compile, type-check under strict, and pass the
// gradient check (sampled: at most 12 elements per tensor, to keep the suite fast).
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../compiler/backend.ts";
import { activations, losses } from "../../compiler/ops/registry.ts";
import type { LayerSpec, Spec } from "../../compiler/spec/types.ts";
import { dir, gradCheck } from "../helpers/gradcheck.ts";
import { layer, makeSpec } from "../helpers/specs.ts";

const layerArb = (last: boolean, minUnits: number): fc.Arbitrary<LayerSpec> =>
  fc
    .record({
      units: fc.integer({ min: minUnits, max: last ? 8 : 64 }),
      activation: fc.constantFrom(...Object.keys(activations)),
      maxout: last ? fc.constant(0) : fc.constantFrom(0, 0, 0, 2, 3),
      bias: fc.boolean(),
      regularize: fc.constantFrom(0, 0.5, 1),
    })
    .map(({ units, activation, maxout, bias, regularize }) =>
      maxout
        ? { ...layer(units), kind: "maxout" as const, pieces: maxout, bias, regularize }
        : layer(units, activation, { bias, regularize }),
    );

const specArb: fc.Arbitrary<Spec> = fc
  .record({
    loss: fc.constantFrom(...Object.keys(losses)),
    hidden: fc.integer({ min: 0, max: 5 }),
    input: fc.integer({ min: 1, max: 16 }),
    batch: fc.integer({ min: 1, max: 4 }),
    l1: fc.constantFrom(0, 0, 0.01),
    l2: fc.constantFrom(0, 0, 0.1),
  })
  .chain(({ loss, hidden, input, batch, l1, l2 }) => {
    const minOut = losses[loss as keyof typeof losses].minOutputs;
    return fc
      .tuple(fc.array(layerArb(false, 1), { minLength: hidden, maxLength: hidden }), layerArb(true, minOut))
      .map(([layers, last]) =>
        makeSpec({
          name: "prop",
          input,
          layers: [...layers, last],
          loss: { op: loss, attrs: loss === "hinge" ? { margin: 1 } : loss === "squared_error" ? { reduction: "mean" } : {} },
          regularizer: { l1, l2 },
          train: { batch, epochs: 1, shuffle: true, stop_below: null, early_stopping: null },
        }),
      );
  });

// The wasm backend gets fewer runs (same generator, another seed): its kernels are the same
// few loop shapes at every size, so 25 random specs cover them for a third of the time.
const runs = { js: { numRuns: 60, seed: 20261122 }, wasm: { numRuns: 25, seed: 20261201 } };

describe.each(BACKENDS)("random specs, %s backend", (backend) => {
  it("compile, pass the gradient check and type-check", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.integer({ min: 1, max: 1000 }), async (spec, seed) => {
        const check = await gradCheck(spec, { seed, perTensor: 12, backend });
        expect(check.forward).toBeLessThan(1e-5);
        expect(check.reference).toBeLessThan(1e-4);
        expect(check.generated).toBeLessThan(1e-3);
      }),
      runs[backend],
    );
    const suffix = backend === "js" ? /^prop_\d+\.ts$/ : new RegExp(`^prop_\\d+\\.${backend}\\.ts$`);
    const files = readdirSync(dir).filter((f) => suffix.test(f)).map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    const tsc = join("node_modules", ".bin", "tsc");
    // Plain ES2022 with no DOM and no @types: the generated code needs nothing else.
    const flags = ["--ignoreConfig", "--noEmit", "--strict", "--target", "es2022", "--lib", "es2022", "--module", "esnext", "--types", ""];
    execFileSync(tsc, [...flags, ...files], { stdio: "pipe" });
  }, 120_000);
});
