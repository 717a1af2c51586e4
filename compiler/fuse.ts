// fuse: TrainGraph → TrainGraph. Folds element-wise work into the epilogue of the matrix
// product that feeds it, so it costs no extra pass over memory (README, Performance):
//   forward   h  = act(x·W + b)              one kernel instead of three
//   backward  dz = (dy·Wᵀ) ⊙ act′(h)          the previous layer's derivative, fused
//             dW = xᵀ·dz + λ·W (+ λ₁·sign W)  the penalty's gradient, fused
// Any op with a `scalar` rule can be folded; the fused node keeps the last output's value id,
// so gradients, plan and emit see the same graph, only with fewer nodes.

import { lossTerms, type Node, type TrainGraph } from "./ir/types.ts";
import { opDef } from "./ops/registry.ts";
import type { EpilogueStep, Operand } from "./ops/core/gemm.ts";

const PRODUCTS = new Set(["matmul", "matmul_nt", "matmul_tn"]);

export function fuse(graph: TrainGraph): TrainGraph {
  const nodes = [...graph.nodes];
  const producer = new Map<number, number>();
  const users = new Map<number, number[]>();
  const index = () => {
    producer.clear();
    users.clear();
    nodes.forEach((n, k) => {
      producer.set(n.output, k);
      n.inputs.forEach((i) => users.set(i, [...(users.get(i) ?? []), k]));
    });
  };
  index();
  const pinned = new Set([...graph.outputs.map((p) => p.value), ...lossTerms(graph), ...graph.state.map((s) => s.value), ...graph.inputGrads]);
  const removed = new Set<number>();

  for (let k = 0; k < nodes.length; k++) {
    const base = nodes[k]!;
    if (!PRODUCTS.has(base.op)) continue;
    let inputs = [...base.inputs];
    const steps: EpilogueStep[] = [];
    let out = base.output;
    // Absorb the single consumer while it is element-wise and nobody else needs `out`.
    for (;;) {
      const use = users.get(out) ?? [];
      if (use.length !== 1 || pinned.has(out)) break;
      const next = nodes[use[0]!]!;
      if (!opDef(next.op).scalar || next.inputs.filter((i) => i === out).length !== 1) break;
      // Tentative: the inputs and removals of this step only count if every operand fits.
      const trial = { inputs: [...inputs], removed: new Set<number>() };
      const operands = next.inputs.map((i) => (i === out ? ({ acc: true } as const) : operand(i, trial)));
      if (operands.includes(null)) break;
      steps.push({ op: next.op, attrs: next.attrs, operands: operands as Operand[] });
      inputs = trial.inputs;
      for (const r of [use[0]!, ...trial.removed]) removed.add(r);
      out = next.output;
    }
    if (steps.length === 0) continue;
    nodes[k] = { ...base, op: "gemm", inputs, output: out, attrs: { base: base.op, steps } } satisfies Node;

    // An operand is an element-wise node used only here, inlined (e.g. λ·W from l2_grad), or
    // a value computed before this product (a leaf or an earlier node).
    function operand(id: number, trial: { inputs: number[]; removed: Set<number> }): Operand | null {
      // The kernel reads an operand at the output's element or at its column: anything else
      // (a broadcast scalar, a per-row value) stays a node of its own.
      const v = graph.values[id]!;
      const product = graph.values[base.output]!;
      const fits = v.shape.join() === product.shape.join() || (v.shape.length === 1 && !v.batched && v.shape[0] === product.shape[1]);
      if (!fits) return null;
      const p = producer.get(id);
      const node = p === undefined ? undefined : nodes[p]!;
      if (node && !removed.has(p!) && opDef(node.op).scalar && (users.get(id) ?? []).length === 1 && !pinned.has(id)) {
        const inner = node.inputs.map((i) => operand(i, trial));
        if (!inner.includes(null)) {
          trial.removed.add(p!);
          return { inline: { op: node.op, attrs: node.attrs, operands: inner as Operand[] } };
        }
      }
      if (p !== undefined && p >= k) return null;
      const at = trial.inputs.indexOf(id);
      if (at >= 0) return { input: at };
      trial.inputs.push(id);
      return { input: trial.inputs.length - 1 };
    }
  }
  return { ...graph, nodes: nodes.filter((_, k) => !removed.has(k)) };
}
