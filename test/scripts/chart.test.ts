import { describe, expect, it } from "vitest";
import { barChart, type BarChart } from "../../scripts/bench/chart.js";

/** An element of a parsed document. */
interface Element {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: Element[];
  text: string;
}

/**
 * A strict little XML parser, enough to prove a document well-formed: one root, every tag closed
 * in order, attributes quoted and not repeated, no raw `<` or stray `&` in text or attributes.
 * Throws on anything else.
 */
function parseXml(xml: string): Element {
  const entity = /&(?:#\d+|#x[0-9a-f]+|lt|gt|amp|quot|apos);/gi;
  const checkText = (text: string) => {
    if (text.replace(entity, "").includes("&")) throw new Error(`a stray & in ${JSON.stringify(text)}`);
  };
  const unescape = (text: string) =>
    text
      .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&");
  const stack: Element[] = [];
  let root: Element | undefined;
  const token =
    /<(\/?)([A-Za-z][\w.:-]*)((?:\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|([^<]+)|(<)/gy;
  for (let match = token.exec(xml); match !== null && match.index < xml.length; match = token.exec(xml)) {
    const [, closing, name = "", attributeText = "", selfClosing, text, stray] = match;
    if (stray !== undefined)
      throw new Error(`a malformed tag at ${match.index}: ${xml.slice(match.index, match.index + 40)}`);
    if (text !== undefined) {
      checkText(text);
      const parent = stack.at(-1);
      if (parent === undefined) {
        if (text.trim() !== "") throw new Error("text outside the root");
      } else parent.text += unescape(text);
      continue;
    }
    if (closing === "/") {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key = "", double, single] of attributeText.matchAll(
      /([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g,
    )) {
      if (key in attributes) throw new Error(`${key} twice on <${name}>`);
      const value = double ?? single ?? "";
      checkText(value);
      attributes[key] = unescape(value);
    }
    const element: Element = { name, attributes, children: [], text: "" };
    const parent = stack.at(-1);
    if (parent === undefined) {
      if (root !== undefined) throw new Error("a second root");
      root = element;
    } else parent.children.push(element);
    if (selfClosing !== "/") stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (root === undefined) throw new Error("no root element");
  return root;
}

const all = (element: Element): Element[] => [element, ...element.children.flatMap(all)];
const withClass = (root: Element, name: string) => all(root).filter((e) => e.attributes.class === name);
const texts = (root: Element) => all(root).map((e) => e.text);

const fleets: BarChart = {
  title: "Moving a fleet of ENIs, EC2 throttling on",
  unit: "seconds",
  groups: [
    {
      name: "10 ENIs",
      bars: [
        { name: "eni-kit", p50: 12.29, p90: 12.94 },
        { name: "bound", p50: 10.14, p90: 11.3 },
        { name: "naive loop", p50: 14.5, p90: 17.2 },
      ],
    },
    {
      name: "100 ENIs",
      bars: [
        { name: "eni-kit", p50: 24.58, p90: 26.41 },
        { name: "bound", p50: 15.88, p90: 16.25 },
        { name: "naive loop", p50: 27.8, p90: 28.4 },
      ],
    },
  ],
};

describe("the test's XML check", () => {
  it("rejects what is not well-formed", () => {
    expect(() => parseXml("<svg><g></svg></g>")).toThrow();
    expect(() => parseXml("<svg><text>a < b</text></svg>")).toThrow();
    expect(() => parseXml("<svg><text>a & b</text></svg>")).toThrow();
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow();
    expect(() => parseXml("<svg a=1/>")).toThrow();
    expect(() => parseXml("<svg/><svg/>")).toThrow();
    expect(() => parseXml("<svg>")).toThrow();
    expect(parseXml('<svg a="x &amp; y"><t>1 &lt; 2</t></svg>').children[0]?.text).toBe("1 < 2");
  });
});

describe("barChart", () => {
  it("is a well-formed SVG document with one bar and one whisker per series per group", () => {
    const svg = parseXml(barChart(fleets));

    expect(svg.name).toBe("svg");
    expect(svg.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(svg.attributes.viewBox).toBe(`0 0 ${svg.attributes.width} ${svg.attributes.height}`);
    expect(withClass(svg, "bar")).toHaveLength(6);
    expect(withClass(svg, "whisker")).toHaveLength(6);
    // One colour per series, the same in every group and in the legend.
    const fills = withClass(svg, "bar").map((bar) => bar.attributes.fill);
    expect(fills.slice(0, 3)).toEqual(fills.slice(3));
    expect(new Set(fills).size).toBe(3);
    expect(withClass(svg, "swatch").map((swatch) => swatch.attributes.fill)).toEqual(fills.slice(0, 3));
  });

  it("labels the chart: title, unit, legend, groups, and every p50 on its bar", () => {
    const svg = parseXml(barChart(fleets));

    expect(all(svg).find((e) => e.name === "title")?.text).toBe(fleets.title);
    expect(texts(svg)).toContain(fleets.title);
    expect(withClass(svg, "axis-label").map((e) => e.text)).toEqual(["seconds"]);
    expect(withClass(svg, "legend").map((e) => e.text)).toEqual(["eni-kit", "bound", "naive loop"]);
    expect(withClass(svg, "group-label").map((e) => e.text)).toEqual(["10 ENIs", "100 ENIs"]);
    expect(withClass(svg, "value").map((e) => e.text)).toEqual(["12.3", "10.1", "14.5", "24.6", "15.9", "27.8"]);
    expect(texts(svg).some((text) => text.includes("p90"))).toBe(true);
  });

  it("draws to scale: a round axis top, bar heights proportional to p50, whiskers reaching p90", () => {
    const svg = parseXml(
      barChart({
        title: "Scale",
        unit: "s",
        groups: [
          {
            name: "g",
            bars: [
              { name: "half", p50: 4, p90: 5 },
              { name: "whole", p50: 8, p90: 9 },
            ],
          },
        ],
      }),
    );

    // 9 at most: steps of 2, up to 10.
    expect(withClass(svg, "tick").map((e) => e.text)).toEqual(["0", "2", "4", "6", "8", "10"]);
    const [half, whole] = withClass(svg, "bar").map((bar) => ({
      top: Number(bar.attributes.y),
      height: Number(bar.attributes.height),
    }));
    const floor = (half?.top ?? 0) + (half?.height ?? 0);
    expect((whole?.top ?? 0) + (whole?.height ?? 0)).toBeCloseTo(floor);
    const perUnit = (whole?.height ?? 0) / 8;
    expect(half?.height).toBeCloseTo(4 * perUnit);
    // The axis' top tick sits 10 units above the floor.
    const tickY = (label: string) => {
      const line = withClass(svg, "tick").find((e) => e.text === label);
      return Number(line?.attributes.y) - 4;
    };
    expect(floor - tickY("10")).toBeCloseTo(10 * perUnit);
    // Each whisker runs from its bar's top to p90, with a cap there.
    const whiskers = withClass(svg, "whisker").map((path) => path.attributes.d ?? "");
    expect(whiskers[0]).toMatch(new RegExp(`^M[\\d.]+ ${half?.top}V${Number((floor - 5 * perUnit).toFixed(2))}M`));
    expect(whiskers[1]).toMatch(new RegExp(`^M[\\d.]+ ${whole?.top}V${Number((floor - 9 * perUnit).toFixed(2))}M`));
  });

  it("escapes names, and draws no bar for a figure it cannot (n/a), without breaking the document", () => {
    const xml = barChart({
      title: `Fleets <"quoted"> & 'so on'`,
      unit: "s & ms",
      groups: [
        {
          name: "a<b>",
          bars: [
            { name: "x & y", p50: Number.NaN, p90: 3 },
            { name: "z", p50: 0, p90: 0 },
          ],
        },
        { name: "empty", bars: [] },
      ],
    });
    const svg = parseXml(xml);

    expect(texts(svg)).toContain(`Fleets <"quoted"> & 'so on'`);
    expect(withClass(svg, "group-label").map((e) => e.text)).toEqual(["a<b>", "empty"]);
    expect(withClass(svg, "legend").map((e) => e.text)).toEqual(["x & y", "z"]);
    expect(withClass(svg, "bar")).toHaveLength(1);
    expect(withClass(svg, "value").map((e) => e.text)).toEqual(["n/a", "0"]);
    expect(xml).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("draws an empty chart without dividing by zero", () => {
    const xml = barChart({ title: "Nothing yet", unit: "s", groups: [] });

    expect(parseXml(xml).name).toBe("svg");
    expect(xml).not.toMatch(/NaN|Infinity|undefined/);
  });
});
