// plan: TrainGraph → BufferPlan. Every value gets a slot in a preallocated arena: parameters
// in one contiguous array and their gradients in another at the same offsets (so optimizers
// and checkpoints are generic), state buffers in one more (saved with the weights);
// temporaries whose lifetimes do not overlap share memory.

import type { Port, TrainGraph } from "./ir/types.ts";
import { lossTerms, shapeSize } from "./ir/types.ts";
import { opDef } from "./ops/registry.ts";

export type ArenaName = "params" | "grads" | "state" | "input" | "target" | "output" | "temp";

export interface Slot {
  readonly arena: ArenaName;
  readonly offset: number;
  readonly size: number;
}

export interface BufferPlan {
  /** Slot of every value, by value id. */
  readonly slots: readonly Slot[];
  /** Elements in each arena (4 bytes each). */
  readonly arenas: Readonly<Record<ArenaName, number>>;
  /** Node indices run by each generated function, in order. */
  readonly functions: { readonly forward: number[]; readonly loss: number[]; readonly backward: number[] };
  /** Whether inference runs different code from training's forward pass (dropout, batch norm). */
  readonly inferDiffers: boolean;
}

export function plan(graph: TrainGraph): BufferPlan {
  const slots: Slot[] = [];
  const arenas: Record<ArenaName, number> = { params: 0, grads: 0, state: 0, input: 0, target: 0, output: 0, temp: 0 };
  const size = (id: number) => shapeSize(graph.values[id]!.shape);
  const place = (id: number, arena: ArenaName, offset = arenas[arena]) => {
    slots[id] = { arena, offset, size: size(id) };
    arenas[arena] = Math.max(arenas[arena], offset + size(id));
  };
  const placeAll = (ports: readonly Port[], arena: ArenaName) => ports.forEach((p) => place(p.value, arena));

  graph.params.forEach((p, k) => {
    place(p.value, "params");
    place(graph.grads[k]!, "grads", slots[p.value]!.offset);
  });
  graph.state.forEach((s) => place(s.value, "state"));
  placeAll(graph.inputs, "input");
  placeAll(graph.targets, "target");
  placeAll(graph.outputs, "output");

  const functions = splitFunctions(graph);
  const order = [...functions.forward, ...functions.loss, ...functions.backward];
  const lastUse = new Map<number, number>();
  order.forEach((n, step) => graph.nodes[n]!.inputs.forEach((i) => lastUse.set(i, step)));
  // The loss function reports its terms after its last node, so they live to the end of it.
  const endOfLoss = functions.forward.length + functions.loss.length - 1;
  for (const id of lossTerms(graph)) lastUse.set(id, Math.max(lastUse.get(id) ?? 0, endOfLoss));
  // Input gradients are read after backward() returns: nothing may overwrite them.
  for (const id of graph.inputGrads) if (id >= 0) lastUse.set(id, order.length);

  // Linear scan over the step order: free what died before this step, then first-fit.
  let live: { id: number; offset: number; size: number; until: number }[] = [];
  order.forEach((n, step) => {
    const id = graph.nodes[n]!.output;
    if (slots[id]) return;
    live = live.filter((l) => l.until >= step).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const l of live) {
      if (l.offset - offset >= size(id)) break;
      offset = Math.max(offset, l.offset + l.size);
    }
    place(id, "temp", offset);
    live.push({ id, offset, size: size(id), until: lastUse.get(id) ?? step });
  });
  const inferDiffers = functions.forward.some((n) => opDef(graph.nodes[n]!.op).modal === true);
  return { slots, arenas, functions, inferDiffers };
}

/**
 * forward: what the network outputs need (also run by infer); loss: the rest of the forward
 * graph (data loss, penalties); backward: every gradient node.
 */
function splitFunctions(graph: TrainGraph): BufferPlan["functions"] {
  const producer = new Map(graph.nodes.map((n, k) => [n.output, k]));
  const needed = new Set<number>();
  const visit = (id: number) => {
    const k = producer.get(id);
    if (k === undefined || needed.has(k)) return;
    needed.add(k);
    graph.nodes[k]!.inputs.forEach(visit);
  };
  graph.outputs.forEach((p) => visit(p.value));
  const forward: number[] = [];
  const loss: number[] = [];
  const backward: number[] = [];
  graph.nodes.forEach((n, k) => (n.phase === "backward" ? backward : needed.has(k) ? forward : loss).push(k));
  return { forward, loss, backward };
}
