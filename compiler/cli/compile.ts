// `netspec compile`: specs → generated modules, all or nothing; `--check` for drift;
// `--dump` to print one phase's IR. Specs are loaded and compiled before anything is written.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { BACKENDS } from "../backend.ts";
import { emitBackend, emitPlanned, planSpec, type Compiled, type OutputFile, type Planned } from "../compile.ts";
import { printGraph, printPlan } from "../ir/print.ts";
import { loadSpec, type Diagnostic } from "../spec/index.ts";
import { EXIT_USER, guard, printDiagnostics, usage } from "./run.ts";
import type { Spec } from "../spec/types.ts";
import { checkSizes, DEFAULT_MAX_BYTES } from "./sizes.ts";
import { measureData } from "./evidence.ts";

const PHASES = ["lower", "autodiff", "fuse", "plan"];

/** A spec compiled as far as the plan: what importing its module or sharding it needs. */
export interface PlannedSpec {
  readonly file: string;
  readonly spec: Spec;
  readonly hash: string;
  /** Every phase up to the buffer plan, run once: sizes are checked on it and emit reads it. */
  readonly planned: Planned;
}

export interface Loaded extends PlannedSpec {
  /** The spec's text, and the line and column of a spec path: for errors found later (train's data). */
  readonly source: string;
  readonly at: (path: readonly (string | number)[]) => { line: number; col: number };
}

/** Loads every spec; prints every diagnostic and returns null when any has an error. */
export function loadAll(files: readonly string[], maxBytes = DEFAULT_MAX_BYTES): Loaded[] | null {
  const loaded: Loaded[] = [];
  let failed = false;
  const report = (ds: readonly Diagnostic[], source: string) => {
    printDiagnostics(ds, source);
    failed ||= ds.length > 0;
  };
  for (const file of files) {
    const shown = displayPath(file);
    const result = loadSpec(shown);
    if (!result.ok) report(result.diagnostics, result.source);
    else {
      printDiagnostics(result.warnings, result.source);
      const planned = planSpec(result.spec, measureData(result.spec, shown));
      report(checkSizes(planned, shown, result.at(["train", "batch"]), maxBytes), result.source);
      loaded.push({ file: shown, spec: result.spec, hash: result.hash, planned, source: result.source, at: result.at });
    }
  }
  const names = new Map<string, string>();
  for (const l of loaded) {
    const other = names.get(l.spec.name);
    if (other) {
      process.stderr.write(`${l.file}: error: spec name '${l.spec.name}' is also used by ${other}; each module needs its own name\n`);
      failed = true;
    }
    names.set(l.spec.name, l.file);
  }
  return failed ? null : loaded;
}

/** Compiles a loaded spec as every command does: from its plan, made with what its data set shows (evidence.ts). */
export function compileLoaded({ spec, hash, file, planned }: Loaded): Compiled {
  return emitPlanned(spec, planned, hash, file);
}

/** Paths in headers and messages are relative to the working folder, with forward slashes. */
export const displayPath = (file: string): string => relative(process.cwd(), file).split("\\").join("/") || file;

/** Every spec in specs/, for `compile --check` with no files. */
export const shippedSpecs = (): string[] =>
  readdirSync("specs")
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => `specs/${f}`);

