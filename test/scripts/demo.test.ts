import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../..", import.meta.url));

describe("npm run demo", () => {
  it("tells its story without the SDK's warnings between the steps, and names the Node.js that ran it", async () => {
    // The test setup silences the SDK's Node.js warning for the suite; the demo must do it itself.
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined };
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      cwd: repo,
      env,
    });

    expect(stderr).toBe("");
    expect(stdout).not.toMatch(/Warning/);
    expect(stdout).toContain("5. Fail over: move it to the second instance");
    expect(stdout.trimEnd().split("\n").at(-1)).toContain(`Done, on Node.js ${process.versions.node}.`);
  }, 60_000);
});
