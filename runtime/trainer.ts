// The training state machine behind train(): owns the model, the optimizer's slots, the
// shuffle RNG and permutation, and runs one epoch at a time. Every buffer is allocated in
// the constructor, so a step (copy a batch, forward, loss, backward, clip, update) allocates nothing.

import type { Checkpoint, DataMeta } from "./checkpoint.ts";
import { CheckpointError } from "./checkpoint.ts";
import { DataError, vectorTargets, type Dataset } from "./data/index.ts";
import { countCorrect } from "./metrics.ts";
import type { CompiledModule, Model, TrainingConfig } from "./module.ts";
import type { Rng } from "./rng.ts";
import { epochOrder, loadBatch, shuffleStream, type BatchSource } from "./batches.ts";
import { clipScale, optimizerOf, STEP, stepRecord, type Hypers, type HyperValues, type OptimizerDef } from "./optimizers/index.ts";
import { own } from "./own.ts";
import { lrAt, warmUp } from "./schedule.ts";

export interface EpochMetrics {
  /** 1-based: the number of epochs completed. */
  readonly epoch: number;
  /** Mean over the epoch's batches of data loss + regularizer penalty. */
  readonly loss: number;
  readonly dataLoss: number;
  readonly regLoss: number;
  /** Measured on each batch's forward pass before its update (as Keras reports it). */
  readonly trainAccuracy: number | null;
  /** Exact mean over all test rows, plus the penalty (Keras' val_loss convention). */
  readonly testLoss: number | null;
  readonly testAccuracy: number | null;
  readonly lr: number;
}

/** The trainer's per-epoch sums: loss, data loss and penalty over batches; correct predictions of how many judged. */
const SUM = { loss: 0, dataLoss: 1, penalty: 2, correct: 3, judged: 4 } as const;

/** A NaN/Infinity loss or parameter; the caller decides how to exit. */
export class DivergenceError extends Error {
  constructor(readonly epoch: number, readonly step: number, what: string, lr: number) {
    super(
      `training diverged at epoch ${epoch}, step ${step}: ${what} — ` +
        `try a lower learning rate (lr is ${lr})`,
    );
    this.name = "DivergenceError";
  }
}

/** One side of the data, with targets shaped for the module. */
interface Side {
  readonly ds: Dataset;
  /** Rows of OUTPUT_SIZE floats: the vector target, or the truth for "threshold" accuracy. */
  readonly vec: Float32Array | null;
  /** What a batch is copied from (made once: a step allocates nothing). */
  readonly rows: BatchSource;
}

export class Trainer {
  readonly model: Model;
  readonly cfg: TrainingConfig;
  epoch = 0;
  step = 0;
  /** Seconds spent in training steps (not evaluation), for steps/s. */
  trainSeconds = 0;
  readonly history: EpochMetrics[] = [];
  /** Best monitored loss (early stopping); bestParams and bestState hold its weights and state. */
  best: { epoch: number; loss: number } | null = null;
  readonly bestParams: Float32Array | null;
  readonly bestState: Float32Array | null;
  /** The update rule the config names, and its slots (Adam's m and v, …) in the layout of params. */
  readonly optimizer: OptimizerDef;
  readonly slots: readonly Float32Array[];
  /** cfg.optimizer as its rule reads it: the hyperparameters by name (the registry types them per rule). */
  private readonly hypers: HyperValues<Hypers>;
  /** This step's lr, count and gradient scale, by STEP (optimizers/optimizer.ts says why an array). */
  private readonly at = stepRecord();
  readonly rng: Rng;
  private readonly perm: Int32Array;
  private readonly rowOf: Int32Array; // dataset row of each batch slot
  /** The epoch's running sums, indexed by SUM (a Float64Array: no boxed numbers per step). */
  private readonly sums = new Float64Array(5);
  private readonly train: Side;
  private readonly test: Side | null;
  /** Full batches per epoch (a last partial batch is dropped). */
  readonly batches: number;

  constructor(
    readonly mod: CompiledModule,
    data: { train: Dataset; test: Dataset | null },
    cfg: TrainingConfig,
    resume: Checkpoint | null = null,
    readonly dataMeta: DataMeta | null = null,
  ) {
    this.cfg = cfg;
    this.model = mod.createModel();
    const B = mod.BATCH;
    this.train = this.side(data.train);
    this.test = data.test && data.test.rows > 0 ? this.side(data.test) : null;
    if (data.train.rows < B) {
      throw new DataError(
        `${data.train.name}: ${data.train.rows} training rows but the batch is ${B}; ` +
          `lower train.batch or use more data (a partial batch is never trained on)`,
      );
    }
    this.batches = Math.floor(data.train.rows / B);
    this.perm = new Int32Array(data.train.rows);
    this.rowOf = new Int32Array(B);
    // A module compiled before optimizers were named has no TRAINING.optimizer: say so, not a TypeError.
    const kind = (cfg.optimizer as TrainingConfig["optimizer"] | undefined)?.kind;
    const optimizer = kind === undefined ? undefined : optimizerOf(kind);
    if (!optimizer) throw new Error(`the module's TRAINING names ${kind === undefined ? "no optimizer" : `an unknown optimizer '${kind}'`}; recompile it`);
    this.optimizer = optimizer;
    this.hypers = cfg.optimizer as unknown as HyperValues<Hypers>;
    this.slots = optimizer.slots.map(() => new Float32Array(mod.PARAM_COUNT));
    this.bestParams = cfg.early_stopping ? new Float32Array(mod.PARAM_COUNT) : null;
    this.bestState = cfg.early_stopping ? new Float32Array(mod.STATE_COUNT) : null;
    this.rng = shuffleStream(cfg.seed);
    if (resume) this.restore(resume);
    else {
      this.model.init(cfg.seed);
      optimizer.reset?.(this.slots, this.hypers);
    }
  }