export function registerCompile(program: Command): void {
  const cmd = program
    .command("compile")
    .description("compile specs into TypeScript modules (nothing is written if any spec has an error)")
    .argument("[specs...]", "spec files (default with --check: every spec in specs/)")
    .option("-o, --out <dir>", "output folder", "generated")
    .option("--check", "exit 1 if the checked-in output differs from a fresh compile")
    .option("--dump <phase>", "print the IR after a phase: lower, autodiff, fuse or plan")
    .option("--max-bytes <n>", "refuse specs whose buffers exceed this many bytes", String(DEFAULT_MAX_BYTES))
    .option("--backend <name>", "js (<name>.ts), wasm (<name>.wasm.ts and <name>.wat) or all", "all");
  cmd.action(
    guard(() => cmd, (files: string[], opts: { out: string; check?: boolean; dump?: string; maxBytes: string; backend: string }) => {
      if (files.length === 0 && opts.check) files = shippedSpecs();
      if (files.length === 0) return usage("compile needs at least one spec file");
      if (opts.dump && !PHASES.includes(opts.dump)) return usage(`--dump takes ${PHASES.join(", ")} (got '${opts.dump}')`);
      const backends = opts.backend === "all" ? [...BACKENDS] : BACKENDS.filter((b) => b === opts.backend);
      if (backends.length === 0) return usage(`--backend takes js, wasm or all (got '${opts.backend}')`);
      const maxBytes = Number(opts.maxBytes);
      if (!(maxBytes > 0)) return usage(`--max-bytes must be a positive number (got '${opts.maxBytes}')`);
      const loaded = loadAll(files, maxBytes);
      if (!loaded) return void (process.exitCode = EXIT_USER);
      if (opts.dump) return dump(loaded, opts.dump);
      const outputs = loaded.flatMap((l) => backends.flatMap((b) => emitBackend(l.spec, l.planned, l.hash, l.file, b)).map((f) => ({ l, f })));
      if (opts.check) return check(outputs, opts.out, opts.backend === "all" ? "" : ` --backend ${opts.backend}`);
      write(outputs, opts.out);
    }),
  );
}

/** Prints the IR after one phase, from the very pipeline compile runs. */
function dump(loaded: readonly Loaded[], phase: string): void {
  for (const l of loaded) {
    const { spec } = l;
    const c = compileLoaded(l);
    const text: Record<string, () => string> = {
      lower: () => printGraph(c.forward, `${spec.name} (after lower)`),
      autodiff: () => printGraph(c.differentiated, `${spec.name} (after autodiff)`),
      fuse: () => printGraph(c.graph, `${spec.name} (after fuse)`),
      plan: () => printPlan(c.graph, c.plan),
    };
    process.stdout.write(text[phase]!());
  }
}

/** One file to write or check: a spec's output from one backend. */
interface Output {
  readonly l: Loaded;
  readonly f: OutputFile;
}

function check(outputs: readonly Output[], out: string, backendFlag: string): void {
  const stale = outputs.filter(({ l, f }) => {
    const file = join(out, `${l.spec.name}${f.suffix}`);
    return !existsSync(file) || readFileSync(file, "utf8") !== f.text;
  });
  // The hint must run as printed: the same output folder, shell-quoted paths.
  const outFlag = out === "generated" ? "" : ` -o ${shellQuote(out)}`;
  for (const { l, f } of stale) process.stderr.write(`${join(out, `${l.spec.name}${f.suffix}`)}: out of date with ${l.file}; run: npx netspec compile ${shellQuote(l.file)}${outFlag}${backendFlag}\n`);
  if (stale.length) process.exitCode = EXIT_USER;
  else process.stdout.write(`ok: ${outputs.length} generated file(s) match their specs\n`);
}

/** A word for a POSIX shell: as it is when plain, else single-quoted. */
export const shellQuote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** Writes each module to a temp file and renames it into place, so no reader sees half a file. */
function write(outputs: readonly Output[], out: string): void {
  const staged: { file: string; tmp: string; from: string }[] = [];
  try {
    mkdirSync(out, { recursive: true });
    for (const { l, f } of outputs) {
      const file = join(out, `${l.spec.name}${f.suffix}`);
      const tmp = `${file}.${process.pid}.tmp`;
      staged.push({ file, tmp, from: l.file });
      writeFileSync(tmp, f.text);
    }
    for (const s of staged) renameSync(s.tmp, s.file);
  } catch (e) {
    // An output folder that cannot be written is the user's to fix, not a netspec bug.
    return usage(`cannot write to ${out}: ${(e as Error).message}`);
  } finally {
    for (const s of staged) rmSync(s.tmp, { force: true });
  }
  for (const s of staged) process.stdout.write(`wrote ${displayPath(s.file)} (from ${s.from})\n`);
}

