import { describe, expect, it } from "vitest";
import { ValidationError } from "../src/errors.js";
import {
  checkAbortSignal,
  checkIndex,
  checkPlacement,
  checkBoolean,
  checkClientToken,
  checkDescription,
  checkId,
  checkIds,
  checkInteger,
  checkIpv4,
  checkOneOf,
  checkOptions,
  checkOptionsWith,
  integerFrom,
  checkString,
  checkTagKey,
  checkTags,
  show,
  type Check,
  type IdPrefix,
} from "../src/validation.js";

/** The ValidationError of a failed check, asserting it is one. */
function failure(check: Check<unknown>): ValidationError {
  const error = check._unsafeUnwrapErr();
  expect(error).toBeInstanceOf(ValidationError);
  return error;
}

function manyTags(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, "v"]));
}

describe("show", () => {
  it("quotes strings and truncates long ones to 40 characters", () => {
    // Prepare
    const huge = "x".repeat(1_000_000);

    // Act
    const shown = show(huge);

    // Assess
    expect(shown).toBe(`"${"x".repeat(40)}…"`);
    expect(show("x".repeat(40))).toBe(`"${"x".repeat(40)}"`);
    expect(show('a"b')).toBe('"a\\"b"');
  });

  it.each([
    [null, "null"],
    [undefined, "undefined"],
    [-1, "-1"],
    [Number.NaN, "NaN"],
    [true, "true"],
    [[1, 2], "an array"],
    [{ a: 1 }, "an object"],
    [new Date(0), "an object"],
  ])("shows %o as %s", (value, expected) => {
    expect(show(value)).toBe(expected);
  });

  it("does not echo a function's whole source back (e.g. a callback passed where options belong)", () => {
    const callback = function onDone() {
      return "a long body that should never end up in an error message".repeat(10);
    };

    const error = failure(checkOptions("options", callback));

    expect(show(callback).length).toBeLessThanOrEqual(42);
    expect(error.message).not.toContain("a long body");
  });
});

describe("checkId", () => {
  const hex8 = "0123abcd";
  const hex17 = "0123456789abcdef0";

  it.each<[IdPrefix, string]>([
    ["eni", `eni-${hex8}`],
    ["eni", `eni-${hex17}`],
    ["i", `i-${hex8}`],
    ["i", `i-${hex17}`],
    ["subnet", `subnet-${hex17}`],
    ["sg", `sg-${hex8}`],
    ["vpc", `vpc-${hex17}`],
    ["eni-attach", `eni-attach-${hex8}`],
    ["eni-attach", `eni-attach-${hex17}`],
  ])("accepts a %s id %s and returns it unchanged", (prefix, id) => {
    expect(checkId("id", id, prefix)._unsafeUnwrap()).toBe(id);
  });

  it.each<[string, unknown, IdPrefix]>([
    ["uppercase hex", "eni-0123456789ABCDEF0", "eni"],
    ["uppercase prefix", "ENI-0123456789abcdef0", "eni"],
    ["7 hex digits", "eni-0123abc", "eni"],
    ["9 hex digits", "eni-0123abcde", "eni"],
    ["16 hex digits", "eni-0123456789abcdef", "eni"],
    ["18 hex digits", "eni-0123456789abcdef01", "eni"],
    ["non-hex digits", "eni-0123456789abcdefg", "eni"],
    ["another prefix", "i-0123456789abcdef0", "eni"],
    ["an attachment id as an ENI id", "eni-attach-0123456789abcdef0", "eni"],
    ["an ENI id as an attachment id", "eni-0123456789abcdef0", "eni-attach"],
    ["surrounding spaces", " eni-0123456789abcdef0", "eni"],
    ["a trailing newline", "eni-0123456789abcdef0\n", "eni"],
    ["an empty string", "", "eni"],
    ["a number", 123, "i"],
    ["undefined", undefined, "i"],
  ])("refuses %s", (_case, value, prefix) => {
    const error = failure(checkId("networkInterfaceId", value, prefix));

    expect(error.field).toBe("networkInterfaceId");
    expect(error.message).toBe(
      `Expected \`networkInterfaceId\` to be an id like "${prefix}-0123456789abcdef0", got ${show(value)}.`,
    );
  });

  it("truncates a huge bad id in the message", () => {
    const error = failure(checkId("instanceId", "i-".padEnd(100_000, "z"), "i"));

    expect(error.message.length).toBeLessThan(150);
    expect(error.message).toContain('got "i-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz…".');
  });
});

