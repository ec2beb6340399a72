/**
 * `npx tsx scripts/bench/cli-startup.ts [--json]` (after `npm run build`): how fast the `eni-kit`
 * command starts, over many runs (p50 / p90 / max of the wall time from spawning `node` to the
 * moment measured), interleaved so that a busy machine slows each kind alike:
 *
 * - `node dist/cli/index.js --help`, to its exit; and which modules it loads (none of `@aws-sdk/*`
 *   or `@smithy/*`: the SDK is imported only by a command that talks to EC2);
 * - `node dist/cli/index.js ls` against a tiny fake EC2 on 127.0.0.1, to the moment its first
 *   request arrives (and to its exit);
 * - the baseline, `node -e 'require("@aws-sdk/client-ec2")'`, to its exit;
 * - for reference, the SDK alone sending the same request (a client, one `send`) to the fake, to
 *   the moment it arrives: what any program pays to talk to EC2, before the command's own share.
 *
 * The targets, written before measuring: `--help` loads no module of the SDK; the command's first
 * request comes at most 50 ms (p50) after the baseline's exit; and at most 50 ms (p50) after the
 * SDK alone's request (the command's own share of the start-up).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { spread } from "./virtual-time.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(root, "dist", "cli", "index.js");

/** The limit of the start-up target, in milliseconds over the baseline (p50). */
export const CLI_STARTUP_LIMIT_MS = 50;

/** The environment of every run: no SDK warning, fake credentials, no hooks from the parent (tsx). */
const ENV = {
  ...process.env,
  NODE_OPTIONS: "",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  AWS_ACCESS_KEY_ID: "AKIDBENCH",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_PROFILE: "",
  NO_COLOR: "1",
};

// Logs every module the process resolves, ES modules (a loader hook, in its own thread) and
// CommonJS ones (Module._resolveFilename), to the file in ENI_KIT_MODULE_LOG.
const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.ENI_KIT_MODULE_LOG, result.url + "\\n");
  return result;
}
`;
const REGISTER = `import Module, { register } from "node:module";
import { appendFileSync } from "node:fs";
register("./hooks.mjs", import.meta.url);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  appendFileSync(process.env.ENI_KIT_MODULE_LOG, file + "\\n");
  return file;
};
`;

/**
 * The modules `node <args>` loads, as resolved URLs and paths, and its exit code.
 *
 * @example
 * ```ts
 * const { modules } = await loadedModules([BIN, "--help"]);
 * ```
 */
export async function loadedModules(
  args: readonly string[],
  cwd = root,
): Promise<{ modules: string[]; status: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), "eni-kit-modules-"));
  try {
    writeFileSync(join(dir, "hooks.mjs"), HOOKS);
    writeFileSync(join(dir, "register.mjs"), REGISTER);
    const log = join(dir, "modules.log");
    writeFileSync(log, "");
    // Not spawnSync: the process may talk to a server of this one's (the fake EC2).
    const child = spawn(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, ...args], {
      cwd,
      env: { ...ENV, ENI_KIT_MODULE_LOG: log },
      stdio: "ignore",
    });
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", resolve);
    });
    const modules = [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
    return { modules, status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SDK_PATH = /node_modules[\\/]@(aws-sdk|smithy)[\\/]/;

/**
 * Whether a loaded module is the AWS SDK's (or its Smithy runtime's), or a chunk of the bin's
 * bundle with SDK code in it: esbuild heads each bundled module with a `// node_modules/…` line.
 * (Were the bin minified, those lines would go: {@link cliStartup} also checks that a command
 * seen to load the SDK is found to.)
 */
export function isSdkModule(module: string): boolean {
  if (SDK_PATH.test(module)) return true;
  const path = module.startsWith("file:") ? fileURLToPath(module) : module;
  if (!isAbsolute(path) || !/\.[cm]?js$/.test(path)) return false; // node:fs and the like
  return /^\/\/ node_modules\/@(aws-sdk|smithy)\//m.test(readFileSync(path, "utf8"));
}

/**
 * A tiny fake EC2: answers every request with an empty DescribeNetworkInterfaces, says when one
 * came, and keeps the access key id each was signed with.
 */
