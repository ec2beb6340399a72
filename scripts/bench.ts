/**
 * `npm run bench [-- --json] [-- --sizes 10,100,1000]`: eni-kit's speed and cost, measured on
 * the EC2 simulator under a virtual clock, so the figures are the same on every run and
 * machine (randomness is seeded too). Prints a table, or one JSON object with `--json`.
 *
 * - single move (detach 3 s, attach 2 s): eni-kit's `moveTo` beside the same move written with
 *   the SDK alone (its waiter's 20 s / 120 s delays);
 * - fleets with EC2's throttling on: `Eni.moveAll` beside a naive loop, one waiter per ENI;
 * - the SDK's waiter engine (`createWaiter`), which every eni-kit wait runs on: what it cannot do
 *   by itself, measured against what eni-kit does about it;
 * - the bundle of `import { Eni } from "eni-kit"` (peers external) and its import time.
 */
import {
  AttachNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  type EC2Client,
  waitUntilNetworkInterfaceAvailable,
} from "@aws-sdk/client-ec2";
import FakeTimers from "@sinonjs/fake-timers";
import { createWaiter, WaiterState } from "@smithy/core/client";
import { errAsync, okAsync } from "neverthrow";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Eni } from "../src/index.js";
import { BATCH_SIZE, TICK_MS } from "../src/ec2/reader.js";
import { Ec2Simulator, type CallRecord } from "../src/testing/index.js";
import { NotFoundError, ThrottledError } from "../src/errors.js";
import { agreement, failing, notYet, pollUntil, retrying, timed, type Poll } from "../src/waiters.js";
import { BUNDLE_LIMIT_GZIP_BYTES, bundleSize } from "./bundle-size.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const DETACH_MS = 3000;
const ATTACH_MS = 2000;
const TRANSITIONS_MS = DETACH_MS + ATTACH_MS;

// Seeded randomness: the SDK's and the waiters' jitter use Math.random.
let seed = 20261128;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

// Captured before the clock is faked: the SDK needs a few real event-loop turns per request.
const realSetImmediate = globalThis.setImmediate;

// The virtual clock: timers and Date only; promises and microtasks stay real.
const clock = FakeTimers.install({
  now: Date.UTC(2026, 10, 28),
  toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"],
});

/**
 * Runs virtual time forward, timer by timer, until the promise settles. Requests in flight get
 * their real event-loop turns before each jump: otherwise the clock could jump to the next timer
 * (an operation's deadline, say) while they are still on their way.
 */
async function settle<T>(promise: PromiseLike<T>): Promise<T> {
  let done = false;
  const result = Promise.resolve(promise).finally(() => {
    done = true;
  });
  for (let steps = 0; !done; steps += 1) {
    if (steps > 5_000_000) throw new Error("the virtual clock ran away");
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => realSetImmediate(resolve));
    await clock.nextAsync();
  }
  return result;
}

/** A simulator with instances in one subnet and `count` ENIs, each attached to its own primary. */
async function world(count: number, throttling: boolean) {
  const sim = new Ec2Simulator({ timings: { createMs: 200, attachMs: ATTACH_MS, detachMs: DETACH_MS }, throttling });
  const { vpcId } = sim.addVpc({ cidr: "10.0.0.0/16" });
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.0.0/17" });
  const primaries = Array.from({ length: count }, () => sim.addInstance({ subnetId }).instanceId);
  const standbys = Array.from({ length: count }, () => sim.addInstance({ subnetId }).instanceId);
  const enis = Array.from({ length: count }, () => sim.addNetworkInterface({ subnetId }).networkInterfaceId);
  const setup = sim.client();
  const attached = await settle(
    Eni.attachAll(
      setup,
      enis.map((eniId, index) => ({ eniId, instanceId: primaries[index] ?? "" })),
    ),
  );
  if (attached.isErr() || attached.value.failed > 0) throw new Error("setup failed");
  // A minute of quiet, so EC2's buckets are full again when the measured run starts.
  await clock.tickAsync(60_000);
  sim.clearCalls();
  // A fresh client, so nothing (rate-limit tokens, cached reads) carries over from the setup.
  return { sim, ec2: sim.client(), primaries, standbys, enis };
}