describe("checkIds", () => {
  const a = "sg-0123456789abcdef0";
  const b = "sg-0fedcba9876543210";

  it("returns the list as is, including an empty one when no minimum is set", () => {
    expect(checkIds("securityGroupIds", [a, b], "sg")._unsafeUnwrap()).toEqual([a, b]);
    expect(checkIds("securityGroupIds", [], "sg")._unsafeUnwrap()).toEqual([]);
  });

  it("refuses a non-array and a list shorter than the minimum", () => {
    const notArray = failure(checkIds("securityGroupIds", a, "sg"));
    const tooShort = failure(checkIds("securityGroupIds", [], "sg", 1));

    expect(notArray).toMatchObject({ field: "securityGroupIds" });
    expect(notArray.message).toBe(
      `Expected \`securityGroupIds\` to be an array of at least 0 "sg-" id(s), got "${a}".`,
    );
    expect(tooShort).toMatchObject({ field: "securityGroupIds" });
    expect(tooShort.message).toBe(
      'Expected `securityGroupIds` to be an array of at least 1 "sg-" id(s), got an array.',
    );
  });

  it("names the index of the first bad item", () => {
    const error = failure(checkIds("securityGroupIds", [a, "sg-1", "nope"], "sg"));

    expect(error.field).toBe("securityGroupIds[1]");
    expect(error.message).toContain('got "sg-1".');
  });

  it("refuses duplicates", () => {
    const error = failure(checkIds("securityGroupIds", [a, b, a], "sg"));

    expect(error.field).toBe("securityGroupIds");
    expect(error.message).toBe("Expected `securityGroupIds` to be a list without duplicates, got an array.");
  });
});

describe("checkIpv4", () => {
  it.each(["0.0.0.0", "10.0.1.25", "255.255.255.255", "1.2.3.4", "192.168.100.9", "172.31.250.199"])(
    "accepts %s",
    (ip) => {
      expect(checkIpv4("privateIp", ip)._unsafeUnwrap()).toBe(ip);
    },
  );

  it.each([
    ["a leading zero", "010.0.0.1"],
    ["a leading zero in the last octet", "10.0.0.01"],
    ["an octet of 256", "256.1.1.1"],
    ["an octet of 300", "1.300.1.1"],
    ["three octets", "1.2.3"],
    ["five octets", "1.2.3.4.5"],
    ["a leading space", " 1.2.3.4"],
    ["a trailing newline", "1.2.3.4\n"],
    ["a trailing dot", "1.2.3.4."],
    ["an empty octet", "1..3.4"],
    ["a CIDR", "10.0.0.0/24"],
    ["an IPv6 address", "::1"],
    ["non-ASCII digits", "١.٢.٣.٤"],
    ["a sign", "+1.2.3.4"],
    ["a number", 167772161],
    ["null", null],
  ])("refuses %s", (_case, value) => {
    const error = failure(checkIpv4("privateIp", value));

    expect(error.field).toBe("privateIp");
    expect(error.message).toBe(`Expected \`privateIp\` to be an IPv4 address like "10.0.1.25", got ${show(value)}.`);
  });
});

describe("checkIndex", () => {
  it("accepts any whole number from 0: instance types set the real bounds", () => {
    expect(checkIndex("networkCardIndex", 0)._unsafeUnwrap()).toBe(0);
    expect(checkIndex("networkCardIndex", 31)._unsafeUnwrap()).toBe(31);
    expect(checkIndex("deviceIndex", 64)._unsafeUnwrap()).toBe(64);
  });

  it.each([
    ["a negative index", -1, "-1"],
    ["a fraction", 1.5, "1.5"],
    ["an unsafe integer", 2 ** 53, "9007199254740992"],
    ["a numeric string", "1", '"1"'],
  ])("refuses %s", (_case, value, shown) => {
    expect(failure(checkIndex("deviceIndex", value)).message).toBe(
      `Expected \`deviceIndex\` to be a whole number from 0, got ${shown}.`,
    );
  });
});

describe("checkPlacement", () => {
  it("refuses device index 0 on network card 0, the primary interface's", () => {
    const error = failure(checkPlacement(0, 0));

    expect(error.field).toBe("deviceIndex");
    expect(error.message).toContain("primary interface");
  });

  it("takes device index 0 on any other network card, and any other index on card 0", () => {
    expect(checkPlacement(0, 5).isOk()).toBe(true);
    expect(checkPlacement(1, 0).isOk()).toBe(true);
    expect(checkPlacement(undefined, 0).isOk()).toBe(true);
  });
});

