// a + b, element-wise with scalar broadcasting (math/broadcast.ts): sums gradient
// contributions where a value fans out, loss terms, skip connections, and `x + y` in graphs.
import { shapeSize } from "../../ir/types.ts";
import type { OpDef } from "../op.ts";
import { forEach } from "../loops.ts";
import { writeElementwiseWasm } from "../elementwise-wasm.ts";
import { at, broadcastShape, onnxBinary, unbroadcast } from "../math/broadcast.ts";

const addLanes: NonNullable<OpDef["wasm"]> = ([a, b]) => `(f32x4.add ${a!} ${b!})`;

export const add: OpDef = {
  name: "add",
  shape: broadcastShape("add"),
  eval: ([a, b], _attrs, out) => {
    const pick = (t: { shape: readonly number[]; data: Float64Array }, i: number) => t.data[t.shape.length === 0 ? 0 : i]!;
    return Float64Array.from({ length: shapeSize(out) }, (_, i) => pick(a!, i) + pick(b!, i));
  },
  emit: ({ w, ins: [a, b], out, ref, rows }) => {
    forEach(w, out.batched ? rows : null, out.shape, (i) => w.writeLine(`${ref(out)}[${i}] = ${at(ref(a!), a!, i)} + ${at(ref(b!), b!, i)};`));
  },
  wasm: addLanes,
  // Same-shape sums only (gradient fan-out, skip connections); a broadcast one stays JavaScript.
  wasmKernel: (args) => writeElementwiseWasm(args, addLanes),
  scalar: ([a, b]) => `${a} + ${b}`,
  // dy is null (exactly 1) when the sum is a loss term: it passes through as it is.
  unitGradient: "accepted",
  grad: (g, node, dy, needs) => node.inputs.map((input, k) => (dy === null || !needs[k] ? dy : unbroadcast(g, dy, input))),
  describe: (_n, [a, b], out) => `${out.name} = ${a!.name} + ${b!.name}`,
  flops: (_ins, out) => shapeSize(out.shape),
  onnx: onnxBinary("Add"),
};