const attachmentOf = (sim: Ec2Simulator, eniId: string) => sim.networkInterface(eniId)?.Attachment?.AttachmentId ?? "";

/** The straightforward move with the SDK alone: detach, its ENI waiter at defaults, attach, wait on the same delays. */
async function sdkOnlyMove(
  ec2: EC2Client,
  eniId: string,
  attachmentId: string,
  to: string,
  waits: { minDelay: number; maxDelay: number },
): Promise<void> {
  await ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
  await waitUntilNetworkInterfaceAvailable(
    { client: ec2, maxWaitTime: 900, ...waits },
    { NetworkInterfaceIds: [eniId] },
  );
  await ec2.send(
    new AttachNetworkInterfaceCommand({
      NetworkInterfaceId: eniId,
      InstanceId: to,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
    }),
  );
  const attached = await createWaiter({ client: ec2, maxWaitTime: 900, ...waits }, eniId, async () => {
    const output = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    return {
      state: output.NetworkInterfaces?.[0]?.Attachment?.Status === "attached" ? WaiterState.SUCCESS : WaiterState.RETRY,
    };
  });
  if (attached.state !== WaiterState.SUCCESS) throw new Error(`in-use wait ended ${attached.state}`);
}

const countBy = (calls: readonly CallRecord[], action: string) => calls.filter((call) => call.action === action).length;

async function singleMove() {
  const ours = await world(1, false);
  // The caller holds a snapshot (its read is counted apart): the move is `moveTo` itself.
  const snapshot = await settle(Eni.get(ours.ec2, ours.enis[0] ?? ""));
  const readCalls = ours.sim.calls.length;
  ours.sim.clearCalls();
  const started = Date.now();
  const moved = await settle(
    snapshot._unsafeUnwrap().moveTo(ours.standbys[0] ?? "", { expectedFrom: ours.primaries[0] ?? "" }),
  );
  if (moved.isErr()) throw moved.error;
  const ms = Date.now() - started;

  const sdk = await world(1, false);
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

/** p50, p90 and max of some figures. */
function spread(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p90: at(0.9), max: at(1) };
}

const ENGINE_SEEDS = 200;
// The default schedule: 0.25 s first delay, 1 s at most.
const DEFAULT_DELAYS = { minDelay: 0.25, maxDelay: 1 };

/**
 * What `createWaiter` cannot do by itself, each measured over ENGINE_SEEDS seeds against what
 * eni-kit does about it (src/waiters.ts, `onWaiterEngine`):
 * - confirming a verdict (the ENI gone, say) that appears after ten reads of nothing: agreeing
 *   reads on the engine's own schedule, against eni-kit's confirming waiter, `minDelay` apart;
 * - a 10 s wait that never ends: the engine's last look and its end, against eni-kit's;
 * - an abort during a retry's delay: how long the engine's timer then lingers.
 */