describe("checkInteger", () => {
  it("accepts the bounds and values between them", () => {
    expect(checkInteger("deviceIndex", 1, 1, 31)._unsafeUnwrap()).toBe(1);
    expect(checkInteger("deviceIndex", 31, 1, 31)._unsafeUnwrap()).toBe(31);
    expect(checkInteger("deviceIndex", 7, 1, 31)._unsafeUnwrap()).toBe(7);
  });

  it("refuses -1 with the house-style message", () => {
    const error = failure(checkInteger("deviceIndex", -1, 1, 31));

    expect(error.field).toBe("deviceIndex");
    expect(error.message).toBe("Expected `deviceIndex` to be an integer from 1 to 31, got -1.");
  });

  it.each([
    ["below the minimum", 0, "0"],
    ["above the maximum", 32, "32"],
    ["a fraction", 1.5, "1.5"],
    ["NaN", Number.NaN, "NaN"],
    ["Infinity", Number.POSITIVE_INFINITY, "Infinity"],
    ["a numeric string", "1", '"1"'],
    ["a bigint", 1n, "1"],
    ["null", null, "null"],
  ])("refuses %s", (_case, value, shown) => {
    const error = failure(checkInteger("deviceIndex", value, 1, 31));

    expect(error.field).toBe("deviceIndex");
    expect(error.message).toBe(`Expected \`deviceIndex\` to be an integer from 1 to 31, got ${shown}.`);
  });
});

describe("checkBoolean", () => {
  it("accepts true and false", () => {
    expect(checkBoolean("sourceDestCheck", true)._unsafeUnwrap()).toBe(true);
    expect(checkBoolean("sourceDestCheck", false)._unsafeUnwrap()).toBe(false);
  });

  it.each([
    ["false", '"false"'],
    [0, "0"],
    [null, "null"],
    [undefined, "undefined"],
  ])("refuses %o", (value, shown) => {
    const error = failure(checkBoolean("sourceDestCheck", value));

    expect(error.field).toBe("sourceDestCheck");
    expect(error.message).toBe(`Expected \`sourceDestCheck\` to be a boolean, got ${shown}.`);
  });
});

describe("checkString", () => {
  it("accepts one character and exactly the maximum", () => {
    expect(checkString("name", "a", 10)._unsafeUnwrap()).toBe("a");
    expect(checkString("name", "a".repeat(10), 10)._unsafeUnwrap()).toBe("a".repeat(10));
  });

  it.each([
    ["an empty string", ""],
    ["one character too many", "a".repeat(11)],
    ["a number", 5],
  ])("refuses %s", (_case, value) => {
    const error = failure(checkString("name", value, 10));

    expect(error.field).toBe("name");
    expect(error.message).toBe(
      `Expected \`name\` to be a non-empty string of at most 10 characters, got ${show(value)}.`,
    );
  });
});

describe("checkOneOf", () => {
  const types = ["interface", "efa", "trunk"] as const;

  it("accepts a listed value", () => {
    expect(checkOneOf("interfaceType", "efa", types)._unsafeUnwrap()).toBe("efa");
  });

  it.each([["branch"], ["EFA"], [undefined], [["efa"]]])("refuses %o and lists the choices", (value) => {
    const error = failure(checkOneOf("interfaceType", value, types));

    expect(error.field).toBe("interfaceType");
    expect(error.message).toBe(
      `Expected \`interfaceType\` to be one of "interface", "efa", "trunk", got ${show(value)}.`,
    );
  });
});

describe("checkDescription", () => {
  it("accepts an empty string (it clears the description) and 255 characters", () => {
    expect(checkDescription("description", "")._unsafeUnwrap()).toBe("");
    expect(checkDescription("description", "d".repeat(255))._unsafeUnwrap()).toHaveLength(255);
  });

  it.each([
    ["256 characters", "d".repeat(256)],
    ["a number", 1],
    ["null", null],
  ])("refuses %s", (_case, value) => {
    const error = failure(checkDescription("description", value));

    expect(error.field).toBe("description");
    expect(error.message).toBe(
      `Expected \`description\` to be a string of at most 255 characters, got ${show(value)}.`,
    );
  });
});