export async function fakeEc2() {
  let arrived: ((at: number) => void) | undefined;
  const accessKeyIds: string[] = [];
  const server = createServer((request, response) => {
    arrived?.(performance.now());
    accessKeyIds.push(/Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "");
    arrived = undefined;
    request.resume();
    request.on("end", () => {
      response
        .writeHead(200, { "content-type": "text/xml;charset=UTF-8" })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>bench</requestId><networkInterfaceSet/></DescribeNetworkInterfacesResponse>',
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accessKeyIds,
    nextRequest: () => new Promise<number>((resolve) => (arrived = resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Spawns `node <args>`; resolves to the milliseconds until it exited, and its exit code. */
function timed(args: readonly string[]): { started: number; done: Promise<{ exitMs: number; code: number | null }> } {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: ENV, stdio: "ignore" });
  const done = new Promise<{ exitMs: number; code: number | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve({ exitMs: performance.now() - started, code }));
  });
  return { started, done };
}

/** The figures of the section. */
export interface CliStartupFigures {
  readonly runs: number;
  /** `--help` to its exit. */
  readonly helpMs: { p50: number; p90: number; max: number };
  /** The modules `--help` loaded, and those of them that are the SDK's. */
  readonly helpModules: number;
  readonly helpSdkModules: string[];
  /** `ls` against the fake EC2: spawn to its first request, and to its exit. */
  readonly commandFirstRequestMs: { p50: number; p90: number; max: number };
  readonly commandExitMs: { p50: number; p90: number; max: number };
  /** Whether `ls` loaded the SDK (it must, or it measured nothing). */
  readonly commandLoadsSdk: boolean;
  /** The baseline: `node -e 'require("@aws-sdk/client-ec2")'` to its exit. */
  readonly sdkRequireMs: { p50: number; p90: number; max: number };
  /** The SDK alone: a client and one `send` to the fake, to the moment the request arrives. */
  readonly sdkRequestMs: { p50: number; p90: number; max: number };
  /** `commandFirstRequestMs.p50 - sdkRequireMs.p50`. */
  readonly overBaselineMs: number;
  /** `commandFirstRequestMs.p50 - sdkRequestMs.p50`: the command's own share. */
  readonly overSdkRequestMs: number;
}

/**
 * Measures the command's start-up. Needs `dist/` (run `npm run build` first; `npm run bench`
 * builds).
 *
 * @param runs - runs of each kind (at least 10).
 */
export async function cliStartup(runs = 20): Promise<CliStartupFigures> {
  const help = await loadedModules([BIN, "--help"]);
  if (help.status !== 0) throw new Error(`eni-kit --help exited ${help.status}`);
  const ec2 = await fakeEc2();
  try {
    const command = (endpoint: string) => [BIN, "ls", "--endpoint", endpoint, "--region", "us-east-1"];
    const withSdk = await loadedModules(command(ec2.endpoint));
    const helpMs: number[] = [];
    const firstRequestMs: number[] = [];
    const commandExitMs: number[] = [];
    const sdkMs: number[] = [];
    const sdkRequestMs: number[] = [];
    const sdkAlone = [
      "-e",
      `const { EC2Client, DescribeNetworkInterfacesCommand } = require("@aws-sdk/client-ec2");
new EC2Client({ region: "us-east-1", endpoint: ${JSON.stringify(ec2.endpoint)} }).send(new DescribeNetworkInterfacesCommand({}));`,
    ];
    // One warm-up of each, unmeasured: the first spawn pays for the disk cache.
    await timed(["-e", 'require("@aws-sdk/client-ec2")']).done;
    await timed([BIN, "--help"]).done;
    for (let run = 0; run < runs; run++) {
      sdkMs.push((await timed(["-e", 'require("@aws-sdk/client-ec2")']).done).exitMs);
      helpMs.push((await timed([BIN, "--help"]).done).exitMs);
      const request = ec2.nextRequest();
      const ls = timed(command(ec2.endpoint));
      const [arrivedAt, exit] = await Promise.all([request, ls.done]);
      if (exit.code !== 0) throw new Error(`eni-kit ls against the fake EC2 exited ${exit.code}`);
      firstRequestMs.push(arrivedAt - ls.started);
      commandExitMs.push(exit.exitMs);
      const alone = ec2.nextRequest();
      const sdkRun = timed(sdkAlone);
      const [aloneAt] = await Promise.all([alone, sdkRun.done]);
      sdkRequestMs.push(aloneAt - sdkRun.started);
    }
    const round = (s: { p50: number; p90: number; max: number }) => ({
      p50: Math.round(s.p50),
      p90: Math.round(s.p90),
      max: Math.round(s.max),
    });
    const first = round(spread(firstRequestMs));
    const sdk = round(spread(sdkMs));
    const sdkRequest = round(spread(sdkRequestMs));
    return {
      runs,
      helpMs: round(spread(helpMs)),
      helpModules: help.modules.length,
      helpSdkModules: help.modules.filter(isSdkModule),
      commandFirstRequestMs: first,
      commandExitMs: round(spread(commandExitMs)),
      commandLoadsSdk: withSdk.modules.some(isSdkModule),
      sdkRequireMs: sdk,
      sdkRequestMs: sdkRequest,
      overBaselineMs: first.p50 - sdk.p50,
      overSdkRequestMs: first.p50 - sdkRequest.p50,
    };
  } finally {
    await ec2.close();
  }
}

/** The section's targets, with their limits. */
export function cliStartupTargets(figures: CliStartupFigures) {
  return [
    {
      name: "cli: modules of the AWS SDK that `eni-kit --help` loads",
      value: figures.helpSdkModules.length,
      limit: 0,
      met: figures.helpSdkModules.length === 0,
    },
    {
      name: `cli: a command's first request after node -e 'require("@aws-sdk/client-ec2")' exits (p50, ms)`,
      value: figures.overBaselineMs,
      limit: CLI_STARTUP_LIMIT_MS,
      met: figures.commandLoadsSdk && figures.overBaselineMs <= CLI_STARTUP_LIMIT_MS,
    },
    {
      name: "cli: a command's first request after the SDK alone's (its own share of the start-up, p50, ms)",
      value: figures.overSdkRequestMs,
      limit: CLI_STARTUP_LIMIT_MS,
      met: figures.commandLoadsSdk && figures.overSdkRequestMs <= CLI_STARTUP_LIMIT_MS,
    },
  ];
}

/** Prints the section. */
export function printCliStartup(figures: CliStartupFigures): void {
  const d = (x: { p50: number; p90: number; max: number }) => `p50 ${x.p50} ms, p90 ${x.p90} ms, max ${x.max} ms`;
  console.log(`\nthe eni-kit command's start-up, wall clock from spawning node, ${figures.runs} runs each`);
  console.log(
    `  eni-kit --help, to exit                               ${d(figures.helpMs)} (${figures.helpModules} modules, ${figures.helpSdkModules.length} of the AWS SDK)`,
  );
  console.log(`  eni-kit ls (fake EC2 on 127.0.0.1), to its request   ${d(figures.commandFirstRequestMs)}`);
  console.log(`  eni-kit ls (fake EC2 on 127.0.0.1), to exit          ${d(figures.commandExitMs)}`);
  console.log(`  node -e 'require("@aws-sdk/client-ec2")', to exit    ${d(figures.sdkRequireMs)}`);
  console.log(`  the SDK alone (a client, one send), to its request   ${d(figures.sdkRequestMs)}`);
  console.log(
    `  the command's first request (p50): ${figures.overBaselineMs} ms after the baseline's exit, ${figures.overSdkRequestMs} ms after the SDK alone's request`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { json: { type: "boolean" }, runs: { type: "string" } } });
  const figures = await cliStartup(Number(values.runs ?? 20));
  if (values.json) console.log(JSON.stringify({ ...figures, targets: cliStartupTargets(figures) }, null, 2));
  else {
    printCliStartup(figures);
    for (const target of cliStartupTargets(figures))
      console.log(`  ${target.met ? "met    " : "NOT MET"}  ${target.name}: ${target.value} (limit ${target.limit})`);
  }
}