async function waiterEngine() {
  const gone = NotFoundError.of("network-interface", "eni-0bench");
  const verdictAfter = 10;
  const confirmAlone: number[] = [];
  const confirmOurs: number[] = [];
  const lastLookAlone: number[] = [];
  const endAlone: number[] = [];
  const lastLookOurs: number[] = [];
  const endOurs: number[] = [];
  const lingerMs: number[] = [];
  for (let run = 1; run <= ENGINE_SEEDS; run += 1) {
    seed = run;
    // Confirming: the engine alone, its acceptor counting agreeing reads as eni-kit does.
    let reads = 0;
    let verdictAt = 0;
    const stands = agreement(DEFAULT_DELAYS);
    await settle(
      createWaiter({ client: undefined, maxWaitTime: 600, ...DEFAULT_DELAYS }, undefined, () => {
        reads += 1;
        if (reads === verdictAfter + 1) verdictAt = Date.now();
        return Promise.resolve({
          state: reads > verdictAfter && stands("gone") ? WaiterState.SUCCESS : WaiterState.RETRY,
        });
      }),
    );
    confirmAlone.push(Date.now() - verdictAt);
    // Confirming: eni-kit's wait.
    let ourReads = 0;
    await settle(
      timed({ maxWaitTime: 600, ...DEFAULT_DELAYS, abortSignal: undefined }, "bench", (wait) =>
        pollUntil("the bench", wait, () => {
          ourReads += 1;
          if (ourReads === verdictAfter + 1) verdictAt = Date.now();
          return okAsync<Poll<never>, never>(ourReads > verdictAfter ? failing(gone, "gone") : notYet("pending"));
        }),
      ),
    );
    confirmOurs.push(Date.now() - verdictAt);

    // A 10 s wait that never ends.
    let started = Date.now();
    let last = 0;
    await settle(
      createWaiter({ client: undefined, maxWaitTime: 10, ...DEFAULT_DELAYS }, undefined, () => {
        last = Date.now() - started;
        return Promise.resolve({ state: WaiterState.RETRY });
      }),
    );
    lastLookAlone.push(last - 10_000);
    endAlone.push(Date.now() - started - 10_000);
    started = Date.now();
    await settle(
      timed({ maxWaitTime: 10, ...DEFAULT_DELAYS, abortSignal: undefined }, "bench", (wait) =>
        pollUntil("the bench", wait, () => {
          last = Date.now() - started;
          return okAsync<Poll<never>, never>(notYet("pending"));
        }),
      ),
    );
    lastLookOurs.push(last - 10_000);
    endOurs.push(Date.now() - started - 10_000);

    // An abort during a retry's delay, 5–30 s into a throttled send.
    const controller = new AbortController();
    const abortAt = Date.now() + 5_000 + Math.floor(Math.random() * 25_000);
    setTimeout(() => controller.abort(), abortAt - Date.now());
    await settle(
      timed({ maxWaitTime: 600, ...DEFAULT_DELAYS, abortSignal: controller.signal }, "bench", (wait) =>
        retrying(wait, () => errAsync(new ThrottledError("Request limit exceeded.", { code: "RequestLimitExceeded" }))),
      ),
    );
    await clock.runAllAsync();
    lingerMs.push(Date.now() - abortAt);
  }
  return {
    seeds: ENGINE_SEEDS,
    confirmVerdictMs: { engineAlone: spread(confirmAlone), eniKit: spread(confirmOurs) },
    lastLookAfterDeadlineMs: { engineAlone: spread(lastLookAlone), eniKit: spread(lastLookOurs) },
    endAfterDeadlineMs: { engineAlone: spread(endAlone), eniKit: spread(endOurs) },
    timerLingeringAfterAbortMs: spread(lingerMs),
  };
}

/** Describe calls per poll tick: the most in any one tick. */
function describesPerTick(calls: readonly CallRecord[]): number {
  const perTick = new Map<number, number>();
  for (const call of calls)
    if (call.action === "DescribeNetworkInterfaces")
      perTick.set(Math.floor(call.time / TICK_MS), (perTick.get(Math.floor(call.time / TICK_MS)) ?? 0) + 1);
  return Math.max(0, ...perTick.values());
}