describe("checkClientToken", () => {
  it("accepts 1 to 64 printable ASCII characters", () => {
    expect(checkClientToken("clientToken", "a")._unsafeUnwrap()).toBe("a");
    expect(checkClientToken("clientToken", "~ !".padEnd(64, "z"))._unsafeUnwrap()).toHaveLength(64);
  });

  it.each([
    ["empty", ""],
    ["65 characters", "t".repeat(65)],
    ["non-ASCII", "tökén"],
    ["a tab", "a\tb"],
    ["a number", 12],
  ])("refuses %s", (_case, value) => {
    const error = failure(checkClientToken("clientToken", value));

    expect(error.field).toBe("clientToken");
    expect(error.message).toBe(
      `Expected \`clientToken\` to be a string of 1 to 64 printable ASCII characters, got ${show(value)}.`,
    );
  });
});

describe("checkTagKey", () => {
  it.each([["k"], ["k".repeat(128)], ["aws"], ["aws-team"], ["my-aws:key"], ["Name"]])("accepts %s", (key) => {
    expect(checkTagKey("tags", key)._unsafeUnwrap()).toBe(key);
  });

  it.each([
    ["an empty key", ""],
    ["129 characters", "k".repeat(129)],
    ["a number", 7],
  ])("refuses %s", (_case, key) => {
    const error = failure(checkTagKey("tags.x", key));

    expect(error.field).toBe("tags.x");
    expect(error.message).toBe(`Expected \`tags.x\` to be a tag key of 1 to 128 characters, got ${show(key)}.`);
  });

  it.each([["aws:cloudformation:stack"], ["AWS:x"], ["Aws:x"], ["aWs:"]])(
    "refuses the reserved prefix in %s",
    (key) => {
      const error = failure(checkTagKey("tags.key", key));

      expect(error.field).toBe("tags.key");
      expect(error.message).toBe(
        `Expected \`tags.key\` to be a tag key without the reserved "aws:" prefix, got ${show(key)}.`,
      );
    },
  );
});

describe("checkTags", () => {
  it("returns the same tag object, empty values and Object.create(null) included", () => {
    const tags = { team: "db", empty: "" };
    const bare = Object.assign(Object.create(null) as Record<string, string>, { team: "db" });

    expect(checkTags("tags", tags)._unsafeUnwrap()).toBe(tags);
    expect(checkTags("tags", bare)._unsafeUnwrap()).toBe(bare);
    expect(checkTags("tags", {})._unsafeUnwrap()).toEqual({});
  });

  it("accepts 50 tags, and refuses 51", () => {
    expect(checkTags("tags", manyTags(50)).isOk()).toBe(true);

    const error = failure(checkTags("tags", manyTags(51)));

    expect(error.field).toBe("tags");
    expect(error.message).toBe("Expected at most 50 tags on one resource, got 51.");
  });

  it("counts the reserved tags the library adds itself", () => {
    expect(checkTags("tags", manyTags(49), 1).isOk()).toBe(true);

    const error = failure(checkTags("tags", manyTags(50), 1));

    expect(error.field).toBe("tags");
    expect(error.message).toBe("Expected at most 50 tags on one resource, got 51.");
  });

  it("accepts a 128-character key and a 256-character value", () => {
    const tags = { ["k".repeat(128)]: "v".repeat(256) };

    expect(checkTags("tags", tags).isOk()).toBe(true);
  });

  it("refuses a 129-character key, naming it", () => {
    const key = "k".repeat(129);

    const error = failure(checkTags("tags", { team: "db", [key]: "v" }));

    expect(error.field).toBe(`tags.${key}`);
    expect(error.message).toContain("a tag key of 1 to 128 characters");
  });

  it("refuses an empty key", () => {
    expect(failure(checkTags("tags", { "": "v" })).field).toBe("tags.");
  });

  it.each([["aws:createdBy"], ["AWS:createdBy"], ["Aws:x"]])("refuses the reserved key %s", (key) => {
    const error = failure(checkTags("tags", { [key]: "v" }));

    expect(error.field).toBe(`tags.${key}`);
    expect(error.message).toContain('without the reserved "aws:" prefix');
  });

  it.each([
    ["a 257-character value", "v".repeat(257)],
    ["a number", 1],
    ["null", null],
    ["undefined", undefined],
  ])("refuses %s as a value, naming its key", (_case, value) => {
    const error = failure(checkTags("tags", { team: value }));

    expect(error.field).toBe("tags.team");
    expect(error.message).toBe(
      `Expected \`tags.team\` to be a tag value of at most 256 characters, got ${show(value)}.`,
    );
  });

  it.each([
    ["null", null, "null"],
    ["an array", [["team", "db"]], "an array"],
    ["a Map", new Map([["team", "db"]]), "an object"],
    ["a string", "team=db", '"team=db"'],
  ])("refuses %s instead of an object", (_case, value, shown) => {
    const error = failure(checkTags("tags", value));

    expect(error.field).toBe("tags");
    expect(error.message).toBe(`Expected \`tags\` to be an object of tag keys to string values, got ${shown}.`);
  });
});

