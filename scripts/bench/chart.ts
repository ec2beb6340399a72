/**
 * A small SVG bar chart for the benchmark's figures (docs/bench/*.svg): per group (a scenario),
 * one bar per series (eni-kit and its baselines), the p50 as the bar and the p90 as a whisker.
 *
 * Dependency-free and self-contained: no scripts, no external fonts or styles, a white background
 * (GitHub shows an SVG as an image, on a dark page too), and every label as text, so it reads the
 * same in a browser and on GitHub.
 */

/** One series' figures in one group. */
export interface Bar {
  /** The series, e.g. "eni-kit" or "naive loop": bars of one name share a colour and a legend entry. */
  readonly name: string;
  /** Drawn as the bar. */
  readonly p50: number;
  /** Drawn as a whisker above (or below) the bar's top. */
  readonly p90: number;
}

/** One scenario: its name under the axis, its bars side by side. */
export interface Group {
  readonly name: string;
  readonly bars: readonly Bar[];
}

/** What {@link barChart} draws. */
export interface BarChart {
  readonly title: string;
  /** The values' unit, the vertical axis's label, e.g. "seconds". */
  readonly unit: string;
  readonly groups: readonly Group[];
}

// Colour-blind-safe (Tableau 10), dark enough for white text beside them to stay readable.
const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d", "#bab0ac"];
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const TEXT = "#1f2328";
const MUTED = "#59636e";

const BAR_WIDTH = 36;
const BAR_GAP = 8;
const GROUP_GAP = 40;
const PLOT_HEIGHT = 240;
const LEFT = 72;
const RIGHT = 24;
const TOP = 76;
const BOTTOM = 44;
/** A rough width of one character at 12 px, to leave room for labels (no font metrics in an SVG string). */
const CHAR_WIDTH = 7;

/**
 * Draws the chart as an SVG document.
 *
 * @param chart - the title, the unit and the groups; values below 0 or not finite draw no bar and
 *   print "n/a".
 * @returns the SVG, as a string to write to a `.svg` file.
 * @example
 * ```ts
 * writeFileSync("docs/bench/fleet.svg", barChart({
 *   title: "Moving 100 ENIs",
 *   unit: "seconds",
 *   groups: [{ name: "100 ENIs", bars: [{ name: "eni-kit", p50: 24.6, p90: 26.4 }, { name: "bound", p50: 15.9, p90: 16.3 }] }],
 * }));
 * ```
 */
