// Learning-rate schedules, evaluated once per epoch (0-based), like Keras'
// LearningRateScheduler: constant, step decay, or cosine annealing to a floor; and a linear
// warmup over the first steps, which multiplies whichever schedule is in force.

import type { TrainingConfig } from "./module.ts";
import { STEP } from "./optimizers/optimizer.ts";

export function lrAt(schedule: TrainingConfig["schedule"], baseLr: number, epoch: number): number {
  switch (schedule.kind) {
    case "constant":
      return baseLr;
    case "step":
      return baseLr * Math.pow(schedule.factor, Math.floor(epoch / schedule.every));
    case "cosine": {
      // Reaches min_lr at epoch `schedule.epochs` and stays there.
      const t = Math.min(epoch, schedule.epochs) / schedule.epochs;
      return schedule.min_lr + (baseLr - schedule.min_lr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
  }
}

/**
 * Sets the lr of step `at[STEP.t]` (1-based): the schedule's `lr`, scaled by a linear warmup
 * of `warmup` steps. Step k < warmup trains with lr·(k/warmup), so the first step already moves
 * (lr/warmup; a warmup that starts at 0, as some libraries do, wastes it) and step `warmup` on
 * use the full lr. The schedule is not delayed: warmup only scales it. (Written into the step
 * record rather than returned: see STEP.)
 */
export function warmUp(at: Float64Array, lr: number, warmup: number): void {
  // Branch-free (warmup 0: step/0 = Infinity → 1): a conditional whose one side is the lr as
  // passed in makes V8 box the other side, an allocation per step.
  at[STEP.lr] = lr * Math.min(1, at[STEP.t] / warmup);
}
