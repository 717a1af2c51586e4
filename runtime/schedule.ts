// Learning-rate schedules, evaluated once per epoch (0-based), like Keras'
// LearningRateScheduler: constant, step decay, or cosine annealing to a floor.

import type { TrainingConfig } from "./module.ts";

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