async function fleet(count: number) {
  const ours = await world(count, true);
  const started = Date.now();
  const report = await settle(
    Eni.moveAll(
      ours.ec2,
      ours.enis.map((eniId, index) => ({
        eniId,
        to: ours.standbys[index] ?? "",
        expectedFrom: ours.primaries[index] ?? "",
      })),
    ),
  );
  if (report.isErr()) throw report.error;
  const ms = Date.now() - started;
  const calls = ours.sim.calls;
  const mutating = countBy(calls, "DetachNetworkInterface") + countBy(calls, "AttachNetworkInterface");
  const throttledErrors = report.value.results.filter(
    ({ result }) =>
      result.isErr() &&
      (result.error.name === "ThrottledError" ||
        (result.error.name === "MoveFailedError" && result.error.reason.name === "ThrottledError")),
  ).length;

  // The naive loop: every ENI its own detach, waiter and attach, all at once, on the SDK alone.
  const naive = await world(count, true);
  const naiveStarted = Date.now();
  const outcomes = await settle(
    Promise.all(
      naive.enis.map((eniId, index) =>
        sdkOnlyMove(naive.ec2, eniId, attachmentOf(naive.sim, eniId), naive.standbys[index] ?? "", {
          minDelay: 1,
          maxDelay: 5,
        }).then(
          () => "moved",
          (error: unknown) =>
            (error as { name?: string }).name === "RequestLimitExceeded" ||
            String(error).includes("RequestLimitExceeded")
              ? "throttled"
              : "failed",
        ),
      ),
    ),
  );
  return {
    enis: count,
    ms,
    moved: report.value.succeeded,
    failed: report.value.failed,
    apiCalls: calls.length,
    mutatingCalls: mutating,
    describeCalls: countBy(calls, "DescribeNetworkInterfaces") + countBy(calls, "DescribeInstances"),
    describesPerTick: describesPerTick(calls),
    batches: Math.ceil(count / BATCH_SIZE),
    throttledAtEc2: calls.filter((call) => call.outcome === "RequestLimitExceeded").length,
    throttledErrors,
    naive: {
      ms: Date.now() - naiveStarted,
      apiCalls: naive.sim.calls.length,
      describesPerTick: describesPerTick(naive.sim.calls),
      moved: outcomes.filter((outcome) => outcome === "moved").length,
      throttledErrors: outcomes.filter((outcome) => outcome === "throttled").length,
      throttledAtEc2: naive.sim.calls.filter((call) => call.outcome === "RequestLimitExceeded").length,
    },
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
  const fleets = [];
  for (const size of sizes) fleets.push(await fleet(size));
  clock.uninstall();
  const size = bundle();

  const largest = fleets.at(-1);
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
    ...fleets.map((f) => ({
      name: `fleet ${f.enis}: Describe calls per poll tick (limit: one per batch of ${BATCH_SIZE} ids)`,
      value: f.describesPerTick,
      limit: f.batches,
      met: f.describesPerTick <= f.batches,
    })),
    {
      name: `fleet ${largest?.enis}: throttling errors reaching the caller`,
      value: largest?.throttledErrors ?? Number.NaN,
      limit: 0,
      met: largest?.throttledErrors === 0,
    },
    ...fleets.map((f) => ({
      name: `fleet ${f.enis}: API calls besides the shared polls, per ENI`,
      value: Number(((f.apiCalls - f.describeCalls) / f.enis).toFixed(2)),
      limit: 4,
      met: (f.apiCalls - f.describeCalls) / f.enis <= 4,
    })),
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
    fleets,
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
    console.log("\nfleet moves with EC2's throttling on");
    console.log(
      "  ENIs  | eni-kit: time      calls  describes/tick  throttled@EC2  errors | naive loop: time   calls  describes/tick  throttled@EC2  errors  moved",
    );
    for (const f of fleets) {
      console.log(
        `  ${String(f.enis).padStart(5)} | ${s(f.ms).padStart(10)} ${String(f.apiCalls).padStart(10)} ${String(f.describesPerTick).padStart(15)} ${String(f.throttledAtEc2).padStart(14)} ${String(f.throttledErrors).padStart(7)} | ` +
          `${s(f.naive.ms).padStart(10)} ${String(f.naive.apiCalls).padStart(7)} ${String(f.naive.describesPerTick).padStart(15)} ${String(f.naive.throttledAtEc2).padStart(14)} ${String(f.naive.throttledErrors).padStart(7)} ${String(f.naive.moved).padStart(6)}`,
      );
    }
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
