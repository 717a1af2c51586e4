// The dashboard page: pick a spec, edit it with the server validating as you type, read its
// explain table and graph, and train it here or on the server with live curves.

import "./style.css";
import type { EpochMetrics } from "../../runtime/index.ts";
import type { RunSummary } from "../shared/result.ts";
import { api, ApiError, type PageDiagnostic } from "./api.ts";
import { Curves } from "./charts.ts";
import { renderConfusion } from "./confusion.ts";
import { createEditor, setText } from "./editor.ts";
import { trainInBrowser, trainOnServer, type RunHandle, type RunView } from "./runs.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const buttons = { browser: $<HTMLButtonElement>("train-browser"), server: $<HTMLButtonElement>("train-server"), stop: $<HTMLButtonElement>("stop") };

let current = ""; // the selected spec's path
let inspected = ""; // the text the explain table and graph show
let trainable = false;
let run: RunHandle | null = null;

const curves = new Curves($("chart-loss"), $("chart-accuracy"), $("chart-lr"));
const [schema, { specs }] = await Promise.all([api.schema(), api.specs()]);
const editor = createEditor($("editor"), schema, {
  check: (source) =>
    api.validate({ path: current, source }).catch((e: Error) => {
      $("validity").textContent = "not checked";
      $("validity").className = "badge bad";
      $("problems").hidden = false;
      $("problems").textContent = `cannot check the spec: ${e.message}`;
      throw e;
    }),
  checked: (source, errors, warnings) => void showProblems(source, errors, warnings),
});
const text = () => editor.state.doc.toString();

function showProblems(source: string, errors: PageDiagnostic[], warnings: PageDiagnostic[]): void {
  const badge = $("validity");
  badge.textContent = errors.length ? `${errors.length} error${errors.length > 1 ? "s" : ""}` : warnings.length ? "valid, with warnings" : "valid";
  badge.className = `badge ${errors.length ? "bad" : "good"}`;
  // What `netspec validate` prints, line for line.
  $("problems").textContent = [...errors, ...warnings].map((d) => d.text).join("\n");
  $("problems").hidden = errors.length + warnings.length === 0;
  if (!errors.length && source !== inspected) void inspect(source);
  // With errors, the table and graph still show the last valid text, marked as such.
  document.querySelector(".inspection")!.classList.toggle("stale", errors.length > 0);
  updateButtons();
}

async function inspect(source: string): Promise<void> {
  inspected = source;
  const result = await api.inspect({ path: current, source }).catch((e: Error) => ({ errors: [], explain: `(${e.message})`, svg: null, untrainable: e.message }));
  if (source !== text()) return;
  if (result.errors.length) {
    // Valid for the CLI, but not here (a CSV outside the served folders).
    trainable = false;
    status(result.errors.map((d) => d.text).join("\n"), "bad");
    return updateButtons();
  }
  trainable = !result.untrainable;
  $("explain").textContent = result.explain ?? "";
  const graph = $("graph");
  graph.replaceChildren();
  if (result.svg) {
    // As an image: the SVG is shown, never run.
    const img = document.createElement("img");
    img.alt = `computation graph of ${result.name ?? current}`;
    img.src = URL.createObjectURL(new Blob([result.svg], { type: "image/svg+xml" }));
    graph.append(img);
  }
  if (result.untrainable) status(result.untrainable, "note");
  else if (!run) status("");
  updateButtons();
}

function updateButtons(): void {
  const ok = $("validity").classList.contains("good") && trainable;
  buttons.browser.disabled = buttons.server.disabled = Boolean(run) || !ok;
  buttons.stop.disabled = !run;
}

function status(message: string, kind = ""): void {
  $("status").textContent = message;
  $("status").className = `status ${kind}`;
}

const fmt = (x: number | null | undefined, digits = 4) => (x == null ? "n/a" : x.toPrecision(digits));
const pct = (x: number | null | undefined) => (x == null ? "n/a" : `${(100 * x).toFixed(2)}%`);