describe("checkOptions", () => {
  it("treats undefined as no options", () => {
    expect(checkOptions("options", undefined)._unsafeUnwrap()).toEqual({});
  });

  it("returns a plain object, or one without a prototype, unchanged", () => {
    const options = { wait: false };
    const bare = Object.create(null) as object;

    expect(checkOptions("options", options)._unsafeUnwrap()).toBe(options);
    expect(checkOptions("options", bare)._unsafeUnwrap()).toBe(bare);
  });

  it.each([
    ["null", null, "null"],
    ["an array", [], "an array"],
    [
      "a class instance",
      new (class Options {
        wait = false;
      })(),
      "an object",
    ],
    ["a Date", new Date(0), "an object"],
    ["an object inheriting from another", Object.create({ wait: false }), "an object"],
    ["a string", "fast", '"fast"'],
    ["a number", 3, "3"],
  ])("refuses %s", (_case, value, shown) => {
    const error = failure(checkOptions("options", value));

    expect(error.field).toBe("options");
    expect(error.message).toBe(`Expected \`options\` to be an options object, got ${shown}.`);
  });
});

describe("checkOptionsWith", () => {
  const spec = { count: [integerFrom(1, 5), 2], force: [checkBoolean] } as const;

  it("checks each option given, and gives absent ones their default", () => {
    expect(checkOptionsWith("options", { count: 4, force: true }, spec)._unsafeUnwrap()).toEqual({
      count: 4,
      force: true,
    });
    expect(checkOptionsWith("options", { force: undefined }, spec)._unsafeUnwrap()).toEqual({
      count: 2,
      force: undefined,
    });
    expect(checkOptionsWith("options", undefined, spec)._unsafeUnwrap()).toEqual({ count: 2, force: undefined });
  });

  it("refuses the first bad option in the spec's order, by its own field name", () => {
    const error = failure(checkOptionsWith("options", { force: "yes", count: 9 }, spec));

    expect(error.field).toBe("count");
    expect(error.message).toBe("Expected `count` to be an integer from 1 to 5, got 9.");
  });

  it("refuses the first unknown key, even one set to undefined, naming it and the known ones", () => {
    const error = failure(checkOptionsWith("options", { count: 1, maxWait: undefined, other: 1 }, spec));

    expect(error.field).toBe("options.maxWait");
    expect(error.message).toBe('Unknown option "maxWait"; expected one of count, force.');
  });

  it("refuses what is not an options object before looking at keys", () => {
    expect(failure(checkOptionsWith("query", [], spec)).field).toBe("query");
  });
});

describe("checkAbortSignal", () => {
  it("accepts real signals, aborted or not, and a duck-typed one", () => {
    const live = new AbortController().signal;
    const aborted = AbortSignal.abort();
    const foreign = { aborted: false, addEventListener: () => undefined };

    expect(checkAbortSignal("abortSignal", live)._unsafeUnwrap()).toBe(live);
    expect(checkAbortSignal("abortSignal", aborted)._unsafeUnwrap()).toBe(aborted);
    expect(checkAbortSignal("abortSignal", foreign)._unsafeUnwrap()).toBe(foreign);
  });

  it.each([
    ["null", null, "null"],
    ["an AbortController", new AbortController(), "an object"],
    ["an object without addEventListener", { aborted: false }, "an object"],
    ["a non-boolean aborted", { aborted: "no", addEventListener: () => undefined }, "an object"],
    ["true", true, "true"],
  ])("refuses %s", (_case, value, shown) => {
    const error = failure(checkAbortSignal("abortSignal", value));

    expect(error.field).toBe("abortSignal");
    expect(error.message).toBe(`Expected \`abortSignal\` to be an AbortSignal, got ${shown}.`);
  });
});
