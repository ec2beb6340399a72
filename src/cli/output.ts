/**
 * What the command writes, in its three modes: lines for a person (a spinner on a terminal, plain
 * lines elsewhere, no colour with `NO_COLOR`), one JSON object (`--json`), or NDJSON events as
 * they happen (`--events`). Loads no AWS SDK code: the spinner is imported only on a terminal.
 *
 * @module
 */
import type { EniError, EniEvent, EniState, MoveEvent, MoveReport } from "eni-kit";

/** Where the command writes: a stream's `write`, and whether it is a terminal (with a terminal's cursor moves). */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly cursorTo?: unknown;
}

/** How the command reports. */
export type OutputMode = "human" | "json" | "events";

/** A spinner, as the terminal mode drives it (yocto-spinner's shape). */
interface Spinner {
  start(text?: string): unknown;
  stop(finalText?: string): unknown;
  text: string;
}

/** The JSON form of an error: its name, message and fields, without the SDK's exception. */
export function errorJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key === "cause" || value === undefined) continue;
    if (value instanceof Error) fields[key] = errorJson(value);
    else if (key === "eni" && typeof value === "object" && value !== null) fields[key] = stateJson(value as EniState);
    else fields[key] = value;
  }
  return fields;
}

/** An ENI's snapshot for JSON: every field but `raw` (the SDK's shape, which `show --json` need not repeat). */
export function stateJson(state: EniState): Omit<EniState, "raw"> {
  const { raw: _raw, ...rest } = state;
  return rest;
}

/** SGR sequences: colours and styles, never cursor moves. */
// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[\d;]*m/g;

/**
 * A stream that writes to `stream` without colours: for `NO_COLOR` on a terminal, where the
 * spinner (yocto-spinner) colours by the process's environment, not the command's. The spinner
 * may replace this object's `write` to keep its line below the others; the copy's own `write` is
 * fixed, so that never loops.
 */
