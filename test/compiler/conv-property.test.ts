// Random convolutions and pools against the float64 interpreter, on both backends: image
// size, channels, kernel, stride, padding, filters, activation, bias, the JS kernel forms,
// and an optional pool after. The hand-picked odd shapes of conv-ops.test.ts are a few points
// of this space; here fast-check walks it (seeded, so a failure reproduces), which reaches
// the wasm kernels' corners: zero frames with a stride, runs shorter than a vector, channel
// counts that leave a partial vector, one filter, one-pixel outputs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../compiler/backend.ts";
import { interpret, lossOf } from "../../compiler/interpret.ts";
import { axis, windowMisfit, type Window } from "../../compiler/ops/conv/geometry.ts";
import { compileCase, stepCase } from "../helpers/case-module.ts";
import { rng } from "../helpers/gradcheck.ts";
import { BATCH, feedsOf, graphCase, type MathCase } from "../helpers/math-graphs.ts";

/**
 * max |a − b| over max |b|: the error in units of the tensor's scale. float32 sums of up to
 * ~1,000 products (and tanh's float32 approximation) stay below it: measured over 100 cases
 * per backend, at most 4.0e-5 (a gradient with much cancellation); one element computed
 * wrong is off by far more. The runs are seeded, so the cases are the same every time.
 */
function scaled(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) [d, m] = [Math.max(d, Math.abs(a[i]! - b[i]!)), Math.max(m, Math.abs(b[i]!))];
  return d / Math.max(m, 1e-6);
}
const BOUND = 1e-4;

interface Shape {
  readonly h: number; readonly w: number; readonly c: number; readonly f: number;
  readonly conv: Window; readonly activation: "relu" | "tanh" | null; readonly bias: boolean;
  readonly forms: "direct" | "im2col";
  readonly pool: { readonly op: "max_pool" | "avg_pool"; readonly window: Window } | null;
}

const windowArb = (maxK: number) => fc.record({
  kh: fc.integer({ min: 1, max: maxK }), kw: fc.integer({ min: 1, max: maxK }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
  padding: fc.constantFrom("valid" as const, "same" as const),
});

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  h: fc.integer({ min: 3, max: 9 }), w: fc.integer({ min: 3, max: 9 }), c: fc.integer({ min: 1, max: 6 }), f: fc.integer({ min: 1, max: 10 }),
  conv: windowArb(4), activation: fc.constantFrom("relu" as const, "tanh" as const, null), bias: fc.boolean(),
  forms: fc.constantFrom("direct" as const, "im2col" as const),
  pool: fc.option(fc.record({ op: fc.constantFrom("max_pool" as const, "avg_pool" as const), window: windowArb(3) }), { nil: null }),
}).filter((s) => {
  if (windowMisfit("kernel", [s.h, s.w, s.c], s.conv) !== null) return false;
  const out = [axis(s.h, s.conv.kh, s.conv.sh, s.conv.padding).out, axis(s.w, s.conv.kw, s.conv.sw, s.conv.padding).out];
  return !s.pool || windowMisfit("pool", [...out, s.f], s.pool.window) === null;
});

/** x + P (so the first op's input gradient is computed too), conv2d, then the pool if any. */
function caseOf(s: Shape): MathCase {
  return graphCase(`conv ${JSON.stringify(s)}`, (b) => {
    const x = b.op("add", [b.input("x", [s.h, s.w, s.c], true), b.param("P", [BATCH, s.h, s.w, s.c])]);
    const ins = [x, b.param("W", [s.conv.kh, s.conv.kw, s.c, s.f]), ...(s.bias ? [b.param("bias", [s.f])] : [])];
    const forms = { forward: s.forms, input_grad: s.forms, weight_grad: s.forms };
    const y = b.op("conv2d", ins, { ...s.conv, activation: s.activation, activationAttrs: {}, forms }, "y");
    return s.pool ? b.op(s.pool.op, [y], { ...s.pool.window }, "p") : y;
  });
}

describe.each(BACKENDS)("random convolutions and pools, %s backend", (backend) => {
  it("match the float64 interpreter (outputs, loss, every gradient)", async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, async (s) => {
        const c = caseOf(s);
        const compiled = await compileCase(c, `convprop_${backend}`, backend);
        const feeds = feedsOf(c, rng(11));
        const { model, loss } = stepCase(compiled, feeds);
        const { graph, buffers } = compiled;
        const env = interpret(graph, feeds);
        const out = env[graph.outputs[0]!.value]!.data;
        expect(scaled(model.output.subarray(0, out.length), out)).toBeLessThan(BOUND);
        expect(scaled([loss], [lossOf(graph, feeds)])).toBeLessThan(BOUND);
        graph.params.forEach((p, k) => {
          const { offset, size } = buffers.slots[p.value]!;
          expect(scaled(model.grads.subarray(offset, offset + size), env[graph.grads[k]!]!.data), graph.values[p.value]!.name).toBeLessThan(BOUND);
        });
      }),
      { numRuns: 20, seed: backend === "js" ? 20261201 : 20261202 },
    );
  }, 120_000);
});
