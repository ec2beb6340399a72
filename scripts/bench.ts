/**
 * `npm run bench [-- --json] [-- --sizes 10,100,1000]`: eni-kit's speed and cost, measured on
 * the EC2 simulator under a virtual clock, so the figures are the same on every run and
 * machine (randomness is seeded too). Prints a table, or one JSON object with `--json`.
 *
 * - single move (detach 3 s, attach 2 s): eni-kit's `moveTo` beside the same move written with
 *   the SDK alone (its waiter's 20 s / 120 s delays);
 * - fleets with EC2's throttling on (./bench/fleet.ts): `Eni.moveAll` against the least time EC2's
 *   per-action buckets allow, beside a naive loop, one waiter per ENI;
 * - the SDK's waiter engine (`createWaiter`), which every eni-kit wait runs on: what it cannot do
 *   by itself, measured against what eni-kit does about it;
 * - the bundle of `import { Eni } from "eni-kit"` (peers external) and its import time.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Eni } from "../src/index.js";
import { clock, seedRandom, settle } from "./bench/clock.js";
import { fleets, fleetTable, fleetTargets } from "./bench/fleet.js";
import { waiterEngine } from "./bench/waiter-engine.js";
import { attachmentOf, sdkOnlyMove, world } from "./bench/world.js";
import { BUNDLE_LIMIT_GZIP_BYTES, bundleSize } from "./bundle-size.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const DETACH_MS = 3000;
const ATTACH_MS = 2000;
const TRANSITIONS_MS = DETACH_MS + ATTACH_MS;

const SINGLE_SEED = 20261128;
// The single move's world: fixed transitions, no latency, no throttling.
const singleWorld = () =>
  world(1, { timings: { createMs: 200, attachMs: ATTACH_MS, detachMs: DETACH_MS }, throttling: false });

async function singleMove() {
  const ours = await singleWorld();
  // The caller holds a snapshot (its read is counted apart): the move is `moveTo` itself.
  const snapshot = await settle(Eni.get(ours.ec2, ours.enis[0] ?? ""));
  const readCalls = ours.sim.calls.length;
  ours.sim.clearCalls();
  // The waits' jitter from a fixed seed, whatever the setup drew before.
  seedRandom(SINGLE_SEED);
  const started = Date.now();
  const moved = await settle(
    snapshot._unsafeUnwrap().moveTo(ours.standbys[0] ?? "", { expectedFrom: ours.primaries[0] ?? "" }),
  );
  if (moved.isErr()) throw moved.error;
  const ms = Date.now() - started;

  const sdk = await singleWorld();
  seedRandom(SINGLE_SEED);
  const sdkStarted = Date.now();
  // The SDK's own ENI waiter defaults: 20 s first delay, growing to 120 s.
  await settle(
    sdkOnlyMove(sdk.ec2, sdk.enis[0] ?? "", attachmentOf(sdk.sim, sdk.enis[0] ?? ""), sdk.standbys[0] ?? "", {
      minDelay: 20,
      maxDelay: 120,
    }),
  );
  const sdkMs = Date.now() - sdkStarted;
  return {
    ms,
    overheadMs: ms - TRANSITIONS_MS,
    apiCalls: ours.sim.calls.length,
    snapshotReadCalls: readCalls,
    sdkOnlyMs: sdkMs,
    sdkOnlyApiCalls: sdk.sim.calls.length,
    speedup: sdkMs / ms,
  };
}

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
  const single = await singleMove();
  const engine = await waiterEngine();
  const section = await fleets(sizes);
  clock.uninstall();
  const size = bundle();

  const targets = [
    {
      name: "single move: overhead over the 5 s of transitions (ms)",
      value: single.overheadMs,
      limit: 1000,
      met: single.overheadMs <= 1000,
    },
    { name: "single move: API calls", value: single.apiCalls, limit: 16, met: single.apiCalls <= 16 },
    {
      name: "single move: speedup over the SDK-only move (x)",
      value: Number(single.speedup.toFixed(2)),
      limit: 5,
      met: single.speedup >= 5,
    },
    ...fleetTargets(section.fleets),
    ...section.fleets.map((f) => {
      // The worst seed: calls other than the shared polls, per ENI.
      const perEni = Math.max(...f.runs.map((run) => (run.apiCalls - run.describeCalls) / f.enis));
      return {
        name: `fleet ${f.enis}: API calls besides the shared polls, per ENI`,
        value: Number(perEni.toFixed(2)),
        limit: 4,
        met: perEni <= 4,
      };
    }),
    {
      name: "bundle: minified and gzipped bytes, peers external",
      value: size.gzipBytes,
      limit: BUNDLE_LIMIT_GZIP_BYTES,
      met: size.gzipBytes <= BUNDLE_LIMIT_GZIP_BYTES,
    },
  ];
  const result = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    node: process.version,
    single,
    fleets: section,
    waiterEngine: engine,
    bundle: size,
    targets,
  };

  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`single move (detach ${s(DETACH_MS)}, attach ${s(ATTACH_MS)}), virtual clock`);
    console.log(
      `  eni-kit moveTo   ${s(single.ms).padStart(9)}  overhead ${s(single.overheadMs)}  ${single.apiCalls} API calls (+${single.snapshotReadCalls} for the Eni.get before it)`,
    );
    console.log(
      `  SDK alone        ${s(single.sdkOnlyMs).padStart(9)}  ${single.sdkOnlyApiCalls} API calls  (eni-kit ${single.speedup.toFixed(1)}x faster)`,
    );
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
    console.log("\ntargets");
    for (const target of targets)
      console.log(`  ${target.met ? "met    " : "NOT MET"}  ${target.name}: ${target.value} (limit ${target.limit})`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
