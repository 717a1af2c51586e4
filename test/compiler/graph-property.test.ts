// Property test of the graph form: random DAGs over the op set (element-wise arithmetic with
// scalar broadcasting, activations, exp/log, reductions, indexing), written as YAML specs,
// go through the whole front end, compile, match the float64 interpreter, pass the
// finite-difference gradient check for parameters and inputs, and type-check.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../compiler/backend.ts";
import { activations } from "../../compiler/ops/registry.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import { dir, gradCheck } from "../helpers/gradcheck.ts";

interface Term {
  readonly text: string;
  /** 0: a scalar; n: a vector of n. */
  readonly size: number;
}

/** One new node from the values so far: each choice keeps values finite and away from poles. */
const nodeArb = (values: readonly Term[]): fc.Arbitrary<Term> => {
  const pick = fc.constantFrom(...values);
  const vectors = values.filter((v) => v.size > 0);
  const fits = (a: Term, b: Term) => a.size === b.size || a.size === 0 || b.size === 0;
  // Reductions and indexing need a vector: offered only when there is one.
  const ofVectors = vectors.length
    ? [
        fc.tuple(fc.constantFrom(...vectors), fc.constantFrom("sum", "mean", "max")).map(([a, f]) => ({ text: `${f}(${a.text})`, size: 0 })),
        fc.tuple(fc.constantFrom(...vectors), fc.nat()).map(([a, i]) => ({ text: `${a.text}[${i % a.size}]`, size: 0 })),
      ]
    : [];
  return fc.oneof(
    fc.tuple(pick, pick, fc.constantFrom("+", "-", "*")).filter(([a, b]) => fits(a, b)).map(([a, b, op]) => ({ text: `${a.text} ${op} ${b.text}`, size: Math.max(a.size, b.size) })),
    // Division by something ≥ 1 in magnitude.
    fc.tuple(pick, pick).filter(([a, b]) => fits(a, b)).map(([a, b]) => ({ text: `${a.text} / (${b.text} * ${b.text} + 1)`, size: Math.max(a.size, b.size) })),
    fc.tuple(pick, fc.constantFrom(...Object.keys(activations))).map(([a, f]) => ({ text: `${f}(${a.text})`, size: a.size })),
    pick.map((a) => ({ text: `exp(tanh(${a.text}))`, size: a.size })),
    pick.map((a) => ({ text: `log(${a.text} * ${a.text} + 0.5)`, size: a.size })),
    pick.map((a) => ({ text: `-${a.text}`, size: a.size })),
    pick.map((a) => ({ text: `2.5 * ${a.text} - 1`, size: a.size })),
    ...ofVectors,
  );
};

const sizeArb = fc.constantFrom(0, 0, 1, 2, 3, 5);
const specArb = fc
  .record({ inputs: fc.array(sizeArb, { minLength: 1, maxLength: 3 }), params: fc.array(sizeArb, { maxLength: 2 }), nodes: fc.integer({ min: 1, max: 6 }) })
  .chain(({ inputs, params, nodes }) => {
    const leaves: Term[] = [...inputs.map((size, k) => ({ text: `x${k}`, size })), ...params.map((size, k) => ({ text: `w${k}`, size }))];
    // Nodes one at a time, each reading the leaves and the nodes before it.
    let arb: fc.Arbitrary<Term[]> = fc.constant([]);
    for (let k = 0; k < nodes; k++) arb = arb.chain((made) => nodeArb([...leaves, ...made.map((t, j) => ({ text: `n${j}`, size: t.size }))]).map((t) => [...made, t]));
    return arb.map((made) => {
      const last = { text: `n${made.length - 1}`, size: made.at(-1)!.size };
      const shape = (size: number) => (size === 0 ? "[]" : `[${size}]`);
      return [
        "netspec: 1",
        "name: dag",
        `inputs: { ${inputs.map((s, k) => `x${k}: ${shape(s)}`).join(", ")} }`,
        ...(params.length ? [`params: { ${params.map((s, k) => `w${k}: ${shape(s)}`).join(", ")} }`] : []),
        "graph:",
        ...made.map((t, j) => `  n${j}: "${t.text}"`),
        `  out: "${last.size === 0 ? last.text : `sum(${last.text})`}"`,
        "output: out",
        "",
      ].join("\n");
    });
  });

// The wasm backend gets fewer runs: these graphs have no matrix product, so its module is the
// same JavaScript over views of WebAssembly memory (input gradients included).
const runs = { js: { numRuns: 60, seed: 20261124 }, wasm: { numRuns: 15, seed: 20261201 } };

describe.each(BACKENDS)("random graph specs, %s backend", (backend) => {
  it("compile, match the interpreter, pass the gradient check for params and inputs, and type-check", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.integer({ min: 1, max: 1000 }), async (text, seed) => {
        const r = checkSpec(text, "dag.yaml");
        if (!r.ok) throw new Error(`${text}\n${r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join("\n")}`);
        const check = await gradCheck(r.spec, { seed, zeros: 0, backend });
        expect(check.forward).toBeLessThan(1e-5);
        expect(check.reference).toBeLessThan(1e-5);
        expect(check.generated).toBeLessThan(1e-3);
        expect(check.inputs).toBeLessThan(1e-3);
      }),
      runs[backend],
    );
    const suffix = backend === "js" ? /^dag_\d+\.ts$/ : new RegExp(`^dag_\\d+\\.${backend}\\.ts$`);
    const files = readdirSync(dir).filter((f) => suffix.test(f)).map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    const tsc = join("node_modules", ".bin", "tsc");
    const flags = ["--ignoreConfig", "--noEmit", "--strict", "--target", "es2022", "--lib", "es2022", "--module", "esnext", "--types", ""];
    execFileSync(tsc, [...flags, ...files], { stdio: "pipe" });
  }, 120_000);
});