function showStats(m: EpochMetrics | null | undefined, stepsPerSecond: number | null, where: string): void {
  const stats = $("stats");
  const items: [string, string][] = [
    ["epoch", m ? String(m.epoch) : "0"], ["loss", fmt(m?.loss)], ["test loss", fmt(m?.testLoss)],
    ["train accuracy", pct(m?.trainAccuracy)], ["test accuracy", pct(m?.testAccuracy)], ["lr", fmt(m?.lr, 3)],
  ];
  if (stepsPerSecond !== null) items.push([`steps/s (${where})`, Math.round(stepsPerSecond).toLocaleString("en-US")]);
  stats.replaceChildren(...items.map(([k, v]) => {
    const el = document.createElement("div");
    el.innerHTML = `<span class="k"></span><span class="v"></span>`;
    el.firstElementChild!.textContent = k;
    el.lastElementChild!.textContent = v;
    return el;
  }));
  stats.dataset.testAccuracy = m?.testAccuracy == null ? "" : String(m.testAccuracy);
}

async function startRun(where: "browser" | "server"): Promise<void> {
  const spec = { path: current, source: text() };
  const place = where === "browser" ? "this browser" : "server";
  let speed: number | null = null;
  let epochs: EpochMetrics[] = [];
  let progressLine = "";
  // Epochs come thousands a second (iris): draw what is new once a frame, never per epoch.
  let drawn = true;
  let ended = false;
  const draw = () => {
    drawn = true;
    if (ended) return;
    curves.show(epochs);
    showStats(epochs.at(-1), speed, place);
    if (progressLine) status(progressLine);
  };
  const changed = () => drawn && ((drawn = false), requestAnimationFrame(draw));
  curves.reset();
  $("confusion").replaceChildren();
  $("stats").dataset.state = "running";
  status(where === "browser" ? "compiling; training in this browser…" : "compiling; training on the server…");
  const view: RunView = {
    epochs: (history) => ((epochs = history), changed()),
    progress: (p) => {
      speed = p.trainSeconds > 0 ? p.steps / p.trainSeconds : null;
      progressLine = `training in ${place === "server" ? "the server" : place}: epoch ${p.epoch}, batch ${p.batch} of ${p.batches}`;
      changed();
    },
    done: (s: RunSummary) => {
      ended = true;
      curves.show(epochs);
      showStats(s.final, s.stepsPerSecond, place);
      $("stats").dataset.state = "done";
      status(`stopped after ${s.epochs} epochs (${s.stopped}), ${s.steps} steps in ${s.seconds.toFixed(2)} s`, "good");
      if (s.confusion) renderConfusion($("confusion"), s.confusion);
    },
    failed: (message) => ((ended = true), ($("stats").dataset.state = "failed"), status(message, "bad")),
  };
  try {
    run = await (where === "browser" ? trainInBrowser : trainOnServer)(spec, view);
    updateButtons();
    await run.finished;
  } catch (e) {
    const diagnostics = e instanceof ApiError ? e.diagnostics.map((d) => d.text).join("\n") : "";
    view.failed([(e as Error).message, diagnostics].filter(Boolean).join("\n"));
  } finally {
    run = null;
    updateButtons();
  }
}

async function select(path: string): Promise<void> {
  if (run) return;
  current = path;
  inspected = "";
  trainable = false;
  $("explain").textContent = "";
  $("graph").replaceChildren();
  document.querySelectorAll("#spec-list button").forEach((b) => b.classList.toggle("selected", (b as HTMLElement).dataset.spec === path));
  $("spec-title").textContent = path;
  history.replaceState(null, "", `#${encodeURIComponent(path)}`);
  const { source } = await api.source(path);
  setText(editor, source);
  curves.reset();
  showStats(null, null, "");
  $("confusion").replaceChildren();
}

$("spec-list").replaceChildren(...specs.map((path) => {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.spec = path;
  button.textContent = path.split("/").at(-1)!.replace(/\.ya?ml$/, "");
  button.title = path;
  button.onclick = () => void select(path);
  li.append(button);
  return li;
}));
buttons.browser.onclick = () => void startRun("browser");
buttons.server.onclick = () => void startRun("server");
buttons.stop.onclick = () => run?.stop();
const wanted = decodeURIComponent(location.hash.slice(1));
await select(specs.includes(wanted) ? wanted : specs.find((s) => s.endsWith("/iris.yaml")) ?? specs[0]!);
document.body.dataset.ready = "true";