export function barChart({ title, unit, groups }: BarChart): string {
  const series = [...new Set(groups.flatMap((group) => group.bars.map((bar) => bar.name)))];
  const colour = (name: string) => PALETTE[series.indexOf(name) % PALETTE.length] ?? PALETTE[0];
  const usable = (value: number) => Number.isFinite(value) && value >= 0;
  const top = niceTop(
    Math.max(0, ...groups.flatMap((group) => group.bars.flatMap((bar) => [bar.p50, bar.p90].filter(usable)))),
  );
  const y = (value: number) => TOP + PLOT_HEIGHT * (1 - value / top.max);

  // Each group as wide as its bars, or its name.
  const widths = groups.map((group) =>
    Math.max(group.bars.length * (BAR_WIDTH + BAR_GAP) - BAR_GAP, group.name.length * CHAR_WIDTH),
  );
  const plotWidth = widths.reduce((sum, width) => sum + width, 0) + GROUP_GAP * Math.max(1, groups.length);
  const legendWidth =
    series.reduce((sum, name) => sum + 28 + name.length * CHAR_WIDTH, 0) +
    40 +
    "bar: p50, whisker: p90".length * CHAR_WIDTH;
  const width = Math.ceil(Math.max(LEFT + plotWidth + RIGHT, 24 + title.length * 9, 24 + legendWidth));
  const height = TOP + PLOT_HEIGHT + BOTTOM;

  const out: string[] = [];
  const text = (x: number, yAt: number, content: string, attributes = "") =>
    out.push(`<text x="${n(x)}" y="${n(yAt)}"${attributes}>${escapeXml(content)}</text>`);

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title" font-family="${escapeXml(FONT)}" font-size="12" fill="${TEXT}">`,
    `<title id="chart-title">${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  text(12, 24, title, ` font-size="16" font-weight="600"`);

  // The legend: a swatch per series, then what the bar and the whisker mean.
  let legendX = 12;
  for (const name of series) {
    out.push(`<rect class="swatch" x="${legendX}" y="38" width="14" height="14" fill="${colour(name)}"/>`);
    text(legendX + 20, 49, name, ` class="legend"`);
    legendX += 28 + name.length * CHAR_WIDTH;
  }
  out.push(`<path d="M${legendX + 8} 38v14M${legendX + 3} 38h10" stroke="${TEXT}" stroke-width="1.5" fill="none"/>`);
  text(legendX + 20, 49, "bar: p50, whisker: p90", ` fill="${MUTED}"`);

  // The vertical axis: gridlines and ticks, and the unit as its label.
  for (const tick of top.ticks) {
    out.push(
      `<line x1="${LEFT}" x2="${n(LEFT + plotWidth)}" y1="${n(y(tick))}" y2="${n(y(tick))}" stroke="#d1d9e0" stroke-width="1"/>`,
    );
    text(LEFT - 8, y(tick) + 4, format(tick), ` class="tick" text-anchor="end" fill="${MUTED}"`);
  }
  text(
    18,
    TOP + PLOT_HEIGHT / 2,
    unit,
    ` class="axis-label" text-anchor="middle" transform="rotate(-90 18 ${n(TOP + PLOT_HEIGHT / 2)})"`,
  );
  out.push(
    `<line x1="${LEFT}" x2="${n(LEFT + plotWidth)}" y1="${TOP + PLOT_HEIGHT}" y2="${TOP + PLOT_HEIGHT}" stroke="${TEXT}" stroke-width="1"/>`,
  );

  // The groups: bars centred in their slot, the group's name under them.
  let groupX = LEFT + GROUP_GAP / 2;
  for (const [index, group] of groups.entries()) {
    const groupWidth = widths[index] ?? 0;
    const barsWidth = group.bars.length * (BAR_WIDTH + BAR_GAP) - BAR_GAP;
    let barX = groupX + (groupWidth - barsWidth) / 2;
    for (const bar of group.bars) {
      const centre = barX + BAR_WIDTH / 2;
      const label = `${bar.name}, ${group.name}: p50 ${usable(bar.p50) ? format(bar.p50) : "n/a"}, p90 ${usable(bar.p90) ? format(bar.p90) : "n/a"} ${unit}`;
      out.push(`<g class="series"><title>${escapeXml(label)}</title>`);
      if (usable(bar.p50)) {
        out.push(
          `<rect class="bar" x="${n(barX)}" y="${n(y(bar.p50))}" width="${BAR_WIDTH}" height="${n(TOP + PLOT_HEIGHT - y(bar.p50))}" fill="${colour(bar.name)}"/>`,
        );
      }
      if (usable(bar.p90)) {
        const from = usable(bar.p50) ? y(bar.p50) : TOP + PLOT_HEIGHT;
        out.push(
          `<path class="whisker" d="M${n(centre)} ${n(from)}V${n(y(bar.p90))}M${n(centre - 8)} ${n(y(bar.p90))}h16" stroke="${TEXT}" stroke-width="1.5" fill="none"/>`,
        );
      }
      // The p50 above whatever is highest, so no line crosses it.
      const highest = Math.min(...[bar.p50, bar.p90].filter(usable).map(y), TOP + PLOT_HEIGHT);
      text(
        centre,
        highest - 6,
        usable(bar.p50) ? format(bar.p50) : "n/a",
        ` class="value" text-anchor="middle" font-size="11"`,
      );
      out.push("</g>");
      barX += BAR_WIDTH + BAR_GAP;
    }
    text(groupX + groupWidth / 2, TOP + PLOT_HEIGHT + 20, group.name, ` class="group-label" text-anchor="middle"`);
    groupX += groupWidth + GROUP_GAP;
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** A round top for the axis and its ticks (steps of 1, 2, 2.5 or 5 times a power of ten, about five of them). */
function niceTop(max: number): { max: number; ticks: number[] } {
  if (!(max > 0)) return { max: 1, ticks: [0, 0.5, 1] };
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) =>
    Number((index * step).toPrecision(12)),
  );
  return { max: top, ticks };
}

/** A figure as people read it: three significant digits at most, whole numbers from 100. */
function format(value: number): string {
  if (value >= 100) return value.toFixed(0);
  return String(Number(value.toPrecision(3)));
}

/** Coordinates to two decimals: exact enough, and short. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
