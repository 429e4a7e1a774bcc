/**
 * Drives JupyterLab in Debian's Chromium through puppeteer-core, as a reader would: open a
 * notebook from the file browser, Edit → Clear Outputs, Run → Run All Cells, wait for the kernel
 * to go idle, then read what the page shows (tables and their rows, images and whether they
 * drew) and what the notebook model holds (each cell's errors, the kernel's state). What runs in
 * the page is tests/jupyter_page.js.
 *
 * @module
 */
import puppeteer, { type Browser, type ElementHandle, type Page } from "puppeteer-core";
import { chromium, CHROMIUM_PATH } from "../scripts/lib/stack/services/chromium.ts";
import { sleep } from "../scripts/lib/core/time.ts";

/** What this module runs. */
export const RUNS = [chromium];

const PAGE_JS = await Deno.readTextFile(new URL("./jupyter_page.js", import.meta.url));

/** Starts headless Chromium with a fresh profile; it talks only to 127.0.0.1. */
export async function launchBrowser(profileDir: string): Promise<Browser> {
  return await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    userDataDir: profileDir,
    // Without the background-networking flags Chromium calls Google's hosts at every start.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
    defaultViewport: { width: 1400, height: 1000 },
  });
}

/** One cell's outcome, as the notebook model holds it and the page shows it. */
export interface CellResult {
  index: number;
  executionCount: number | null;
  /** The first line of its source, to name it in messages. */
  firstLine: string;
  errors: { ename: string; evalue: string; traceback: string }[];
  /** Rows of each HTML table the cell shows. */
  tableRows: number[];
  /** Each image the cell shows: drawn when the browser decoded it with a size. */
  images: { width: number; height: number; drawn: boolean }[];
  /** MIME types of its outputs in the model, one entry per output and type. */
  mimeTypes: string[];
}

/** A notebook after Run All Cells. */
export interface NotebookResult {
  name: string;
  seconds: number;
  /** Its cells as shown when opened, before they ran (the committed outputs). */
  opened: CellResult[];
  kernelStatus: string;
  cells: CellResult[];
}

interface Progress {
  kernel: string;
  pending: number;
  queued: number;
  errored: boolean;
  running?: number;
  runningLine: string;
}

/** True when every PNG output of every cell is drawn in the page. */
export function allDrawn(cells: CellResult[]): boolean {
  return cells.every((c) =>
    c.images.filter((i) => i.drawn).length === c.mimeTypes.filter((m) => m === "image/png").length
  );
}

const probe = <T>(page: Page, call: string) => page.evaluate(`nbProbe.${call}`) as Promise<T>;
const q = (s: string) => JSON.stringify(s);

/** Waits until `call` (a nbProbe call in the page) is truthy; throws `what` on time-out. */
async function until(page: Page, call: string, ms: number, what: () => Promise<string> | string) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe(page, call)) return;
    await sleep(250);
  }
  throw new Error(await what());
}

/** Opens JupyterLab (the token sets its cookie) and waits until its shell is usable. */
export async function openLab(page: Page, urlWithToken: string): Promise<number> {
  const started = performance.now();
  await page.evaluateOnNewDocument(PAGE_JS);
  await page.goto(urlWithToken, { waitUntil: "domcontentloaded" });
  await until(
    page,
    "shellReady()",
    60_000,
    () => `JupyterLab at ${urlWithToken.replace(/token=\w+/, "token=…")} did not show its shell`,
  );
  return (performance.now() - started) / 1000;
}

/** The visible element of `selector` labelled `label`, waiting for it. */
async function labelled(page: Page, selector: string, labelSelector: string, label: string) {
  const handle = await page.waitForFunction(
    `nbProbe.labelled(${q(selector)}, ${q(labelSelector)}, ${q(label)})`,
    { timeout: 30_000 },
  ).catch(() => {
    throw new Error(`JupyterLab shows no "${label}" (${selector})`);
  });
  return handle.asElement() as ElementHandle;
}

/** Clicks a menu of the menu bar, then an item of it, by their labels, as a mouse does. */
async function menu(page: Page, bar: string, item: string): Promise<void> {
  await (await labelled(page, ".lm-MenuBar-item", ".lm-MenuBar-itemLabel", bar)).click();
  await (await labelled(page, ".lm-Menu-item", ".lm-Menu-itemLabel", item)).click();
}

