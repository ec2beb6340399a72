/**
 * `npm run bench [-- --json] [-- --sizes 10,100,1000]`: eni-kit's speed and cost, measured on the
 * EC2 simulator under a virtual clock with seeded randomness, so the figures are the same on every
 * run and machine (only import time and the simulator's own cost are wall clock). Prints tables,
 * or one JSON object with `--json`, and writes the charts in docs/bench/. Every figure is a
 * distribution over many seeds (p50 / p90 / max); every target's limit is a goal written before
 * measuring.
 *
 * - single move (./bench/single-move.ts): `moveTo` with drawn transitions and 60–200 ms per call,
 *   over 200 seeds, above each run's floor, beside the SDK waiter at its defaults, tuned, and a
 *   1 s poll loop; and an oracle poller that knows EC2's fastest transitions, for what a number of
 *   API calls can buy at best;
 * - back to back (./bench/back-to-back.ts): an ENI's whole cycle on one client against fresh ones,
 *   on the realistic preset and on the default one;
 * - fleets with EC2's throttling on (./bench/fleet.ts): `Eni.moveAll` against the least time EC2's
 *   per-action buckets allow, beside a naive loop, one waiter per ENI;
 * - the SDK's waiter engine (./bench/waiter-engine.ts): what it cannot do by itself;
 * - the simulator's own cost against the size of its world (./bench/simulator-scale.ts);
 * - the bundle of `import { Eni } from "eni-kit"` (peers external) and its import time;
 * - the `eni-kit` command's start-up (./bench/cli-startup.ts): `--help` without the SDK, and a
 *   command's first request against `node -e 'require("@aws-sdk/client-ec2")'`, wall clock.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { mkdirSync, writeFileSync } from "node:fs";
import { clock } from "./bench/clock.js";
import { cliStartup, cliStartupTargets, printCliStartup } from "./bench/cli-startup.js";
import { backToBack, printBackToBack } from "./bench/back-to-back.js";
import { barChart } from "./bench/chart.js";
import { fleets, fleetTable, fleetTargets } from "./bench/fleet.js";
import { simulatorScale } from "./bench/simulator-scale.js";
import { CALL_TARGET, oracles, printOracles, printSingleMove, singleMove } from "./bench/single-move.js";
import { waiterEngine } from "./bench/waiter-engine.js";
import { BUNDLE_LIMIT_GZIP_BYTES, bundleSize } from "./bundle-size.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
function bundle() {
  // The published build, fresh: the bundle is measured from it, and the import time too.
  execFileSync("npx", ["tsup"], { cwd: root, stdio: "ignore" });
  const importMs = (module: string) => {
    const script = `const t = performance.now(); await import(${JSON.stringify(module)}); console.log(performance.now() - t);`;
    const runs = Array.from({ length: 5 }, () =>
      Number(
        execFileSync(process.execPath, ["--input-type=module", "-e", script], {
          cwd: root,
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
        }).toString(),
      ),
    );
    return runs.sort((a, b) => a - b)[2] ?? Number.NaN;
  };
  return {
    ...bundleSize("./dist/index.js", root),
    importMs: importMs(join(root, "dist/index.js")),
    sdkImportMs: importMs("@aws-sdk/client-ec2"),
  };
}

async function main() {
  const { values } = parseArgs({ options: { json: { type: "boolean" }, sizes: { type: "string" } } });
  const sizes = (values.sizes ?? "10,100,1000").split(",").filter(Boolean).map(Number);
  const started = performance.now();
  // The sections on the shared virtual clock first; the others install clocks of their own.
  const single = await singleMove();
  const oracle = await oracles(CALL_TARGET);
  const engine = await waiterEngine();
  const section = await fleets(sizes);
  clock.uninstall();
  // The realistic preset is what a user lives through; the default one (no latency) shows a tick's wait most plainly.
  const cycles = [await backToBack(), await backToBack({ preset: "default" })];
  const scale = await simulatorScale();
  const size = bundle();
  // After bundle(), which builds dist/ (the command runs from dist/cli).
  const cli = await cliStartup();
  const charts = writeCharts(single, section.fleets);

  const largestWorld = scale.worlds.at(-1);
  const worldRatio = largestWorld?.cpuVsEmpty ?? Number.NaN;
  const targets = [
    ...single.targets,
    ...cycles.map((cycle) => ({
      name: `back to back, ${cycle.preset} preset: every step of a cycle on one client within 10% of a fresh client (p50), 1 = yes`,
      value: cycle.allWithin10Percent ? 1 : 0,
      limit: 1,
      met: cycle.allWithin10Percent,
    })),
    ...fleetTargets(section.fleets),
    {
      name: `simulator: CPU per cycle with ${largestWorld?.otherEnis} other ENIs over an empty world (x)`,
      value: Number(worldRatio.toFixed(2)),
      limit: 1.5,
      met: worldRatio <= 1.5,
    },
    {
      name: `simulator: building ${scale.buildSize} ENIs (ms)`,
      value: Math.round(scale.buildMs),
      limit: 2000,
      met: scale.buildMs <= 2000,
    },
    {
      name: "bundle: minified and gzipped bytes, peers external",
      value: size.gzipBytes,
      limit: BUNDLE_LIMIT_GZIP_BYTES,
      met: size.gzipBytes <= BUNDLE_LIMIT_GZIP_BYTES,
    },
    ...cliStartupTargets(cli),
  ];
  const result = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    node: process.version,
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    single,
    oracles: oracle,
    backToBack: cycles,
    fleets: section,
    simulator: scale,
    charts,
    waiterEngine: engine,
    bundle: size,
    cli,
    targets,
  };

  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    printSingleMove(single);
    printOracles(oracle, CALL_TARGET);
    console.log("\nback to back: create → attach → move → detach → delete, one client against fresh clients");
    cycles.forEach(printBackToBack);
    console.log(
      `\nfleet moves with EC2's throttling on, p50 / p90 / max over the seeds (took ${(section.wallMs / 1000).toFixed(1)} s of wall clock, ${(section.cpuMs / 1000).toFixed(1)} s of CPU in ${section.lanes} processes)`,
    );
    console.log(fleetTable(section.fleets));
    const d = (x: { p50: number; p90: number; max: number }) =>
      `p50 ${s(x.p50)}, p90 ${s(x.p90)}, max ${s(x.max)}`.padEnd(38);
    console.log(
      `\nthe SDK's waiter engine (createWaiter), ${engine.seeds} seeds   engine alone                           eni-kit on it`,
    );
    const rows = [
      ["confirm a verdict seen after 10 reads", engine.confirmVerdictMs],
      ["last look after a 10 s deadline", engine.lastLookAfterDeadlineMs],
      ["end after a 10 s deadline", engine.endAfterDeadlineMs],
    ] as const;
    for (const [name, row] of rows) console.log(`  ${name.padEnd(52)} ${d(row.engineAlone)} ${d(row.eniKit)}`);
    console.log(`  ${"its timer still pending after an abort".padEnd(52)} ${d(engine.timerLingeringAfterAbortMs)}`);
    console.log(
      `\nbundle of import { Eni } from "eni-kit" (minified, peers external): ${size.minifiedBytes} B, ${size.gzipBytes} B gzipped`,
    );
    console.log(
      `import time in a fresh Node process (median of 5): ${size.importMs.toFixed(0)} ms, of which @aws-sdk/client-ec2 alone takes ${size.sdkImportMs.toFixed(0)} ms`,
    );
    printCliStartup(cli);
    console.log("\nthe simulator's own cost (wall clock), median per create → attach → move → detach → delete cycle");
    for (const w of scale.worlds)
      console.log(
        `  ${String(w.otherEnis).padStart(6)} other ENIs: ${w.cycleMs.toFixed(1)} ms wall, ${w.cycleCpuMs.toFixed(1)} ms CPU (${w.cpuVsEmpty.toFixed(2)}x the empty world), ${w.simulatorMs.toFixed(1)} ms in the simulator`,
      );
    console.log(
      `  building ${scale.buildSize} ENIs: ${scale.buildMs.toFixed(0)} ms; memory a cycle leaves (${scale.memory.method}): ${(scale.memory.heapBytesPerCycle / 1024).toFixed(1)} KB, call log ${scale.memory.callLogRecords} records`,
    );
    console.log(`\ncharts: ${charts.join(", ")}`);
    console.log(`bench ran in ${((performance.now() - started) / 1000).toFixed(1)} s (wall clock)`);
    console.log("\ntargets");
    for (const target of targets)
      console.log(`  ${target.met ? "met    " : "NOT MET"}  ${target.name}: ${target.value} (limit ${target.limit})`);
  }
}

/** The charts of docs/performance.md: eni-kit against the baselines, p50 bars and p90 whiskers. */
function writeCharts(
  single: Awaited<ReturnType<typeof singleMove>>,
  results: Awaited<ReturnType<typeof fleets>>["fleets"],
) {
  const dir = join(root, "docs", "bench");
  mkdirSync(dir, { recursive: true });
  const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
  const runners = Object.values(single.runners).filter((runner) => runner !== undefined);
  const singleSvg = barChart({
    title: `A single move, ${single.seeds} seeds: eni-kit and what users write without it`,
    unit: "seconds",
    groups: [
      {
        name: "time (floor p50 " + seconds(single.floorMs.p50) + " s)",
        bars: runners.map((r) => ({ name: r.name, p50: seconds(r.timeMs.p50), p90: seconds(r.timeMs.p90) })),
      },
      {
        name: "overhead above the floor",
        bars: runners.map((r) => ({ name: r.name, p50: seconds(r.overheadMs.p50), p90: seconds(r.overheadMs.p90) })),
      },
    ],
  });
  const fleetSvg = barChart({
    title: "Fleet moves with EC2's throttling on: eni-kit against the bound EC2's buckets allow",
    unit: "seconds",
    groups: results.map((f) => ({
      name: `${f.enis} ENIs`,
      bars: [
        { name: "eni-kit Eni.moveAll", p50: seconds(f.ms.p50), p90: seconds(f.ms.p90) },
        { name: "lower bound", p50: seconds(f.boundMs.p50), p90: seconds(f.boundMs.p90) },
        ...(f.naive === undefined
          ? []
          : [{ name: "naive loop (most ENIs fail)", p50: seconds(f.naive.ms.p50), p90: seconds(f.naive.ms.p90) }]),
      ],
    })),
  });
  const files = { "single-move.svg": singleSvg, "fleets.svg": fleetSvg };
  for (const [file, svg] of Object.entries(files)) writeFileSync(join(dir, file), svg);
  return Object.keys(files).map((file) => `docs/bench/${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
