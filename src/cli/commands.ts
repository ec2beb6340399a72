/**
 * The commands of `eni-kit`, on the library's public API (`context.lib`, loaded by src/cli/main.ts
 * only when a command runs, and with it the AWS SDK).
 *
 * @module
 */
import type { EniError, EniEvent, EniState, MoveEvent } from "eni-kit";
import { exitCode, exitCodeOf } from "./exit-codes.js";
import { describeEni, describeReport, eniTable, stateJson, whereIs } from "./output.js";
import type { CommandContext } from "./context.js";

const ABORTED = Symbol("aborted");

/** Resolves when Ctrl-C is pressed (at once if it was). */
function aborted(signal: AbortSignal): Promise<typeof ABORTED> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(ABORTED);
    signal.addEventListener("abort", () => resolve(ABORTED), { once: true });
  });
}

/** The instance `--to` names: itself, or, for `self`, this instance's id from the metadata service (IMDSv2). */
async function instanceOf(context: CommandContext, to: string): Promise<string | Error> {
  if (to !== "self") return to;
  const { MetadataService } = await context.modules.metadata();
  const service = new MetadataService({
    ...(context.metadataEndpoint !== undefined && { endpoint: context.metadataEndpoint }),
    // IMDSv2 only, and quick to fail off EC2: the default would retry for seconds, then fall back to IMDSv1.
    ec2MetadataV1Disabled: true,
    httpOptions: { timeout: 2000 },
    retries: 1,
    backoff: 0.2,
  });
  try {
    // Not left to the metadata client's own timeouts: Ctrl-C ends the wait (IMDS can hang, as
    // in a container whose hop limit drops its replies).
    const answer = await Promise.race([service.request("latest/meta-data/instance-id", {}), aborted(context.signal)]);
    if (answer === ABORTED)
      return new Error("--to self: interrupted while reading this instance's id from the instance metadata service");
    const id = answer.trim();
    context.output.line(`--to self: this instance is ${id}`);
    return id;
  } catch (error) {
    return new Error(
      `--to self: could not read this instance's id from the instance metadata service (IMDSv2): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Ends a command with an eni-kit error; after Ctrl-C, reads and prints where the ENI was left. */
async function fail(context: CommandContext, error: EniError, eniId?: string): Promise<number> {
  const code = exitCodeOf(error);
  let detail: string | undefined;
  if (code === exitCode("interrupted") && eniId !== undefined && error.name !== "MoveFailedError") {
    const ec2 = await context.ec2();
    const now = await context.lib.Eni.get(ec2, eniId, { abortSignal: AbortSignal.timeout(10_000) });
    detail = now.isOk()
      ? `${eniId} was left ${whereIs(now.value)}`
      : `${eniId}: could not read where it was left (${now.error.message})`;
  }
  context.output.failure(error, detail);
  return code;
}

/** Ends a command with an error outside eni-kit's (the metadata service): exit 1, or 130 after Ctrl-C. */
function failOutside(context: CommandContext, error: Error): number {
  context.output.failure(error);
  return exitCode(context.signal.aborted ? "interrupted" : "unexpected");
}

const onEvent = (context: CommandContext) => (event: EniEvent | MoveEvent) => context.output.event(event);
const maxWait = (seconds: number | undefined) => (seconds === undefined ? {} : { maxWaitTime: seconds });

/** The result of a command that ends with a snapshot. */
function snapshot(context: CommandContext, eni: EniState, headline: string): number {
  context.output.result({ eni: stateJson(eni) }, `${headline}\n${describeEni(eni)}`);
  return exitCode("ok");
}

/** `eni-kit ls`. */
export async function list(
  context: CommandContext,
  options: { name?: string; tag?: Record<string, string | true>; instance?: string; subnet?: string; status?: string },
): Promise<number> {
  const found = await context.lib.Eni.find(await context.ec2(), {
    name: options.name,
    tags: options.tag,
    instanceId: options.instance,
    subnetId: options.subnet,
    status: options.status as never,
    abortSignal: context.signal,
  });
  if (found.isErr()) return fail(context, found.error);
  const enis = found.value;
  context.output.result({ enis: enis.map(stateJson) }, enis.length === 0 ? "no ENI matches" : eniTable(enis));
  return exitCode("ok");
}

/** `eni-kit show ENI`. */
export async function show(context: CommandContext, eniId: string): Promise<number> {
  const eni = await context.lib.Eni.get(await context.ec2(), eniId, { abortSignal: context.signal });
  if (eni.isErr()) return fail(context, eni.error);
  context.output.result({ eni: stateJson(eni.value) }, describeEni(eni.value));
  return exitCode("ok");
}

/** `eni-kit create`. */
export async function create(
  context: CommandContext,
  options: {
    subnet: string;
    name: string;
    sg?: string[];
    description?: string;
    tag?: Record<string, string>;
    maxWait?: number;
  },
): Promise<number> {
  context.output.line(`creating ${options.name} in ${options.subnet}…`);
  const eni = await context.lib.Eni.create(await context.ec2(), {
    subnetId: options.subnet,
    name: options.name,
    securityGroupIds: options.sg,
    description: options.description,
    tags: options.tag,
    abortSignal: context.signal,
    ...maxWait(options.maxWait),
  });
  if (eni.isErr()) return fail(context, eni.error);
  return snapshot(context, eni.value, `created ${eni.value.id}`);
}

/** `eni-kit attach ENI --to I`. */
export async function attach(
  context: CommandContext,
  eniId: string,
  options: { to: string; deviceIndex?: number; maxWait?: number },
): Promise<number> {
  const to = await instanceOf(context, options.to);
  if (to instanceof Error) return failOutside(context, to);
  context.output.line(`attaching ${eniId} to ${to}`);
  const eni = await context.lib.Eni.get(await context.ec2(), eniId, { abortSignal: context.signal }).attachTo(to, {
    deviceIndex: options.deviceIndex,
    onEvent: onEvent(context),
    abortSignal: context.signal,
    ...maxWait(options.maxWait),
  });
  if (eni.isErr()) return fail(context, eni.error, eniId);
  return snapshot(context, eni.value, `attached ${eniId} to ${to}`);
}

/** `eni-kit detach ENI [--force | --force-after SEC]`. */
export async function detach(
  context: CommandContext,
  eniId: string,
  options: { force?: boolean; forceAfter?: number; maxWait?: number },
): Promise<number> {
  const ec2 = await context.ec2();
  const common = { onEvent: onEvent(context), abortSignal: context.signal };
  context.output.line(`detaching ${eniId}${options.force === true ? " (forced)" : ""}`);
  let eni = await context.lib.Eni.get(ec2, eniId, { abortSignal: context.signal }).detach({
    ...common,
    force: options.force,
    ...maxWait(options.forceAfter ?? options.maxWait),
  });
  if (
    options.forceAfter !== undefined &&
    eni.isErr() &&
    eni.error.name === "WaitTimeoutError" &&
    !context.signal.aborted
  ) {
    context.output.event({ type: "forced", eniId });
    eni = await context.lib.Eni.get(ec2, eniId, { abortSignal: context.signal }).detach({
      ...common,
      force: true,
      ...maxWait(options.maxWait),
    });
  }
  if (eni.isErr()) return fail(context, eni.error, eniId);
  return snapshot(context, eni.value, `detached ${eniId}`);
}

/** `eni-kit move ENI --to I`. */
export async function move(
  context: CommandContext,
  eniId: string,
  options: { to: string; expectedFrom?: string; forceAfter?: number; rollback: boolean; maxWait?: number },
): Promise<number> {
  const to = await instanceOf(context, options.to);
  if (to instanceof Error) return failOutside(context, to);
  const fence = options.expectedFrom === undefined ? "no fence" : `fence: from ${options.expectedFrom}`;
  context.output.line(`moving ${eniId} to ${to} (${fence})`);
  const moved = await context.lib.Eni.get(await context.ec2(), eniId, { abortSignal: context.signal }).moveTo(to, {
    expectedFrom: options.expectedFrom,
    forceAfter: options.forceAfter,
    rollback: options.rollback,
    onEvent: onEvent(context),
    abortSignal: context.signal,
    ...maxWait(options.maxWait),
  });
  if (moved.isErr()) {
    const error = moved.error;
    const detail = error.name === "MoveFailedError" ? describeReport(error.report) : undefined;
    if (detail === undefined) return fail(context, error, eniId);
    context.output.failure(error, detail);
    return exitCodeOf(error);
  }
  const eni = moved.value;
  const report = eni.moveReport;
  context.output.result(
    { eni: stateJson(eni), report },
    [report === undefined ? "" : describeReport(report), `${eni.id} is ${whereIs(eni)}`].filter(Boolean).join("\n"),
  );
  return exitCode("ok");
}

/** `eni-kit delete ENI [--detach-first]`. */
export async function remove(
  context: CommandContext,
  eniId: string,
  options: { detachFirst?: boolean; maxWait?: number },
): Promise<number> {
  context.output.line(`deleting ${eniId}${options.detachFirst === true ? " (detaching it first)" : ""}`);
  const deleted = await context.lib.Eni.delete(await context.ec2(), eniId, {
    detachFirst: options.detachFirst,
    onEvent: onEvent(context),
    abortSignal: context.signal,
    ...maxWait(options.maxWait),
  });
  if (deleted.isErr()) return fail(context, deleted.error, eniId);
  context.output.result(
    { deleted: deleted.value },
    deleted.value.alreadyGone ? `${eniId} was already gone` : `deleted ${eniId}`,
  );
  return exitCode("ok");
}

/** `eni-kit check-permissions ENI --to I`. */
export async function checkPermissions(
  context: CommandContext,
  eniId: string,
  options: { to: string; expectedFrom?: string },
): Promise<number> {
  const to = await instanceOf(context, options.to);
  if (to instanceof Error) return failOutside(context, to);
  const checked = await context.lib.checkPermissions(await context.ec2(), {
    eniId,
    to,
    expectedFrom: options.expectedFrom,
    abortSignal: context.signal,
  });
  if (checked.isErr()) return fail(context, checked.error);
  const report = checked.value;
  const lines = report.checks.map((check) => {
    const mark = check.allowed === true ? "allowed" : check.allowed === false ? "DENIED " : "unknown";
    return `  ${mark}  ec2:${check.action}${check.message === undefined ? "" : `  (${check.message})`}`;
  });
  const verdict = report.allAllowed
    ? "every request of the move would be allowed"
    : `${report.denied.length} denied, ${report.unknown.length} unknown`;
  context.output.result(
    {
      report: {
        ...report,
        checks: report.checks.map(({ error, ...check }) => ({
          ...check,
          error: error && { name: error.name, message: error.message },
        })),
      },
    },
    [`permissions to move ${eniId} to ${to}: ${verdict}`, ...lines].join("\n"),
  );
  if (report.denied.length > 0) return exitCode("access-denied");
  const unknown = report.checks.find((check) => check.allowed === "unknown")?.error;
  return unknown === undefined ? exitCode("ok") : exitCodeOf(unknown);
}

/** `eni-kit orphans [--older-than SEC] [--reap --yes]`. */
export async function orphans(
  context: CommandContext,
  options: { olderThan: number; owner: string; includeOnceAttached?: boolean; reap?: boolean; yes?: boolean },
): Promise<number> {
  if (options.reap === true && options.yes !== true) {
    context.output.failure(new Error("--reap deletes ENIs: add --yes to confirm."));
    return exitCode("validation");
  }
  const ec2 = await context.ec2();
  const rule = { olderThan: options.olderThan, owner: options.owner, includeOnceAttached: options.includeOnceAttached };
  const found = await context.lib.Eni.findOrphans(ec2, { ...rule, abortSignal: context.signal });
  if (found.isErr()) return fail(context, found.error);
  const listed = found.value;
  const table = listed.length === 0 ? "no orphan found" : eniTable(listed);
  if (options.reap !== true) {
    context.output.result({ orphans: listed.map(stateJson) }, table);
    return exitCode("ok");
  }
  const reaped = await context.lib.Eni.reapOrphans(ec2, listed, { ...rule, abortSignal: context.signal });
  if (reaped.isErr()) return fail(context, reaped.error);
  const report = reaped.value;
  context.output.result(
    {
      orphans: listed.map(stateJson),
      reaped: {
        ...report,
        failed: report.failed.map(({ id, error }) => ({ id, error: { name: error.name, message: error.message } })),
      },
    },
    [
      table,
      `deleted ${report.deleted.length}${report.deleted.length === 0 ? "" : `: ${report.deleted.join(", ")}`}`,
      ...report.skipped.map(({ id, reason }) => `skipped ${id}: ${reason}`),
      ...report.failed.map(({ id, error }) => `failed ${id}: ${error.name}: ${error.message}`),
    ].join("\n"),
  );
  const failed = report.failed[0];
  return failed === undefined ? exitCode("ok") : exitCodeOf(failed.error);
}

/** `eni-kit demo`. */
export async function demo(context: CommandContext, options: { speed: number }): Promise<number> {
  const { simulatedStage, tellStory } = await import("./demo.js");
  const steps: string[] = [];
  const { output } = context;
  const voice = {
    say: (text: string) => {
      steps.push(text);
      output.line(text);
      output.note("step", text);
    },
    detail: (text: string) => {
      steps.push(`  ${text}`);
      if (output.mode === "human") output.line(`  ${text}`);
      output.note("detail", text);
    },
  };
  const story = async () => {
    const [sdk, testing] = await Promise.all([context.modules.sdk(), context.modules.testing()]);
    const stage = await simulatedStage(voice, { sdk, lib: context.lib, testing }, options.speed);
    return tellStory(stage, voice);
  };
  // Ctrl-C ends the demo at once: its EC2 is a simulator in this process, nothing is left behind.
  const told = await Promise.race([story(), aborted(context.signal)]);
  if (told === ABORTED) {
    output.line("interrupted: the demo's EC2 was a simulator in this process, so nothing is left behind");
    return exitCode("interrupted");
  }
  if (told instanceof Error) {
    output.failure(told);
    return exitCode("unexpected");
  }
  output.result({ steps }, "");
  return exitCode("ok");
}
