// netspec: the generated module for the spec, stepped exactly as the runtime's Trainer steps
// it (copy the batch in, forward, loss, backward, sgdStep), minus the per-step accuracy count
// and the divergence check, which tfjs's minimize loop does not do either.

import { sgdStep } from "../../runtime/index.ts";
import type { Workload } from "../workloads.ts";
import type { Engine } from "./engine.ts";

export function createNetspecEngine(w: Workload): Engine {
  const model = w.mod.createModel();
  const velocity = new Float32Array(w.mod.PARAM_COUNT);
  const { lr, momentum, nesterov } = w.optimizer;
  const B = w.batch, inSize = w.inputSize, o = w.outputSize;
  const input = model.input, x = w.x;
  // The module declares which target buffer it has; pick the matching copy once.
  const classes = w.mod.TARGET === "class";
  const labels = w.labels, y = w.y;
  if (classes && !labels) throw new Error(`${w.name}: class targets but no labels`);

  // Plain copy loops, as the Trainer does: subarray() would allocate a view every step.
  const target = model.target;
  function load(i: number): void {
    for (let k = 0, s = i * B * inSize; k < B * inSize; k++) input[k] = x[s + k]!;
    if (classes && labels) for (let k = 0, s = i * B; k < B; k++) target[k] = labels[s + k]!;
    else for (let k = 0, s = i * B * o; k < B * o; k++) target[k] = y[s + k]!;
  }

  const reset = (): void => {
    model.params.set(w.init);
    velocity.fill(0);
  };
  reset();

  return {
    step(i) {
      load(i);
      model.forward();
      model.lossTerms(); // loss() would return a boxed double: the Trainer reads lossParts too
      model.backward();
      sgdStep(model.params, model.grads, velocity, lr, momentum, nesterov);
    },
    lossOn(i) {
      load(i);
      model.forward();
      return model.loss();
    },
    predict(rowsX, rows) {
      // infer(r) runs the first r ≤ BATCH rows; go through the rows a batch at a time.
      const out = new Float32Array(rows * o);
      for (let start = 0; start < rows; start += B) {
        const r = Math.min(B, rows - start);
        input.set(rowsX.subarray(start * inSize, (start + r) * inSize));
        model.infer(r);
        out.set(model.output.subarray(0, r * o), start * o);
      }
      return out;
    },
    params: () => model.params.slice(),
    reset,
  };
}
