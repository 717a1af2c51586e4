import { readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSpec, formatDiagnostic, loadSpec, specJsonSchema, type Spec } from "../../compiler/spec/index.ts";

const iris = readFileSync("specs/iris.yaml", "utf8");

function valid(text: string): Spec {
  const r = checkSpec(text, "t.yaml");
  if (!r.ok) throw new Error(r.diagnostics.map((d) => formatDiagnostic(d, text)).join("\n"));
  return r.spec;
}

/** A small valid spec to vary: everything optional is left out. */
const minimal = (extra = "", layers = "  - dense: 3\n", data = "data: { builtin: iris }\n") =>
  `netspec: 1\nname: m\ninput: 4\nlayers:\n${layers}loss: softmax_cross_entropy\noptimizer: { sgd: { lr: 0.1 } }\ntrain: { batch: 10, epochs: 5 }\n${data}${extra}`;

describe("specs/iris.yaml", () => {
  it("validates and normalizes with every default filled", () => {
    const r = checkSpec(iris, "specs/iris.yaml");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.hash).toBe(createHash("sha256").update(iris).digest("hex"));
    const s = r.spec;
    expect(s.name).toBe("iris");
    expect(s.layers.map((l) => [l.kind, l.units, l.pieces, l.activation.op])).toEqual([
      ["dense", 6, 1, "relu"],
      ["dense", 3, 1, "identity"],
    ]);
    expect(s.layers[0]).toMatchObject({ bias: true, regularize: 1, regularizeBias: 0 });
    expect(s.layers[0]!.init).toEqual({ weights: { kind: "normal", mean: 0, std: 0.01 }, biases: { kind: "zeros" } });
    expect(s.loss).toEqual({ op: "softmax_cross_entropy", attrs: {} });
    expect(s.regularizer).toEqual({ l1: 0, l2: 0.001, biases: false });
    expect(s.seed).toBe(1);
    expect(s.optimizer).toEqual({ rule: { kind: "sgd", momentum: 0, nesterov: false }, lr: 0.03, schedule: { kind: "constant" }, warmup: 0, clip_norm: null });
    expect(s.train).toEqual({ batch: 75, epochs: 3000, shuffle: true, stop_below: 0.01, early_stopping: null });
    expect(s.data).toEqual({ kind: "builtin", builtin: "iris", test_split: 0.5, stratified: true, standardize: false, limit: null });
  });

  it.each(readdirSync("specs").filter((f) => f.endsWith(".yaml")))("specs/%s validates", (f) => {
    const r = loadSpec(`specs/${f}`);
    expect(r.ok ? [] : r.diagnostics.map((d) => formatDiagnostic(d, r.source))).toEqual([]);
  });
});

