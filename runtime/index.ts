// The runtime's public API: train a compiled module, predict with it, load data, checkpoint.

export type { CompiledModule, Model, ParamLayout, TrainingConfig } from "./module.ts";
export { Rng, mixSeed } from "./rng.ts";
export * from "./data/index.ts";
export {
  CheckpointError, CHECKPOINT_VERSION, crc32, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint,
  type Checkpoint, type DataMeta, type ExpectedModel,
} from "./checkpoint.ts";
export { lrAt, warmUp } from "./schedule.ts";
export {
  adamStep, clipScale, optimizerOf, optimizers, STEP, stepRecord,
  type Hyper, type Hypers, type HyperValues, type OptimizerConfig, type OptimizerDef, type OptimizerName, type Range,
} from "./optimizers/index.ts";
export { argmaxAt, countCorrect } from "./metrics.ts";
export { DivergenceError, Trainer, type EpochMetrics } from "./trainer.ts";
export { PROGRESS_MS, resolveConfig, train, trainSync, type StepProgress, type StopReason, type TrainOptions, type TrainResult } from "./train.ts";
export { predict, type Prediction } from "./predict.ts";
export { epochOrder, loadBatch, shuffleStream, type BatchSource } from "./batches.ts";
export { confusion, confusionText, type Confusion } from "./confusion.ts";