function withoutColour(stream: OutputStream): OutputStream {
  const write = stream.write.bind(stream);
  const terminal = stream as OutputStream & Record<string, unknown>;
  const bound = (name: string) => {
    const method = terminal[name];
    return typeof method === "function" ? (method as (...args: unknown[]) => unknown).bind(stream) : undefined;
  };
  return {
    isTTY: stream.isTTY,
    get columns() {
      return terminal["columns"];
    },
    cursorTo: bound("cursorTo"),
    moveCursor: bound("moveCursor"),
    clearLine: bound("clearLine"),
    write: (text: string) => write(String(text).replace(SGR, "")),
  } as OutputStream;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Where an ENI is, in a few words: `in-use on i-… (device 1, attached)`, `available, not attached`. */
export function whereIs(state: EniState): string {
  const a = state.attachment;
  return a === undefined
    ? `${state.status}, not attached`
    : `${state.status} on ${a.instanceId} (device ${a.deviceIndex}${a.networkCardIndex === 0 ? "" : `, card ${a.networkCardIndex}`}, ${a.status})`;
}

/** The snapshot as `show` prints it. */
export function describeEni(state: EniState): string {
  const ips = state.privateIpAddresses.map((ip) => `${ip.privateIp}${ip.primary ? " (primary)" : ""}`).join(", ");
  const rows: [string, string][] = [
    ["status", whereIs(state)],
    ["subnet", `${state.subnetId} (${state.vpcId}, ${state.availabilityZone})`],
    ["private IPs", ips || state.privateIp],
    ["public IP", state.publicIp ?? "none"],
    ["IPv6", state.ipv6Addresses.join(", ") || "none"],
    ["MAC", state.macAddress],
    ["security groups", state.securityGroups.map((g) => (g.name ? `${g.id} (${g.name})` : g.id)).join(", ") || "none"],
    ["description", state.description || "none"],
    ["type", state.interfaceType],
    ["source/dest check", state.sourceDestCheck ? "on" : "off"],
    [
      "tags",
      Object.entries(state.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ") || "none",
    ],
  ];
  if (state.attachment !== undefined)
    rows.splice(1, 0, [
      "attachment",
      `${state.attachment.id}, delete on termination: ${state.attachment.deleteOnTermination ? "yes" : "no"}`,
    ]);
  return [
    `${state.id}${state.name === undefined ? "" : `  ${state.name}`}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(18)} ${v}`),
  ].join("\n");
}

/** ENIs as `ls` prints them: one row each, under a header. */
export function eniTable(states: readonly EniState[]): string {
  const header = ["ID", "NAME", "STATUS", "INSTANCE", "DEVICE", "PRIVATE IP", "SUBNET", "AZ"];
  const rows = states.map((s) => [
    s.id,
    s.name ?? "-",
    s.status,
    s.attachment?.instanceId ?? "-",
    s.attachment === undefined ? "-" : String(s.attachment.deviceIndex),
    s.privateIp,
    s.subnetId,
    s.availabilityZone,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** A move's report as the human output ends with it. */
export function describeReport(report: MoveReport): string {
  const from =
    report.from === undefined
      ? "free"
      : report.from.kind === "attached"
        ? `${report.from.instanceId} (device ${report.from.deviceIndex})`
        : `${report.from.instanceId} (${report.from.instanceState}, the ENI was free)`;
  const phases = report.phases.map((p) => `${p.phase} ${seconds(p.durationMs)}${p.ok ? "" : " (failed)"}`).join(", ");
  const byAction = Object.entries(report.callsByAction)
    .map(([action, count]) => `${action} ${count}`)
    .join(", ");
  return [
    `move ${report.eniId}: ${report.outcome}`,
    `  from ${from} to ${report.to}`,
    `  took ${seconds(report.durationMs)}${phases === "" ? "" : `: ${phases}`}`,
    `  ${report.apiCalls} API calls${byAction === "" ? "" : ` (${byAction})`}, ${report.retries} retries`,
    `  forced: ${report.forced ? "yes" : "no"}, leased: ${report.leased ? "yes" : "no"}`,
  ].join("\n");
}

/** How {@link Output} is set up. */
export interface OutputOptions {
  readonly mode: OutputMode;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** The environment, for `NO_COLOR`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds since the command started. */
  readonly elapsed: () => number;
}

/**
 * The command's voice. Operations tell it their events; the command ends with {@link Output.result}
 * or {@link Output.failure}.
 */
export class Output {
  readonly #options: OutputOptions;
  #spinner: Spinner | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #phase: { name: string; startedAt: number } | undefined;
  #loadSpinner: Promise<((options: object) => Spinner) | undefined> | undefined;

  /** Where stdout's writes go: stdout itself, or, with `NO_COLOR`, a copy that strips colours (the spinner's too). */
  readonly #out: OutputStream;

  constructor(options: OutputOptions) {
    this.#options = options;
    this.#out = this.#plain ? withoutColour(options.stdout) : options.stdout;
  }

  get #plain(): boolean {
    const noColour = this.#options.env["NO_COLOR"];
    return noColour !== undefined && noColour !== "";
  }

  get mode(): OutputMode {
    return this.#options.mode;
  }

  /**
   * Whether the human output goes to a person's terminal, where a spinner shows the running phase.
   * Not in a CI job (`CI` set), even on a pseudo-terminal: yocto-spinner then draws no animation
   * but a new line at each redraw, ten a second.
   */
  get #terminal(): boolean {
    const { stdout, env } = this.#options;
    return this.mode === "human" && stdout.isTTY === true && env["TERM"] !== "dumb" && env["CI"] === undefined;
  }

  #colour(code: number, text: string): string {
    return this.#plain || !this.#terminal ? text : `\u001B[${code}m${text}\u001B[39m`;
  }

  #stamp(): string {
    return `[${seconds(this.#options.elapsed()).padStart(8)}]`;
  }

  /** Loads the spinner once, on a terminal only. */
  async prepare(): Promise<void> {
    if (!this.#terminal) return;
    this.#loadSpinner ??= import("yocto-spinner").then(
      (module) => module.default as unknown as (options: object) => Spinner,
      () => undefined,
    );
    const create = await this.#loadSpinner;
    // The spinner redraws its line with the cursor moves of a terminal's stream (tty.WriteStream).
    if (typeof this.#options.stdout.cursorTo === "function")
      this.#spinner = create?.({ stream: this.#out, handleSignals: false });
  }

  /** A line for a person (human mode only), with the time since the command started. */
  line(text: string): void {
    if (this.mode !== "human") return;
    this.#out.write(`${this.#stamp()} ${text}\n`);
  }

  /** An event of an operation: a progress line (human), an NDJSON line (events), nothing (json). */
  event(event: EniEvent | MoveEvent): void {
    const { mode } = this;
    if (mode === "events") {
      this.#ndjson({ time: new Date().toISOString(), elapsedMs: Math.round(this.#options.elapsed()), ...event });
      return;
    }
    if (mode !== "human") return;
    switch (event.type) {
      case "phase-start":
        this.#startPhase(event.phase);
        break;
      case "phase-end":
        this.#endPhase(event.phase, event.ok, event.durationMs);
        break;
      case "forced":
        this.#say(`${this.#colour(33, "!")} graceful detach too slow: forcing it`);
        break;
      case "retry":
        this.#say(`  retry in ${event.phase}: ${event.reason}`);
        break;
      case "state":
        if (this.#spinner !== undefined && this.#phase !== undefined) this.#spin();
        break;
      default:
        break;
    }
  }

  /** A line of a story (the demo) as an event of its own, in the events mode only. */
  note(type: string, text: string): void {
    if (this.mode === "events")
      this.#ndjson({ time: new Date().toISOString(), elapsedMs: Math.round(this.#options.elapsed()), type, text });
  }

  #say(text: string): void {
    this.#out.write(`${this.#stamp()} ${text}\n`);
  }

  #startPhase(name: string): void {
    this.#phase = { name, startedAt: this.#options.elapsed() };
    if (this.#spinner === undefined) {
      this.#say(`${name}…`);
      return;
    }
    this.#spinner.start(this.#spinText());
    this.#ticker ??= setInterval(() => this.#spin(), 100);
    this.#ticker.unref?.();
  }

  #spinText(): string {
    const phase = this.#phase;
    return phase === undefined ? "" : `${phase.name}… ${seconds(this.#options.elapsed() - phase.startedAt)}`;
  }

  #spin(): void {
    if (this.#spinner !== undefined) this.#spinner.text = this.#spinText();
  }

  #endPhase(name: string, ok: boolean, durationMs: number): void {
    const text = `${name} ${ok ? "done" : "failed"} in ${seconds(durationMs)}`;
    const mark = ok ? this.#colour(32, "✔") : this.#colour(31, "✖");
    this.#phase = undefined;
    this.#stopTicker();
    if (this.#spinner === undefined) {
      this.#say(`${mark} ${text}`);
      return;
    }
    this.#spinner.stop(`${this.#stamp()} ${mark} ${text}`);
  }

  #stopTicker(): void {
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** Stops the spinner (if any) without a line: before the command's last words. */
  close(): void {
    this.#stopTicker();
    this.#spinner?.stop();
    this.#phase = undefined;
  }

  #ndjson(value: object): void {
    this.#out.write(`${JSON.stringify(value)}\n`);
  }

  /** The command's result: `human` for a person, `json` as the one JSON object (or the last event). */
  result(json: object, human: string): void {
    this.close();
    if (this.mode === "json") this.#out.write(`${JSON.stringify(json, null, 2)}\n`);
    else if (this.mode === "events") this.#ndjson({ type: "result", ...json });
    else if (human !== "") this.#out.write(`${human}\n`);
  }

  /** The command's failure: the error on stderr, and as JSON on stdout in the JSON modes. */
  failure(error: EniError | Error, detail?: string): void {
    this.close();
    const json = errorJson(error);
    if (this.mode === "json") this.#out.write(`${JSON.stringify({ error: json }, null, 2)}\n`);
    else if (this.mode === "events") this.#ndjson({ type: "error", error: json });
    const lines = [`${this.#colour(31, "error")}: ${error.name}: ${error.message}`];
    if (detail !== undefined) lines.push(detail);
    this.#options.stderr.write(`${lines.join("\n")}\n`);
  }
}
