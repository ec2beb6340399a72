import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

// A Lambda bundled as CDK's NodejsFunction does with `minify: true`: everything bundled, names mangled.
const out = mkdtempSync(join(tmpdir(), "eni-kit-minified-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("a program bundled with esbuild --minify (the SDK bundled too)", () => {
  it("still names every EC2 action, maps a denied detach and a throttled read, and rate-limits reads as reads", () => {
    // Prepare
    const bundle = join(out, "program.mjs");
    buildSync({
      entryPoints: [fileURLToPath(new URL("./program.ts", import.meta.url))],
      outfile: bundle,
      bundle: true,
      minify: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "silent",
      // The SDK's CommonJS dependencies `require` Node built-ins.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });

    // Act
    const printed = execFileSync(process.execPath, [bundle], {
      encoding: "utf8",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NODE_OPTIONS: "" },
    });

    // Assess
    const result = JSON.parse(printed) as {
      callsByAction: Record<string, number> | string;
      denied: string;
      throttled: string;
      burstMs: number;
    };
    expect(result.callsByAction).toMatchObject({
      DescribeNetworkInterfaces: expect.any(Number),
      DescribeInstances: expect.any(Number),
      DetachNetworkInterface: 1,
      AttachNetworkInterface: 1,
    });
    expect(
      Object.keys(result.callsByAction as object).every((action) =>
        /^(Describe|Detach|Attach|Create)[A-Za-z]+$/.test(action),
      ),
    ).toBe(true);
    expect(result.denied).toBe("AccessDeniedError");
    expect(result.throttled).toBe("ThrottledError");
    expect(result.burstMs).toBeLessThan(1500);
  }, 60_000);
});
