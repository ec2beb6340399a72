/**
 * Tests the package as published: `npm pack`, install the tarball into a fresh project in a
 * temporary directory, then use it from an ES module, from CommonJS, and from TypeScript with
 * `moduleResolution` `node10`, `node16` and `bundler` and with `exactOptionalPropertyTypes`; and hold `import { Eni }` to its bundle-size budget,
 * without any of the command's dependencies. Then run the packed `eni-kit` bin from the consumer's
 * node_modules/.bin: `--help` (loading no AWS SDK module), a bad argument, `demo`, and `--to self`
 * against a fake IMDSv2 on the loopback.
 * Run after `npm run build`.
 *
 *   npx tsx scripts/check-package.ts [--keep]
 *
 * The package comes from the tarball only. Its peer dependencies (`@aws-sdk/client-ec2`,
 * `neverthrow`) are linked from this repository's node_modules, as a user's own copies would be,
 * so the SDK is not downloaded again on every run. Its one dependency, `@smithy/core` (the SDK's
 * waiter engine), npm installs from the registry, as it would for a user.
 *
 * The consumers run on the Node.js that runs this script, and say which; `.ci/run` runs it on
 * Node.js 20, 22 and 24.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fakeImds } from "../test/cli/fake-imds.js";
import { fakeEc2, isSdkModule, loadedModules } from "./bench/cli-startup.js";
import { BUNDLE_LIMIT_GZIP_BYTES, CLI_ONLY_PACKAGES, bundleSize } from "./bundle-size.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const started = performance.now();

function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NODE_OPTIONS: "" },
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}${stderr}`, { cause: error });
  }
}

function step(name: string, action: () => string | void): void {
  const start = performance.now();
  const detail = action();
  console.log(`  ✓ ${name} (${Math.round(performance.now() - start)} ms)${detail ? `: ${detail}` : ""}`);
}

async function stepAsync(name: string, action: () => Promise<string>): Promise<void> {
  const start = performance.now();
  const detail = await action();
  console.log(`  ✓ ${name} (${Math.round(performance.now() - start)} ms)${detail ? `: ${detail}` : ""}`);
}

/** Runs a command without blocking this process (which may serve it: the fake IMDS). */
function runAsync(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NODE_OPTIONS: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const ENTRY_FILES = [
  "dist/index.js",
  "dist/index.cjs",
  "dist/index.d.ts",
  "dist/index.d.cts",
  "dist/testing/index.js",
  "dist/testing/index.cjs",
  "dist/testing/index.d.ts",
  "dist/testing/index.d.cts",
  "dist/cli/index.js",
];

/** The same small story for both module systems: a real call on the simulator, a typed error. */
const story = (moduleSystem: string) => `
const sim = new Ec2Simulator({ timings: { createMs: 0, attachMs: 0, detachMs: 0 } });
const { vpcId } = sim.addVpc();
const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
const { instanceId } = sim.addInstance({ subnetId });
const ec2 = sim.client();
const wait = { minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 10 };

const attached = await Eni.create(ec2, { subnetId, name: "package-check", ...wait }).attachTo(instanceId, wait);
assert.ok(attached.isOk(), attached.isErr() ? attached.error.message : "");
assert.ok(attached.value instanceof Eni);
assert.equal(attached.value.attachment?.instanceId, instanceId);

const bad = await Eni.get(ec2, "not-an-eni");
assert.ok(bad.isErr() && bad.error instanceof ValidationError && isEniError(bad.error));
assert.equal(typeof checkPermissions, "function");
assert.equal(typeof OWNERSHIP_TAGS, "object");
assert.equal(typeof Faults, "function");
console.log("${moduleSystem} on Node.js " + process.version + ": " + attached.value.id + " attached to " + instanceId);
`;

const ESM = `import assert from "node:assert/strict";
import { Eni, ValidationError, OWNERSHIP_TAGS, checkPermissions, isEniError } from "eni-kit";
import { Ec2Simulator, Faults } from "eni-kit/testing";

for (const [specifier, file] of [["eni-kit", "dist/index.js"], ["eni-kit/testing", "dist/testing/index.js"]]) {
  const url = import.meta.resolve(specifier);
  assert.ok(url.endsWith("/node_modules/eni-kit/" + file), specifier + " resolved to " + url);
}
${story("esm")}`;

const CJS = `"use strict";
const assert = require("node:assert/strict");
const { Eni, ValidationError, OWNERSHIP_TAGS, checkPermissions, isEniError } = require("eni-kit");
const { Ec2Simulator, Faults } = require("eni-kit/testing");

for (const [specifier, file] of [["eni-kit", "dist/index.cjs"], ["eni-kit/testing", "dist/testing/index.cjs"]]) {
  const path = require.resolve(specifier).replaceAll("\\\\", "/");
  assert.ok(path.endsWith("/node_modules/eni-kit/" + file), specifier + " resolved to " + path);
}
(async () => {${story("cjs")}})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** Type-level use: if the types resolved to `any`, the @ts-expect-error lines would fail the check. */
const TYPES = (
  moduleSystem: "esm" | "cjs",
) => `import { Eni, type EniError, type EniTask, type MoveOptions } from "eni-kit";
import { Ec2Simulator, type Ec2SimulatorOptions } from "eni-kit/testing";
import type { Result, ResultAsync } from "neverthrow";

const options: Ec2SimulatorOptions = { seed: 7, timings: { attachMs: 0 } };
const ec2 = new Ec2Simulator(options).client();
const task: EniTask = Eni.get(ec2, "eni-0123456789abcdef0");
const asResultAsync: ResultAsync<Eni, EniError> = task;
const move: MoveOptions = { expectedFrom: "i-0aaaaaaaaaaaaaaa1", forceAfter: 30 };
// What the runtime accepts as "not given" compiles under exactOptionalPropertyTypes too.
const unset: MoveOptions = { expectedFrom: undefined, forceAfter: undefined, maxWaitTime: undefined, onEvent: undefined };
const unsetSimulator: Ec2SimulatorOptions = { seed: undefined, timings: { attachMs: undefined } };

export function explain(error: EniError): string {
  switch (error.name) {
    case "AzMismatchError":
      return error.eniAz + " " + error.instanceAz;
    case "MoveFailedError":
      return error.phase + " " + String(error.rolledBack);
    default:
      return error.message;
  }
}

export async function use(): Promise<Result<Eni, EniError>> {
  return asResultAsync.andThen((eni) => eni.moveTo("i-0bbbbbbbbbbbbbbb2", move));
}

// @ts-expect-error: an id is a string
Eni.get(ec2, 42);
// @ts-expect-error: not an option of moveTo
task.moveTo("i-0bbbbbbbbbbbbbbb2", { expectedForm: "i-0aaaaaaaaaaaaaaa1" });
export const kind = "${moduleSystem}";
export const unsetOptions = [unset, unsetSimulator];
`;

const compilerOptions = {
  target: "ES2022",
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [] as string[],
  lib: ["ES2022"],
};

/**
 * The relative links of the packed Markdown files (README.md, the guides) that lead to no file of
 * the package, as `file: target`. A link to a directory must lead to one the package has files in.
 */
function brokenLinks(paths: readonly string[]): string[] {
  return paths
    .filter((path) => path.endsWith(".md"))
    .flatMap((page) =>
      [...readFileSync(join(repo, page), "utf8").matchAll(/\]\(([^)\s]+)\)/g)]
        .map((match) => (match[1] ?? "").split("#")[0] ?? "")
        .filter((target) => target !== "" && !/^[a-z]+:/.test(target))
        .filter((target) => {
          const resolved = posix.normalize(posix.join(posix.dirname(page), target));
          return !paths.some(
            (path) => path === resolved || path.startsWith(resolved.endsWith("/") ? resolved : `${resolved}/`),
          );
        })
        .map((target) => `${page}: ${target}`),
    );
}

// The consumers run on this script's Node.js (process.execPath); npm on the first `node` on PATH.
const npmVersions = JSON.parse(run("npm", ["version", "--json"], repo)) as { npm?: string; node?: string };
console.log(
  `Package check on Node.js ${process.version} (npm ${npmVersions.npm ?? "?"} on Node.js v${npmVersions.node ?? "?"}): the packed tarball, installed into a fresh project`,
);
const root = mkdtempSync(join(tmpdir(), "eni-kit-package-"));
try {
  check(existsSync(join(repo, "dist/index.js")), "dist/ is missing: run `npm run build` first.");
  let tarball = "";
  step("npm pack", () => {
    const [packed] = JSON.parse(
      run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", root], repo),
    ) as {
      filename: string;
      files: { path: string }[];
    }[];
    check(packed !== undefined, "npm pack reported no tarball");
    const paths = packed.files.map((file) => file.path);
    for (const file of [...ENTRY_FILES, "LICENSE", "README.md"])
      check(paths.includes(file), `the tarball lacks ${file}`);
    // The code, and the guides, charts and examples the README and guides link to, so their links
    // work from an installed package.
    const shipped = (path: string) =>
      path.startsWith("dist/") ||
      /^docs\/[\w-]+\.md$/.test(path) ||
      /^docs\/bench\/[\w-]+\.svg$/.test(path) ||
      /^examples\/[\w.-]+\.ts$/.test(path) ||
      ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "ARCHITECTURE.md"].includes(path);
    const stray = paths.filter((path) => !shipped(path));
    check(stray.length === 0, `the tarball holds files it should not: ${stray.join(", ")}`);
    const broken = brokenLinks(paths);
    check(broken.length === 0, `links in the packed guides lead nowhere in the package: ${broken.join(", ")}`);
    tarball = join(root, packed.filename);
    return `${packed.filename}, ${paths.length} files`;
  });

  const project = join(root, "consumer");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
  );
  step("npm install <tarball>", () => {
    // --legacy-peer-deps: npm would otherwise install the peers (the whole SDK) itself.
    run(
      "npm",
      [
        "install",
        tarball,
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--legacy-peer-deps",
        "--ignore-scripts",
        "--no-package-lock",
      ],
      project,
    );
    for (const peer of ["@aws-sdk/client-ec2", "neverthrow"]) {
      const link = join(project, "node_modules", peer);
      check(!existsSync(link), `npm installed the peer ${peer}; expected it left to the consumer`);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(repo, "node_modules", peer), link, "dir");
    }
  });

  writeFileSync(join(project, "esm.mjs"), ESM);
  writeFileSync(join(project, "cjs.cjs"), CJS);
  step("import from an ES module", () => run(process.execPath, ["esm.mjs"], project).trim());
  step("bundle size of import { Eni }", () => {
    const size = bundleSize("eni-kit", project);
    check(
      size.gzipBytes <= BUNDLE_LIMIT_GZIP_BYTES,
      `import { Eni } bundles to ${size.gzipBytes} B gzipped, over the budget of ${BUNDLE_LIMIT_GZIP_BYTES} B (docs/performance.md)`,
    );
    const pulled = [...size.modules, ...size.imports].filter(
      (module) => module.includes("eni-kit/dist/cli/") || CLI_ONLY_PACKAGES.some((name) => module.includes(name)),
    );
    check(pulled.length === 0, `import { Eni } pulls the command's code: ${pulled.join(", ")}`);
    return `${size.minifiedBytes} B minified, ${size.gzipBytes} B gzipped (budget ${BUNDLE_LIMIT_GZIP_BYTES} B), none of the command's dependencies`;
  });
  step("require from CommonJS", () => run(process.execPath, ["cjs.cjs"], project).trim());

  const bin = join(project, "node_modules", ".bin", "eni-kit");
  await stepAsync("eni-kit --help (the packed bin)", async () => {
    const { code, stdout } = await runAsync(bin, ["--help"], project);
    check(
      code === 0 && stdout.includes("Exit codes:") && stdout.includes("move [options] <eni>"),
      `eni-kit --help:\n${stdout}`,
    );
    const cli = join(project, "node_modules/eni-kit/dist/cli/index.js");
    const { modules, status } = await loadedModules([cli, "--help"], project);
    const sdk = modules.filter(isSdkModule);
    check(status === 0 && sdk.length === 0, `eni-kit --help loaded the AWS SDK: ${sdk.join(", ")}`);
    // The SDK is in the bin's bundle: the same check must see it in a command that talks to EC2.
    const command = await loadedModules(
      [cli, "show", "eni-0123456789abcdef0", "--endpoint", "http://127.0.0.1:9"],
      project,
    );
    check(command.modules.some(isSdkModule), "no SDK code found in a command that talks to EC2: the check is blind");
    return `exit 0, ${modules.length} modules loaded, none of the AWS SDK`;
  });
  await stepAsync("eni-kit with a bad argument", async () => {
    const { code, stderr } = await runAsync(bin, ["move", "eni-0123456789abcdef0"], project);
    check(code === 2 && stderr.includes("required option '--to <instance>'"), `exit ${code}:\n${stderr}`);
    return "exit 2";
  });
  await stepAsync("eni-kit demo --speed 10", async () => {
    const { code, stdout, stderr } = await runAsync(bin, ["demo", "--speed", "10"], project);
    check(code === 0 && stderr === "" && stdout.includes("5. Fail over"), `exit ${code}:\n${stdout}${stderr}`);
    return (
      stdout
        .trimEnd()
        .split("\n")
        .at(-1)
        ?.replace(/^\[[^\]]*\] /, "") ?? ""
    );
  });
  await stepAsync("eni-kit attach --to self (a fake IMDSv2 on the loopback)", async () => {
    const imds = await fakeImds("i-0123456789abcdef0");
    try {
      const { code, stdout, stderr } = await runAsync(
        bin,
        [
          "attach",
          "eni-0123456789abcdef0",
          "--to",
          "self",
          "--endpoint",
          "http://127.0.0.1:9",
          "--region",
          "us-east-1",
        ],
        project,
        {
          AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
          AWS_ACCESS_KEY_ID: "AKIDPACKAGECHECK",
          AWS_SECRET_ACCESS_KEY: "package-check",
        },
      );
      // The instance id comes from the fake IMDS; EC2 (a closed port) then fails: AwsError, exit 13.
      check(
        stdout.includes("--to self: this instance is i-0123456789abcdef0") && code === 13,
        `exit ${code}:\n${stdout}${stderr}`,
      );
      check(
        imds.requests.some((r) => r.method === "PUT") && imds.requests.some((r) => r.method === "GET" && r.token),
        `the bin did not use IMDSv2: ${JSON.stringify(imds.requests)}`,
      );
      return "the instance id from the token-guarded GET, then exit 13 (EC2 on a closed port)";
    } finally {
      await imds.close();
    }
  });

  await stepAsync("eni-kit ls --profile (the bundled SDK's credential chain)", async () => {
    const ec2 = await fakeEc2();
    try {
      writeFileSync(
        join(project, "credentials"),
        "[eni-kit-check]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = from-profile\n",
      );
      const { code, stdout, stderr } = await runAsync(
        bin,
        ["ls", "--profile", "eni-kit-check", "--region", "us-east-1", "--endpoint", ec2.endpoint, "--json"],
        project,
        {
          AWS_SHARED_CREDENTIALS_FILE: join(project, "credentials"),
          AWS_CONFIG_FILE: join(project, "no-config"),
          AWS_ACCESS_KEY_ID: "AKIDFROMENVIRONMENT",
          AWS_SECRET_ACCESS_KEY: "from-environment",
        },
      );
      check(code === 0 && stdout.includes('"enis"'), `exit ${code}:\n${stdout}${stderr}`);
      check(
        ec2.accessKeyIds.length > 0 && ec2.accessKeyIds.every((id) => id === "AKIDFROMPROFILE"),
        `requests signed with ${ec2.accessKeyIds.join(", ")}, not the profile's key`,
      );
      return `exit 0, ${ec2.accessKeyIds.length} request(s) signed with the profile's key, not the environment's`;
    } finally {
      await ec2.close();
    }
  });

  writeFileSync(join(project, "esm.ts"), TYPES("esm"));
  writeFileSync(join(project, "cjs.cts"), TYPES("cjs"));
  const tsconfigs = {
    // The legacy resolution many projects still use: no `exports`, so the subpath's types come
    // from `typesVersions`.
    node10: {
      compilerOptions: { ...compilerOptions, module: "commonjs", moduleResolution: "node10" },
      files: ["esm.ts"],
    },
    node16: {
      compilerOptions: { ...compilerOptions, module: "node16", moduleResolution: "node16" },
      files: ["esm.ts", "cjs.cts"],
    },
    bundler: {
      compilerOptions: { ...compilerOptions, module: "esnext", moduleResolution: "bundler" },
      files: ["esm.ts"],
    },
    // A consumer's stricter setting: an optional property typed without `| undefined` refuses it.
    exactOptionalPropertyTypes: {
      compilerOptions: {
        ...compilerOptions,
        module: "node16",
        moduleResolution: "node16",
        exactOptionalPropertyTypes: true,
      },
      files: ["esm.ts", "cjs.cts"],
    },
  };
  /** The declaration files each resolution must read from the tarball. */
  const TYPES_READ: Record<keyof typeof tsconfigs, string[]> = {
    node10: ["dist/index.d.cts", "dist/testing/index.d.cts"],
    node16: ["dist/index.d.ts", "dist/index.d.cts", "dist/testing/index.d.ts", "dist/testing/index.d.cts"],
    bundler: ["dist/index.d.ts", "dist/testing/index.d.ts"],
    exactOptionalPropertyTypes: [
      "dist/index.d.ts",
      "dist/index.d.cts",
      "dist/testing/index.d.ts",
      "dist/testing/index.d.cts",
    ],
  };
  const tsc = join(repo, "node_modules/typescript/bin/tsc");
  for (const [name, tsconfig] of Object.entries(tsconfigs)) {
    writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(tsconfig, null, 2));
    step(`tsc --noEmit, ${name}`, () => {
      // One run: the type check, and the files it read (to prove the types came from the tarball).
      const files = run(process.execPath, [tsc, "-p", `tsconfig.${name}.json`, "--listFiles"], project)
        .split("\n")
        .map((file) => file.trim().replaceAll("\\", "/"))
        .filter((file) => file.includes("/eni-kit/") || file.startsWith(repo.replaceAll("\\", "/") + "/src/"));
      const expected = TYPES_READ[name as keyof typeof tsconfigs];
      for (const file of expected)
        check(
          files.some((f) => f.endsWith(`/node_modules/eni-kit/${file}`)),
          `moduleResolution ${name} did not use ${file}: ${files.join(", ")}`,
        );
      check(
        !files.some((file) => file.includes("/src/")),
        `moduleResolution ${name} read source files: ${files.join(", ")}`,
      );
      return `types from ${expected.join(", ")}`;
    });
  }
  console.log(
    `Package check passed in ${((performance.now() - started) / 1000).toFixed(1)} s${keep ? ` (kept ${relative(process.cwd(), root)})` : ""}`,
  );
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
}
