// `import { Eni } from "eni-kit"` pulls nothing of the command: not src/cli, not its dependencies.
// (The package check holds the packed tarball's bundle to the same, and to its size budget.)
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI_ONLY_PACKAGES, bundleSize } from "../../scripts/bundle-size.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

describe("the bundle of import { Eni } from the library's source", () => {
  it("holds no module of src/cli and none of the command's dependencies, bundled or imported", () => {
    const { modules, imports } = bundleSize("./src/index.ts", repo);

    expect(modules.some((module) => module.startsWith("src/eni.ts"))).toBe(true);
    expect(modules.filter((module) => module.startsWith("src/cli/"))).toEqual([]);
    for (const name of CLI_ONLY_PACKAGES) {
      expect(modules.filter((module) => module.includes(`node_modules/${name}/`))).toEqual([]);
      expect(imports.filter((imported) => imported === name || imported.startsWith(`${name}/`))).toEqual([]);
    }
    expect(imports.every((imported) => /^(@aws-sdk\/client-ec2|neverthrow|@smithy\/)/.test(imported))).toBe(true);
  });
});
