// netspec: the generated module for the spec, stepped exactly as the runtime's Trainer steps
// it (copy the batch in, forward, loss, backward, the sgd rule's step), minus the per-step accuracy count
// and the divergence check, which tfjs's minimize loop does not do either.

import { loadBatch, optimizers, predict, STEP, stepRecord } from "../../runtime/index.ts";
import type { Workload } from "../workloads.ts";
import type { Engine } from "./engine.ts";

export function createNetspecEngine(w: Workload): Engine {
  const model = w.mod.createModel();
  const velocity = new Float32Array(w.mod.PARAM_COUNT);
  const { lr, momentum, nesterov } = w.optimizer;
  const hypers = { momentum, nesterov }, slots1 = [velocity], at = stepRecord();
  at[STEP.lr] = lr;
  const B = w.batch;
  // The Trainer's own batch copy, from the same rows in the same order.
  const slots = new Int32Array(B);
  function load(i: number): void {
    for (let k = 0; k < B; k++) slots[k] = w.rows[i * B + k]!;
    loadBatch(w.mod, model, w.source, slots);
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
      optimizers.sgd.step(model.params, model.grads, slots1, hypers, at);
    },
    lossOn(i) {
      load(i);
      model.forward();
      return model.loss();
    },
    predict: (rowsX, rows) => predict(w.mod, model.params, rowsX, rows, model.state).scores,
    params: () => model.params.slice(),
    reset,
  };
}