describe("normalization", () => {
  it("fills Keras-like defaults", () => {
    const s = valid(minimal());
    expect(s.layers[0]!.init).toEqual({ weights: { kind: "glorot_uniform" }, biases: { kind: "zeros" } });
    expect(s.layers[0]!.activation).toEqual({ op: "identity", attrs: {} });
    expect(s.regularizer).toEqual({ l1: 0, l2: 0, biases: false });
    expect(s.seed).toBe(0);
    expect(s.data).toMatchObject({ test_split: 0.2, stratified: false, standardize: false, limit: null });
  });

  it("expands short and long op forms with registry defaults", () => {
    const s = valid(minimal("", "  - dense: 5\n    activation: leaky_relu\n  - dense: 5\n    activation: { elu: { alpha: 0.5 } }\n  - dense: 3\n").replace("loss: softmax_cross_entropy", "loss: hinge"));
    expect(s.layers.map((l) => l.activation)).toEqual([
      { op: "leaky_relu", attrs: { alpha: 0.01 } },
      { op: "elu", attrs: { alpha: 0.5 } },
      { op: "identity", attrs: {} },
    ]);
    expect(s.loss).toEqual({ op: "hinge", attrs: { margin: 1 } });
    const q = valid(minimal().replace("loss: softmax_cross_entropy", "loss: { squared_error: {} }"));
    expect(q.loss).toEqual({ op: "squared_error", attrs: { reduction: "mean" } });
  });

  it("maps maxout, per-layer init and regularization", () => {
    const layers = "  - maxout: 4\n    init: { weights: he_normal, biases: { uniform: { min: -1, max: 1 } } }\n    regularize: false\n  - dense: 3\n    bias: false\n    regularize: 2\n";
    const s = valid(minimal("regularizer: { l1: 0.1, l2: 0.2, biases: true }\ninit: { weights: normal }\n", layers));
    expect(s.layers[0]).toMatchObject({ kind: "maxout", units: 4, pieces: 2, regularize: 0, regularizeBias: 0 });
    expect(s.layers[0]!.init).toEqual({ weights: { kind: "he_normal" }, biases: { kind: "uniform", min: -1, max: 1 } });
    expect(s.layers[1]).toMatchObject({ kind: "dense", bias: false, regularize: 2, regularizeBias: 0 });
    expect(s.layers[1]!.init.weights).toEqual({ kind: "normal", mean: 0, std: 1 });
    expect(s.regularizer).toEqual({ l1: 0.1, l2: 0.2, biases: true });
    const b = valid(minimal("regularizer: { l2: 0.1, biases: true }\n", "  - dense: 3\n    regularize: 0.5\n"));
    expect(b.layers[0]).toMatchObject({ regularize: 0.5, regularizeBias: 0.5 });
  });

  it("leaves optimizer, train.epochs and data optional: sgd with lr 0.01, 10 epochs, no data", () => {
    const s = valid("netspec: 1\nname: m\ninput: 4\nlayers:\n  - dense: 3\nloss: softmax_cross_entropy\ntrain: { batch: 10 }\n");
    expect(s.optimizer).toEqual({ rule: { kind: "sgd", momentum: 0, nesterov: false }, lr: 0.01, schedule: { kind: "constant" }, warmup: 0, clip_norm: null });
    expect([s.train.epochs, s.data]).toEqual([10, null]);
  });

  it("fills each optimizer's defaults from the registry, in the short form too", () => {
    const opt = (o: string) => valid(minimal().replace("optimizer: { sgd: { lr: 0.1 } }", `optimizer: ${o}`)).optimizer;
    expect(opt("adam")).toEqual({ rule: { kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8 }, lr: 0.001, schedule: { kind: "constant" }, warmup: 0, clip_norm: null });
    expect(opt("adamw").rule).toEqual({ kind: "adamw", beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 });
    expect(opt("{ rmsprop: { lr: 0.01 } }").rule).toEqual({ kind: "rmsprop", rho: 0.9, eps: 1e-8, momentum: 0 });
    expect(opt("{ adagrad: { lr: 0.01 } }").rule).toEqual({ kind: "adagrad", eps: 1e-10, initial_accumulator: 0 });
    expect(opt("{ adam: { lr: 0.01, beta2: 0.99, warmup: 5, clip_norm: 1, schedule: cosine } }")).toEqual({
      rule: { kind: "adam", beta1: 0.9, beta2: 0.99, eps: 1e-8 }, lr: 0.01, schedule: { kind: "cosine", epochs: 5, min_lr: 0 }, warmup: 5, clip_norm: 1,
    });
  });

  it("fills schedule and training defaults from other fields", () => {
    const s = valid(minimal().replace("{ sgd: { lr: 0.1 } }", "{ sgd: { lr: 0.1, momentum: 0.9, nesterov: true, schedule: cosine } }"));
    expect(s.optimizer).toEqual({
      rule: { kind: "sgd", momentum: 0.9, nesterov: true }, lr: 0.1, schedule: { kind: "cosine", epochs: 5, min_lr: 0 }, warmup: 0, clip_norm: null,
    });
    const t = valid(minimal().replace("lr: 0.1 }", "lr: 0.1, schedule: { step: { every: 2, factor: 0.5 } } }"));
    expect(t.optimizer.schedule).toEqual({ kind: "step", every: 2, factor: 0.5 });
    const e = valid(minimal().replace("epochs: 5 }", "epochs: 5, shuffle: false, early_stopping: { patience: 3 } }"));
    expect(e.train).toEqual({ batch: 10, epochs: 5, shuffle: false, stop_below: null, early_stopping: { patience: 3, restore_best: true } });
  });

  it("normalizes csv and mnist data", () => {
    const c = valid(minimal("", "  - dense: 2\n", "data: { csv: d.csv, targets: [a, b], standardize: true }\n").replace("softmax_cross_entropy", "mse"));
    expect(c.data).toEqual({ kind: "csv", csv: "d.csv", label: null, targets: ["a", "b"], test_split: 0.2, stratified: false, standardize: true, limit: null });
    const m = valid(minimal("", "  - dense: 10\n", "data: { builtin: mnist, limit: 500 }\n").replace("input: 4", "input: 784"));
    expect(m.data).toMatchObject({ kind: "builtin", builtin: "mnist", limit: 500 });
  });
});

describe("diagnostics", () => {
  it("formats like a compiler, with the source line and a caret", () => {
    const text = iris.replace("activation: relu", "activation: rleu");
    const r = checkSpec(text, "specs/iris.yaml");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatDiagnostic(r.diagnostics[0]!, text)).toBe(
      "specs/iris.yaml:7:17: error: unknown activation 'rleu'; did you mean 'relu'?\n" +
        " 7 |     activation: rleu\n" +
        "   |                 ^",
    );
  });

  it("reports an unreadable file as a diagnostic", () => {
    const r = loadSpec("specs/does-not-exist.yaml");
    expect(r).toMatchObject({ ok: false, diagnostics: [{ file: "specs/does-not-exist.yaml", line: 1, col: 1, message: "cannot read spec: no such file" }] });
  });

  it("never throws, whatever the text", () => {
    const lines = iris.split("\n");
    const mutated = fc
      .tuple(fc.nat(lines.length - 1), fc.string({ maxLength: 12 }), fc.nat(40))
      .map(([i, s, at]) => lines.map((l, j) => (j === i ? l.slice(0, at) + s + l.slice(at) : l)).join("\n"));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (text) => {
        const r = checkSpec(text, "f.yaml");
        if (!r.ok) for (const d of r.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1), expect(d.col).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("JSON schema", () => {
  it("specs/netspec.schema.json is in sync with the zod schema", () => {
    expect(readFileSync("specs/netspec.schema.json", "utf8")).toBe(`${JSON.stringify(specJsonSchema(), null, 2)}\n`);
  });

  it("rejects unknown keys in every mapping, as the validator does", () => {
    const schema = specJsonSchema() as { properties: { layers: { items: { additionalProperties: unknown; properties: object } } } };
    expect(schema.properties.layers.items.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.layers.items.properties)).not.toContain("actvation");
    const objects: Record<string, unknown>[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === "object") {
        if ((n as Record<string, unknown>).type === "object") objects.push(n as Record<string, unknown>);
        Object.values(n).forEach(walk);
      }
    };
    walk(schema);
    expect(objects.length).toBeGreaterThan(10);
    // Mappings with fixed keys refuse others; the maps of user-chosen names (graph nodes,
    // inputs, params) have no fixed keys, only a schema for every value.
    for (const o of objects) {
      if (o.properties) expect(o.additionalProperties).toBe(false);
      else expect(o.additionalProperties).toMatchObject({});
    }
  });
});
