/**
 * A DAG's task graph as a picture: tasks in layers (each task one layer right of its furthest
 * upstream task), edges as curves, boxes coloured by state when a run is given. SVG for
 * notebooks and GitHub, plus a text form (`a >> [b, c] >> d`) as fallback.
 *
 * @module
 */

/** A task and the tasks it waits for. */
export interface GraphTask {
  taskId: string;
  upstream: string[];
  /** Shown under the name, e.g. the operator. */
  note?: string;
}

/**
 * Groups tasks into layers: roots first, every task one layer after its deepest upstream task.
 * Keeps the given order inside a layer. Throws on an unknown upstream task or a cycle.
 *
 * @example
 * ```ts
 * layers([{ taskId: "a", upstream: [] }, { taskId: "b", upstream: ["a"] }]); // [["a"], ["b"]]
 * ```
 */
export function layers(tasks: GraphTask[]): string[][] {
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const task = byId.get(id);
    if (!task) throw new Error(`Cannot draw the DAG: unknown upstream task ${id}`);
    if (visiting.has(id)) throw new Error(`Cannot draw the DAG: a cycle runs through ${id}`);
    visiting.add(id);
    const d = Math.max(-1, ...task.upstream.map(visit)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const out: string[][] = [];
  for (const t of tasks) (out[visit(t.taskId)] ??= []).push(t.taskId);
  return out;
}

/**
 * The graph as text: `a >> [b, c] >> d` when each layer feeds every task of the next, else one
 * line per task with its upstream tasks.
 *
 * @example
 * ```ts
 * dagText([{ taskId: "a", upstream: [] }, { taskId: "b", upstream: ["a"] }]); // "a >> b"
 * ```
 */
export function dagText(tasks: GraphTask[]): string {
  const ls = layers(tasks);
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const chain = ls.every((layer, i) =>
    layer.every((id) => {
      const up = byId.get(id)!.upstream;
      return i === 0 || (up.length === ls[i - 1].length && ls[i - 1].every((u) => up.includes(u)));
    })
  );
  if (chain) {
    return ls.map((l) => l.length === 1 ? l[0] : `[${l.join(", ")}]`).join(" >> ");
  }
  return tasks.map((t) =>
    t.upstream.length ? `${t.taskId} << ${t.upstream.join(", ")}` : `${t.taskId} (start)`
  ).join("\n");
}

/** Fill colours by task state; anything else is drawn neutral. */
const STATE_COLORS: Record<string, string> = {
  success: "#c8e6c9",
  failed: "#ffcdd2",
  upstream_failed: "#ffe0b2",
  up_for_retry: "#fff9c4",
  running: "#bbdefb",
  skipped: "#eeeeee",
};

function esc(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/** Options of {@linkcode dagSvg}. */
export interface DagSvgOptions {
  title?: string;
  /** State per task id: colours the boxes and is written under the name. */
  states?: Record<string, string | null>;
}

/**
 * Draws the graph left to right as a standalone SVG.
 *
 * @example
 * ```ts ignore
 * const svg = dagSvg(tasks, { title: "0a1b2c3d4e5f_dag", states: { load_lake: "success" } });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function dagSvg(tasks: GraphTask[], opts: DagSvgOptions = {}): string {
  const ls = layers(tasks);
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const lines = (id: string) => {
    const state = opts.states?.[id];
    return [byId.get(id)!.note, state === undefined ? undefined : state ?? "not run"]
      .filter((x): x is string => Boolean(x));
  };
  const longest = Math.max(
    8,
    ...tasks.flatMap((t) => [t.taskId.length * 1.15, ...lines(t.taskId).map((l) => l.length)]),
  );
  const boxW = Math.round(longest * 7 + 24), boxH = 58, gapX = 70, gapY = 22, pad = 20;
  const top = opts.title ? 44 : pad;
  const tallest = Math.max(...ls.map((l) => l.length));
  const height = top + tallest * boxH + (tallest - 1) * gapY + pad;
  const width = pad * 2 + ls.length * boxW + (ls.length - 1) * gapX;
  const at = new Map<string, { x: number; y: number }>();
  ls.forEach((layer, i) => {
    const span = layer.length * boxH + (layer.length - 1) * gapY;
    const y0 = top + (tallest * boxH + (tallest - 1) * gapY - span) / 2;
    layer.forEach((id, j) => at.set(id, { x: pad + i * (boxW + gapX), y: y0 + j * (boxH + gapY) }));
  });
  const edges = tasks.flatMap((t) =>
    t.upstream.map((u) => {
      const a = at.get(u)!, b = at.get(t.taskId)!;
      const [x1, y1, x2, y2] = [a.x + boxW, a.y + boxH / 2, b.x - 2, b.y + boxH / 2];
      const mid = (x1 + x2) / 2;
      return `<path d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}" fill="none" ` +
        `stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>`;
    })
  );
  const nodes = tasks.map((t) => {
    const { x, y } = at.get(t.taskId)!;
    const state = opts.states?.[t.taskId];
    const fill = state ? STATE_COLORS[state] ?? "#f5f5f5" : "#f5f5f5";
    const sub = lines(t.taskId).map((l, i) =>
      `<text x="${x + boxW / 2}" y="${y + 38 + i * 13}" text-anchor="middle" fill="#555" ` +
      `font-size="11">${esc(l)}</text>`
    ).join("");
    return `<rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="8" fill="${fill}" ` +
      `stroke="#333"/><text x="${x + boxW / 2}" y="${y + 21}" text-anchor="middle" ` +
      `font-weight="bold">${esc(t.taskId)}</text>${sub}`;
  });
  const title = opts.title
    ? `<text x="${width / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${
      esc(opts.title)
    }</text>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" ` +
    `markerHeight="7" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="#555"/></marker></defs>` +
    `<rect width="100%" height="100%" fill="white"/>${title}${edges.join("")}${nodes.join("")}` +
    `</svg>`;
}