/** Opens a file by double-clicking it in JupyterLab's file browser. */
async function openFromFileBrowser(page: Page, name: string): Promise<void> {
  const item = await labelled(page, ".jp-DirListing-item", ".jp-DirListing-itemText", name);
  await item.click({ count: 2 });
}

/**
 * Opens `notebooks/<name>` (unless `reopen` is false: then the current one runs again in the
 * same kernel), clears its outputs, runs every cell from the Run menu, waits until every cell
 * ran and the kernel is idle, and reads the result. Throws naming the notebook and the cell
 * when the kernel dies or a cell does not finish in time.
 */
export async function runNotebook(
  page: Page,
  name: string,
  opts: { timeoutMs?: number; reopen?: boolean } = {},
): Promise<NotebookResult> {
  if (opts.reopen !== false) await openFromFileBrowser(page, name);
  await until(page, `title() === ${q(name)}`, 60_000, () => `JupyterLab did not open ${name}`);
  // The kernel starts when the notebook opens; run only once it is idle.
  await until(
    page,
    'kernel() === "idle"',
    90_000,
    async () => `The Deno kernel of ${name} did not become idle: ${await probe(page, "kernel()")}`,
  );
  // What the notebook shows as opened: its committed outputs, in a notebook JupyterLab does not
  // trust (images decode asynchronously; give them a moment).
  let opened = await probe<CellResult[]>(page, "cells()");
  for (let i = 0; i < 20 && !allDrawn(opened); i++) {
    await sleep(250);
    opened = await probe<CellResult[]>(page, "cells()");
  }
  // Clear first, as a reader would: committed outputs and an earlier run's numbers must not
  // count as this run's. A cell is done once it holds a number again.
  await menu(page, "Edit", "Clear Outputs of All Cells");
  await until(page, "cleared()", 10_000, () => `Clear Outputs left numbered cells in ${name}`);
  const started = performance.now();
  await menu(page, "Run", "Run All Cells");
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const deadline = Date.now() + timeoutMs;
  const cellText = (s: Progress) =>
    `cell ${s.running ?? "?"}` + (s.runningLine ? ` (${s.runningLine})` : "");
  let settled = 0;
  let last: Progress | undefined; // the last poll that saw a cell running
  while (true) {
    const s = await probe<Progress>(page, "progress()");
    if (s.running !== undefined) last = s;
    // A kernel that exits is restarted by the server: its status passes through these, and
    // JupyterLab shows "unknown" while it has no connection; it was idle when the run began.
    if (["dead", "autorestarting", "restarting", "unknown"].includes(s.kernel)) {
      throw new Error(
        `The kernel of ${name} died (${s.kernel}) while running ${cellText(last ?? s)}`,
      );
    }
    // Idle with every code cell numbered (or stopped at an error), three times in a row: the
    // Deno kernel may send its last outputs just after it reports idle.
    const done = s.pending === 0 || (s.errored && s.queued === 0);
    settled = s.kernel === "idle" && done ? settled + 1 : 0;
    if (settled >= 3) break;
    if (Date.now() > deadline) {
      throw new Error(
        `${name} did not finish in ${timeoutMs / 1000} s: kernel ${s.kernel}, ${s.pending} ` +
          `cells to run, ${cellText(s)} running`,
      );
    }
    await sleep(400);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    name,
    seconds,
    opened,
    kernelStatus: await probe<string>(page, "kernel()"),
    cells: await probe<CellResult[]>(page, "cells()"),
  };
}

/** Saves a screenshot of the whole current notebook (the window made as tall as its content). */
export async function screenshotNotebook(page: Page, file: string): Promise<void> {
  const height = await probe<number>(page, "scrollTop()");
  const view = page.viewport()!;
  await page.setViewport({ width: view.width, height: Math.min(height + 200, 30_000) });
  await sleep(300);
  await probe(page, "scrollTop()"); // the resize may scroll again
  await sleep(300);
  await page.screenshot({ path: file as `${string}.png` });
  await page.setViewport(view);
}
