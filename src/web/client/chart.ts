// Backup duration and archive size over time, one figure per instance: two plots in one inline SVG
// sharing the time axis, a point per recovery point with its figures as a tooltip, and the same
// figures as a table for those who cannot see the chart.
import type { RecoveryPointManifest } from "../../model/recovery-point.js";
import { type DomElement, h, svg, table } from "./dom.js";
import { bytes, seconds, time } from "./format.js";

const WIDTH = 640;
const PLOT_HEIGHT = 100;
const LEFT = 70;
const RIGHT = 16;
const TOP = 20;
const GAP = 40;

interface Sample {
  id: string;
  at: number;
  durationMs: number;
  sizeBytes?: number;
}

export function renderCharts(points: ReadonlyMap<string, readonly RecoveryPointManifest[]>): DomElement {
  const figures = [...points.entries()]
    .filter(([, list]) => list.length > 0)
    .map(([instance, list]) => renderChart(instance, list));
  return figures.length === 0 ? h("p", {}, "No backups to chart yet.") : h("div", {}, ...figures);
}

function renderChart(instance: string, list: readonly RecoveryPointManifest[]): DomElement {
  const samples: Sample[] = list
    .map((point) => ({
      id: point.id,
      at: Date.parse(point.startTime),
      durationMs: Math.max(0, Date.parse(point.endTime) - Date.parse(point.startTime)),
      ...(point.archive ? { sizeBytes: point.archive.sizeBytes } : {}),
    }))
    .filter((sample) => Number.isFinite(sample.at))
    .sort((a, b) => a.at - b.at);
  const first = samples[0]?.at ?? 0;
  const last = samples[samples.length - 1]?.at ?? 0;
  const x = (at: number) =>
    last === first
      ? LEFT + (WIDTH - LEFT - RIGHT) / 2
      : LEFT + ((at - first) / (last - first)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + 2 * PLOT_HEIGHT + GAP + 30;
  const captionId = `chart-${instance}`;
  const sized = samples.filter((sample) => sample.sizeBytes !== undefined);
  return h(
    "figure",
    { class: "chart-panel", "data-chart": instance },
    h(
      "figcaption",
      { id: captionId },
      `${instance}: backup duration and archive size, ${samples.length} ${samples.length === 1 ? "backup" : "backups"}`,
    ),
    svg(
      "svg",
      {
        class: "chart",
        viewBox: `0 0 ${WIDTH} ${height}`,
        width: WIDTH,
        height,
        role: "img",
        "aria-labelledby": captionId,
      },
      plot("duration", "Duration", samples, (s) => s.durationMs, seconds, x, TOP),
      plot("size", "Archive size", sized, (s) => s.sizeBytes ?? 0, bytes, x, TOP + PLOT_HEIGHT + GAP),
      svg("text", { x: LEFT, y: height - 6 }, time(new Date(first).toISOString())),
      last === first
        ? ""
        : svg(
            "text",
            { x: WIDTH - RIGHT, y: height - 6, "text-anchor": "end" },
            time(new Date(last).toISOString()),
          ),
    ),
    h(
      "details",
      {},
      h("summary", {}, `The figures of ${instance}'s chart`),
      table(
        `Backups of ${instance}, oldest first`,
        [
          "Recovery point",
          "Taken",
          { label: "Duration", numeric: true },
          { label: "Archive size", numeric: true },
        ],
        samples.map((sample) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, sample.id),
            h("td", {}, time(new Date(sample.at).toISOString())),
            h("td", { class: "num" }, seconds(sample.durationMs)),
            h("td", { class: "num" }, sample.sizeBytes === undefined ? "—" : bytes(sample.sizeBytes)),
          ),
        ),
      ),
    ),
  );
}

/** One plot: its title, an axis from zero to the largest value, the line and a point per sample. */
function plot(
  series: string,
  title: string,
  samples: readonly Sample[],
  value: (sample: Sample) => number,
  label: (value: number) => string,
  x: (at: number) => number,
  top: number,
): DomElement {
  const max = Math.max(1, ...samples.map(value));
  const y = (v: number) => top + PLOT_HEIGHT - (v / max) * PLOT_HEIGHT;
  const bottom = top + PLOT_HEIGHT;
  return svg(
    "g",
    { class: `series-${series}`, "data-series": series },
    svg("text", { x: LEFT, y: top - 6 }, title),
    svg("text", { x: LEFT - 6, y: top + 4, "text-anchor": "end" }, label(max)),
    svg("text", { x: LEFT - 6, y: bottom, "text-anchor": "end" }, "0"),
    svg("line", { class: "axis", x1: LEFT, y1: top, x2: LEFT, y2: bottom }),
    svg("line", { class: "axis", x1: LEFT, y1: bottom, x2: WIDTH - RIGHT, y2: bottom }),
    samples.length > 1
      ? svg("polyline", {
          points: samples.map((s) => `${x(s.at).toFixed(1)},${y(value(s)).toFixed(1)}`).join(" "),
        })
      : "",
    ...samples.map((sample) =>
      svg(
        "circle",
        { cx: x(sample.at).toFixed(1), cy: y(value(sample)).toFixed(1), r: 4, "data-point": sample.id },
        svg("title", {}, `${sample.id}: ${title.toLowerCase()} ${label(value(sample))}`),
      ),
    ),
  );
}