  private side(ds: Dataset): Side {
    const m = this.mod;
    if (ds.inputSize !== m.INPUT_SIZE) {
      throw new DataError(`${ds.name}: ${ds.inputSize} features but the model's input is ${m.INPUT_SIZE}`);
    }
    if (m.TARGET === "class") {
      if (!ds.labels) throw new DataError(`${ds.name}: the loss ${m.LOSS} needs class labels; the data has none`);
      const max = ds.labels.reduce((a, b) => Math.max(a, b), 0);
      if (max >= m.OUTPUT_SIZE) {
        throw new DataError(`${ds.name}: ${max + 1} classes but the model has ${m.OUTPUT_SIZE} output(s)`);
      }
    }
    const needVec = m.TARGET === "vector" || m.ACCURACY === "threshold";
    const vec = needVec ? vectorTargets(ds, m.OUTPUT_SIZE) : null;
    return { ds, vec, rows: { features: ds.features, labels: ds.labels, vec } };
  }

  private restore(ck: Checkpoint): void {
    // Before the spec hash: changing the optimizer changes the spec, and this says what changed.
    const kind = this.cfg.optimizer.kind;
    if (ck.optimizer.kind !== kind) {
      throw new CheckpointError(`checkpoint was saved with ${ck.optimizer.kind}, but the spec's optimizer is ${kind}`);
    }
    const slots = this.optimizer.slots.map((name) => own(ck.optimizer.slots, name));
    if (slots.some((a) => a === undefined)) {
      throw new CheckpointError(`checkpoint of ${kind} lacks its slots (${this.optimizer.slots.join(", ")})`);
    }
    if (ck.specHash !== this.mod.SPEC_HASH) {
      throw new CheckpointError(
        `checkpoint was saved from a different spec (hash ${ck.specHash}); this spec is ${this.mod.SPEC_HASH}`,
      );
    }
    if (ck.params.length !== this.mod.PARAM_COUNT) {
      throw new CheckpointError(`checkpoint has ${ck.params.length} parameters; the model has ${this.mod.PARAM_COUNT}`);
    }
    if (ck.state.length !== this.mod.STATE_COUNT) {
      throw new CheckpointError(`checkpoint has ${ck.state.length} state values; the model has ${this.mod.STATE_COUNT}`);
    }
    this.model.params.set(ck.params);
    this.model.state.set(ck.state);
    slots.forEach((a, k) => this.slots[k].set(a!));
    this.epoch = ck.epoch;
    this.step = ck.step;
    this.rng.restore(ck.rngState);
    this.history.push(...((ck.history ?? []) as EpochMetrics[]));
    if (ck.best && this.bestParams && this.bestState) {
      this.best = { epoch: ck.best.epoch, loss: ck.best.loss };
      this.bestParams.set(ck.best.params);
      this.bestState.set(ck.best.state);
    }
  }

  checkpoint(): Checkpoint {
    return {
      specHash: this.mod.SPEC_HASH, params: this.model.params.slice(), state: this.model.state.slice(),
      optimizer: {
        kind: this.cfg.optimizer.kind,
        slots: Object.fromEntries(this.optimizer.slots.map((name, k) => [name, this.slots[k].slice()])),
      },
      epoch: this.epoch, step: this.step, rngState: this.rng.state(),
      best: this.best && this.bestParams && this.bestState
        ? { ...this.best, params: this.bestParams.slice(), state: this.bestState.slice() }
        : null,
      history: this.history, data: this.dataMeta,
    };
  }

  /** The schedule's lr for an epoch (0-based), before any warmup. */
  lr(epoch = this.epoch): number {
    return lrAt(this.cfg.schedule, this.cfg.lr, epoch);
  }

  /** Copies the rows named by `rowOf` into model.input and model.target. */
  private load(side: Side): void {
    loadBatch(this.mod, this.model, side.rows, this.rowOf);
  }

