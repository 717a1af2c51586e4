// The dashboard in a real browser: Debian's chromium driven by playwright-core. Load the page,
// type an error into the spec and see it marked where `netspec validate` puts it, train iris in
// the browser (and on the server) to ≥ 0.9 test accuracy, and take a screenshot.
//
// Without chromium (NETSPEC_CHROMIUM, else /usr/bin/chromium) these tests are skipped, loudly:
// the one skip the suite allows. `.ci/run` installs chromium, so CI always runs them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPage } from "../../web/server/build.ts";
import type { Dashboard } from "../../web/server/server.ts";
import { start } from "./helpers.ts";

const CHROMIUM = process.env.NETSPEC_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  const line = "!".repeat(78);
  console.warn(`\n${line}\n!! SKIPPING the dashboard's browser tests: no chromium at ${CHROMIUM}.\n!! Install it (apt-get install -y chromium) or set NETSPEC_CHROMIUM; .ci/run installs it.\n${line}\n`);
}

const IRIS = readFileSync("specs/iris.yaml", "utf8");
/** Two mistakes: a misspelt key and a negative size. */
const BROKEN = IRIS.replace("    activation: relu", "    actvation: relu").replace("dense: 3", "dense: -3");
export const SCREENSHOT = join(tmpdir(), "netspec-dashboard.png");

