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

  function load(i: number): void {
    input.set(x.subarray(i * B * inSize, (i + 1) * B * inSize));
    if (classes && labels) model.target.set(labels.subarray(i * B, (i + 1) * B));
    else model.target.set(y.subarray(i * B * o, (i + 1) * B * o));
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
      model.loss();
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