  /** One optimizer step on batch `b` of the current permutation; `epochLr` is the schedule's lr for the epoch. */
  trainBatch(b: number, epochLr: number): void {
    const m = this.model, B = this.mod.BATCH, sums = this.sums, cfg = this.cfg;
    for (let i = 0; i < B; i++) this.rowOf[i] = this.perm[b * B + i];
    this.load(this.train);
    m.forward();
    m.lossTerms();
    const loss = m.lossParts[0] + m.lossParts[1];
    this.step++;
    const at = this.at;
    at[STEP.t] = this.step;
    warmUp(at, epochLr, cfg.warmup);
    if (!Number.isFinite(loss)) throw new DivergenceError(this.epoch + 1, this.step, `the loss is ${loss}`, at[STEP.lr]);
    sums[SUM.loss] += loss;
    sums[SUM.dataLoss] += m.lossParts[0];
    sums[SUM.penalty] += m.lossParts[1];
    if (this.mod.ACCURACY) {
      sums[SUM.correct] += countCorrect(this.mod, m.output, B, this.rowOf, this.train.ds.labels, this.train.vec);
      sums[SUM.judged] += this.mod.ACCURACY === "threshold" ? B * this.mod.OUTPUT_SIZE : B;
    }
    m.backward();
    clipScale(m.grads, cfg.clip_norm, at);
    if (!this.optimizer.step(m.params, m.grads, this.slots, this.hypers, at)) {
      throw new DivergenceError(this.epoch + 1, this.step, "a parameter became NaN or Infinity", at[STEP.lr]);
    }
  }

  /** Starts an epoch: reshuffles (seeded) and clears the sums. Returns the epoch's lr. */
  beginEpoch(): number {
    epochOrder(this.perm, this.rng, this.cfg.shuffle);
    this.sums.fill(0);
    return this.lr();
  }

  /** Trains one epoch, evaluates, updates the early-stopping best. */
  runEpoch(): EpochMetrics {
    const lr = this.beginEpoch();
    const t0 = performance.now();
    for (let b = 0; b < this.batches; b++) this.trainBatch(b, lr);
    this.trainSeconds += (performance.now() - t0) / 1000;
    return this.endEpoch(lr);
  }

  /** After an epoch's batches: its metrics, the test set's, and the early-stopping best. */
  endEpoch(epochLr: number): EpochMetrics {
    this.epoch++;
    const lr = this.at[STEP.lr]; // what the epoch's last step used (epochLr, after any warmup)
    const sums = this.sums, n = this.batches;
    const trainAccuracy = this.mod.ACCURACY ? sums[SUM.correct] / sums[SUM.judged] : null;
    const m: EpochMetrics = {
      epoch: this.epoch, loss: sums[SUM.loss] / n, dataLoss: sums[SUM.dataLoss] / n, regLoss: sums[SUM.penalty] / n,
      trainAccuracy, testLoss: null, testAccuracy: null, lr,
    };
    const t = this.test ? this.evaluate(this.test) : null;
    // Parameters can stay finite yet so large that the test loss overflows: that is divergence
    // too, and must stop the run before a checkpoint of these weights is written.
    if (t && !Number.isFinite(t.loss)) throw new DivergenceError(this.epoch, this.step, `the test loss is ${t.loss}`, lr);
    const metrics = t ? { ...m, testLoss: t.loss, testAccuracy: t.accuracy } : m;
    if (this.bestParams) {
      // Keras monitors val_loss; without a test set, the training loss is all there is.
      const monitored = metrics.testLoss ?? metrics.loss;
      if (this.best === null || monitored < this.best.loss) {
        this.best = { epoch: this.epoch, loss: monitored };
        this.bestParams.set(this.model.params);
        this.bestState!.set(this.model.state);
      }
    }
    this.history.push(metrics);
    return metrics;
  }

  /**
   * Exact loss and accuracy over a dataset, BATCH rows at a time, in inference mode (the
   * module's evaluate(r) takes the loss over the first r rows, so a last partial chunk needs
   * no correction). The loss is on the training loss's scale: the mean over rows, or for a
   * summed loss the sum over a batch of BATCH rows (Keras' evaluate does the same).
   */
  evaluate(side: Side): { loss: number; dataLoss: number; accuracy: number | null } {
    const m = this.model, B = this.mod.BATCH, rows = side.ds.rows, slots = this.rowOf;
    let sum = 0, reg = 0, correct = 0;
    for (let start = 0; start < rows; start += B) {
      const r = Math.min(B, rows - start);
      for (let i = 0; i < B; i++) slots[i] = i < r ? start + i : 0;
      this.load(side);
      m.evaluate(r);
      sum += this.mod.LOSS_ROWS === "sum" ? m.lossParts[0] : r * m.lossParts[0];
      reg = m.lossParts[1];
      if (this.mod.ACCURACY) correct += countCorrect(this.mod, m.output, r, slots, side.ds.labels, side.vec);
    }
    const total = this.mod.ACCURACY === "threshold" ? rows * this.mod.OUTPUT_SIZE : rows;
    const dataLoss = this.mod.LOSS_ROWS === "sum" ? (sum / rows) * B : sum / rows;
    return { loss: dataLoss + reg, dataLoss, accuracy: this.mod.ACCURACY ? correct / total : null };
  }

  /** Test-set metrics now (null without a test set). */
  evaluateTest(): { loss: number; dataLoss: number; accuracy: number | null } | null {
    return this.test ? this.evaluate(this.test) : null;
  }
}