/** What `netspec validate specs/iris.yaml` prints for this text, run from a folder where that file holds it. */
function cliValidate(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "netspec-web-"));
  mkdirSync(join(dir, "specs"));
  writeFileSync(join(dir, "specs", "iris.yaml"), text);
  const r = spawnSync(process.execPath, [resolve("compiler/bin.mjs"), "validate", "specs/iris.yaml"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  expect(r.status).toBe(1);
  return r.stderr;
}

/** Replaces the editor's text as a paste would. */
async function typeSpec(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

describe.skipIf(!HAVE_CHROMIUM)("the dashboard in chromium", () => {
  let dash: Dashboard;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [dash, browser] = await Promise.all([
      buildPage().then((built) => start(["specs"], built)),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] }),
    ]);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(30_000);
    page.on("pageerror", (e) => pageErrors.push(`${e.message}\n${e.stack ?? ""}`.trim()));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  it("loads the page: every spec listed, iris's explain table and graph shown", async () => {
    await page.goto(dash.url);
    await page.waitForSelector("body[data-ready=true]");
    const listed = await page.locator("#spec-list button").evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.spec));
    expect(listed).toEqual(readdirSync("specs").filter((f) => f.endsWith(".yaml")).sort().map((f) => `specs/${f}`));
    expect(await page.textContent("#spec-title")).toBe("specs/iris.yaml");
    await page.waitForFunction(() => (document.querySelector("#graph img") as HTMLImageElement | null)?.naturalWidth);
    expect(await page.textContent("#explain")).toMatch(/layers\[0\] +dense 4→6, relu +75×6 +30 /);
    expect(await page.textContent("#validity")).toBe("valid");
  });

  it("marks every error of an edited spec at the line and column the CLI reports, with its message", async () => {
    await typeSpec(page, BROKEN);
    await page.waitForFunction(() => document.querySelector("#validity")?.textContent === "2 errors");
    const expected = cliValidate(BROKEN);
    const heads = [...expected.matchAll(/^specs\/iris\.yaml:(\d+):(\d+): error: (.*)$/gm)];
    expect(heads.map((m) => m[3])).toEqual([
      "unknown key 'actvation' in layers[0]; did you mean 'activation'?",
      "layers[1].dense must be a positive integer (got -3)",
    ]);
    // The problems panel holds what the CLI prints, line for line.
    expect(`${await page.textContent("#problems")}\n`).toBe(expected);
    // Where the editor marks them: the line, and the column where the mark starts.
    await page.waitForFunction(() => document.querySelectorAll(".cm-lintRange-error").length >= 2);
    const marks = await page.evaluate(() => {
      const lines = [...document.querySelectorAll(".cm-content .cm-line")];
      return [...document.querySelectorAll(".cm-lintRange-error")].map((el) => {
        const line = el.closest(".cm-line")!;
        const before = document.createRange();
        before.setStart(line, 0);
        before.setEndBefore(el);
        return { line: lines.indexOf(line) + 1, col: before.toString().length + 1, text: el.textContent };
      });
    });
    const first = new Map<number, { line: number; col: number; text: string | null }>();
    for (const m of marks) if (!first.has(m.line)) first.set(m.line, m);
    expect([...first.values()].map(({ line, col }) => `${line}:${col}`)).toEqual(heads.map((m) => `${m[1]}:${m[2]}`));
    expect([...first.values()][0]!.text).toBe("actvation");
    expect(await page.isDisabled("#train-browser")).toBe(true);
  });

  it("completes keys and values from the spec's JSON Schema", async () => {
    const completions = async (text: string) => {
      await typeSpec(page, text);
      await page.keyboard.press("Control+Space");
      await page.waitForSelector(".cm-tooltip-autocomplete li");
      const options = await page.locator(".cm-tooltip-autocomplete li").allTextContents();
      await page.keyboard.press("Escape");
      return options;
    };
    expect(await completions("netspec: 1\nlo")).toContain("loss");
    // The loss names come from the op registry, through the schema.
    expect(await completions("netspec: 1\nloss: m")).toContain("mse");
  });

  it("trains iris in the browser to ≥ 0.9 test accuracy, with steps/s, curves and the confusion matrix", async () => {
    await typeSpec(page, IRIS);
    await page.waitForFunction(() => document.querySelector("#validity")?.textContent === "valid");
    await page.waitForSelector("#train-browser:not([disabled])");
    await page.click("#train-browser");
    await page.waitForFunction(() => ["done", "failed"].includes((document.querySelector("#stats") as HTMLElement).dataset.state ?? ""));
    expect(await page.getAttribute("#stats", "data-state"), (await page.textContent("#status")) ?? "").toBe("done");
    const accuracy = Number(await page.getAttribute("#stats", "data-test-accuracy"));
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(await page.textContent("#status")).toMatch(/^stopped after 3000 epochs \(epochs\), 3000 steps in /);
    const stats = await page.textContent("#stats");
    const stepsPerSecond = Number(/steps\/s \(this browser\)([\d,]+)/.exec(stats!)?.[1]!.replace(/,/g, ""));
    expect(stepsPerSecond).toBeGreaterThan(0);
    console.log(`iris trained in chromium: test accuracy ${accuracy}, ${stepsPerSecond} steps/s`);
    const cells = await page.locator(".confusion-matrix td:not(.ratio)").allTextContents();
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(75);
    // Each chart drew its series: uPlot paints on a canvas per chart.
    expect(await page.locator(".charts canvas").count()).toBe(3);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe("PNG");
    console.log(`screenshot: ${SCREENSHOT}`);
  });

  it("stops a training in the browser between epochs", async () => {
    await typeSpec(page, IRIS.replace(/epochs: \d+/, "epochs: 1000000").replace(/\n\s*stop_below:[^\n]*/, ""));
    await page.waitForSelector("#train-browser:not([disabled])");
    await page.click("#train-browser");
    await page.waitForFunction(() => Number(document.querySelector("#stats .v")?.textContent) > 100);
    await page.click("#stop");
    await page.waitForSelector("#stats[data-state=done]");
    expect(await page.textContent("#status")).toMatch(/^stopped after \d+ epochs \(aborted\)/);
    await typeSpec(page, IRIS);
    await page.waitForSelector("#train-server:not([disabled])");
  });

  it("trains on the server too, its epochs arriving over server-sent events", async () => {
    await page.click("#train-server", { timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${e}\nstatus: ${await page.textContent("#status")}\nvalidity: ${await page.textContent("#validity")}\nstate: ${await page.getAttribute("#stats", "data-state")}\nstop disabled: ${await page.isDisabled("#stop")}\nexplain: ${(await page.textContent("#explain"))?.slice(0, 80)}`);
    });
    // Done or failed: a failure then says why instead of timing out.
    await page.waitForFunction(() => ["done", "failed"].includes((document.querySelector("#stats") as HTMLElement).dataset.state ?? ""));
    expect(await page.getAttribute("#stats", "data-state"), (await page.textContent("#status")) ?? "").toBe("done");
    expect(Number(await page.getAttribute("#stats", "data-test-accuracy"))).toBeGreaterThanOrEqual(0.9);
    expect(await page.textContent("#stats")).toMatch(/steps\/s \(server\)/);
    expect(pageErrors).toEqual([]);
  });
});
