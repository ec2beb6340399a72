/**
 * Bad input: malformed input to every public method fails with a `ValidationError`
 * naming the exact field, with a short message even for a megabyte of input, and sends no
 * request at all (the simulator's log stays empty).
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { Result } from "neverthrow";
import { beforeAll, describe, expect, it } from "vitest";
import { Eni, checkPermissions, type Eni as EniSnapshot } from "../src/index.js";
import { Ec2Simulator } from "../src/testing/index.js";
import { wait } from "./scenarios/world.js";

const MB = "x".repeat(1024 * 1024);
const ENI = "eni-0123456789abcdef0";
const INSTANCE = "i-0123456789abcdef0";
const SUBNET = "subnet-0123456789abcdef0";
const EIP = "eipalloc-0123456789abcdef0";

interface World {
  readonly sim: Ec2Simulator;
  readonly ec2: EC2Client;
  /** An ENI attached to `instanceId` at device index 1. */
  readonly attached: EniSnapshot;
  /** An available ENI. */
  readonly free: EniSnapshot;
  readonly subnetId: string;
  readonly instanceId: string;
  readonly other: string;
}

/** Anything a JavaScript caller could pass: the types are theirs to ignore. */
const any = (value: unknown) => value as never;

/** `JSON.parse` makes `__proto__` an own key, as a parsed request body would. */
const protoKey = (value: unknown) => JSON.parse(`{"__proto__": ${JSON.stringify(value)}}`) as Record<string, string>;

type Case = readonly [name: string, field: string, call: (w: World) => unknown];

const cases: readonly Case[] = [
  // Eni.create
  ["create: no client", "ec2", () => Eni.create(any(undefined), { subnetId: SUBNET })],
  ["create: a client-shaped object without send", "ec2", () => Eni.create(any({ config: {} }), { subnetId: SUBNET })],
  ["create: no options", "subnetId", (w) => Eni.create(w.ec2, any(undefined))],
  ["create: null options", "options", (w) => Eni.create(w.ec2, any(null))],
  ["create: an array for options", "options", (w) => Eni.create(w.ec2, any([{ subnetId: SUBNET }]))],
  ["create: a subnet id string for options", "options", (w) => Eni.create(w.ec2, any(SUBNET))],
  ["create: malformed subnet id", "subnetId", (w) => Eni.create(w.ec2, { subnetId: "subnet-XYZ" })],
  ["create: a VPC id as subnet", "subnetId", (w) => Eni.create(w.ec2, { subnetId: "vpc-0123456789abcdef0" })],
  ["create: 1 MB subnet id", "subnetId", (w) => Eni.create(w.ec2, { subnetId: MB })],
  ["create: subnet id as a number", "subnetId", (w) => Eni.create(w.ec2, { subnetId: any(42) })],
  [
    "create: misspelt option",
    "options.subnetID",
    (w) => Eni.create(w.ec2, any({ subnetId: w.subnetId, subnetID: w.subnetId })),
  ],
  [
    "create: empty security groups",
    "securityGroupIds",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, securityGroupIds: [] }),
  ],
  [
    "create: malformed security group",
    "securityGroupIds[1]",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, securityGroupIds: ["sg-0123456789abcdef0", "sg-1"] }),
  ],
  [
    "create: duplicate security groups",
    "securityGroupIds",
    (w) =>
      Eni.create(w.ec2, { subnetId: w.subnetId, securityGroupIds: ["sg-0123456789abcdef0", "sg-0123456789abcdef0"] }),
  ],
  [
    "create: a security group string, not a list",
    "securityGroupIds",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, securityGroupIds: any("sg-0123456789abcdef0") }),
  ],
  [
    "create: CIDR as private IP",
    "privateIp",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, privateIp: "10.0.1.0/24" }),
  ],
  ["create: octet above 255", "privateIp", (w) => Eni.create(w.ec2, { subnetId: w.subnetId, privateIp: "10.0.1.256" })],
  [
    "create: leading zero octet",
    "privateIp",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, privateIp: "010.0.1.5" }),
  ],
  [
    "create: IPv6 as private IPv4",
    "privateIp",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, privateIp: "fd00::5" }),
  ],
  [
    "create: zero secondary IPs",
    "secondaryPrivateIps",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, secondaryPrivateIps: 0 }),
  ],
  [
    "create: NaN secondary IPs",
    "secondaryPrivateIps",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, secondaryPrivateIps: Number.NaN }),
  ],
  [
    "create: Infinity secondary IPs",
    "secondaryPrivateIps",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, secondaryPrivateIps: Number.POSITIVE_INFINITY }),
  ],
  [
    "create: listed secondaries without a primary",
    "privateIp",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, secondaryPrivateIps: ["10.0.1.50"] }),
  ],
  [
    "create: CIDR among secondaries",
    "secondaryPrivateIps[0]",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, privateIp: "10.0.1.40", secondaryPrivateIps: ["10.0.1.0/28"] }),
  ],
  [
    "create: secondary equal to the primary",
    "secondaryPrivateIps",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, privateIp: "10.0.1.40", secondaryPrivateIps: ["10.0.1.40"] }),
  ],
  [
    "create: fractional IPv6 count",
    "ipv6AddressCount",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, ipv6AddressCount: 1.5 }),
  ],
  [
    "create: unknown interface type",
    "interfaceType",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, interfaceType: any("efa2") }),
  ],
  [
    "create: sourceDestCheck as a string",
    "sourceDestCheck",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, sourceDestCheck: any("false") }),
  ],
  [
    "create: description of 256 characters",
    "description",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, description: "d".repeat(256) }),
  ],
  ["create: 1 MB description", "description", (w) => Eni.create(w.ec2, { subnetId: w.subnetId, description: MB })],
  [
    "create: description as an object",
    "description",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, description: any({ text: "x" }) }),
  ],
  [
    "create: reserved aws: tag",
    "tags.aws:cloudformation",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: { "aws:cloudformation": "x" } }),
  ],
  [
    "create: tag value a number",
    "tags.team",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: any({ team: 5 }) }),
  ],
  ["create: tag value of 1 MB", "tags.team", (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: { team: MB } })],
  ["create: tags as an array", "tags", (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: any([["team", "db"]]) })],
  [
    "create: tags as a Map",
    "tags",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: any(new Map([["team", "db"]])) }),
  ],
  [
    "create: tags with an inherited prototype (__proto__ literal)",
    "tags",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: any({ __proto__: { polluted: "yes" } }) }),
  ],
  [
    "create: own __proto__ tag holding an object",
    "tags.__proto__",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: protoKey({ polluted: "yes" }) }),
  ],
  [
    "create: 51 tags",
    "tags",
    (w) =>
      Eni.create(w.ec2, {
        subnetId: w.subnetId,
        owner: false,
        tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])),
      }),
  ],
  [
    "create: 48 tags plus name and ownership tags",
    "tags",
    (w) =>
      Eni.create(w.ec2, {
        subnetId: w.subnetId,
        name: "n",
        tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, "v"])),
      }),
  ],
  [
    "create: name and a Name tag",
    "tags.Name",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, name: "a", tags: { Name: "b" } }),
  ],
  [
    "create: name of 257 characters",
    "name.Name",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, name: "n".repeat(257) }),
  ],
  [
    "create: forged ownership tag",
    "tags.eni-kit:managed-by",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, tags: { "eni-kit:managed-by": "someone" } }),
  ],
  ["create: empty owner", "owner", (w) => Eni.create(w.ec2, { subnetId: w.subnetId, owner: "" })],
  ["create: owner true", "owner", (w) => Eni.create(w.ec2, { subnetId: w.subnetId, owner: any(true) })],
  [
    "create: client token of 65 characters",
    "clientToken",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, clientToken: "t".repeat(65) }),
  ],
  [
    "create: non-ASCII client token",
    "clientToken",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, clientToken: "héllo" }),
  ],
  ["create: negative maxWaitTime", "maxWaitTime", (w) => Eni.create(w.ec2, { subnetId: w.subnetId, maxWaitTime: -1 })],
  [
    "create: Infinity maxWaitTime",
    "maxWaitTime",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, maxWaitTime: Number.POSITIVE_INFINITY }),
  ],
  [
    "create: maxDelay below minDelay",
    "maxDelay",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, minDelay: 2, maxDelay: 1 }),
  ],
  [
    "create: abortSignal not a signal",
    "abortSignal",
    (w) => Eni.create(w.ec2, { subnetId: w.subnetId, abortSignal: any({ aborted: false }) }),
  ],

  // Eni.get
  ["get: empty id", "id", (w) => Eni.get(w.ec2, "")],
  ["get: uppercase hex", "id", (w) => Eni.get(w.ec2, "eni-0123456789ABCDEF0")],
  ["get: 16 hex digits", "id", (w) => Eni.get(w.ec2, "eni-0123456789abcdef")],
  ["get: surrounding whitespace", "id", (w) => Eni.get(w.ec2, ` ${ENI} `)],
  ["get: an instance id", "id", (w) => Eni.get(w.ec2, INSTANCE)],
  ["get: an attachment id", "id", (w) => Eni.get(w.ec2, "eni-attach-0123456789abcdef0")],
  ["get: undefined", "id", (w) => Eni.get(w.ec2, any(undefined))],
  ["get: null", "id", (w) => Eni.get(w.ec2, any(null))],
  ["get: a list of ids", "id", (w) => Eni.get(w.ec2, any([ENI]))],
  ["get: 1 MB id", "id", (w) => Eni.get(w.ec2, `eni-${MB}`)],
  ["get: no client", "ec2", () => Eni.get(any(null), ENI)],

  // Eni.find
  ["find: null query", "query", (w) => Eni.find(w.ec2, any(null))],
  ["find: an array query", "query", (w) => Eni.find(w.ec2, any([]))],
  ["find: misspelt key", "query.subnet", (w) => Eni.find(w.ec2, any({ subnet: SUBNET }))],
  ["find: malformed subnet", "subnetId", (w) => Eni.find(w.ec2, { subnetId: "subnet-1" })],
  ["find: malformed VPC", "vpcId", (w) => Eni.find(w.ec2, { vpcId: "vpc-" })],
  ["find: malformed instance", "instanceId", (w) => Eni.find(w.ec2, { instanceId: "i-12345" })],
  ["find: unknown status", "status", (w) => Eni.find(w.ec2, { status: any("up") })],
  ["find: empty status list", "status", (w) => Eni.find(w.ec2, { status: [] })],
  ["find: one bad status in a list", "status", (w) => Eni.find(w.ec2, { status: any(["available", "bogus"]) })],
  ["find: empty ids", "ids", (w) => Eni.find(w.ec2, { ids: [] })],
  ["find: malformed id in ids", "ids[1]", (w) => Eni.find(w.ec2, { ids: [ENI, "eni-1"] })],
  ["find: empty name", "name", (w) => Eni.find(w.ec2, { name: "" })],
  ["find: 1 MB AZ", "availabilityZone", (w) => Eni.find(w.ec2, { availabilityZone: MB })],
  ["find: aws: tag key", "tags.aws:x", (w) => Eni.find(w.ec2, { tags: { "aws:x": "v" } })],
  ["find: empty tag value", "tags.team", (w) => Eni.find(w.ec2, { tags: { team: "" } })],
  ["find: tag value false", "tags.team", (w) => Eni.find(w.ec2, { tags: any({ team: false }) })],
  ["find: tags null", "tags", (w) => Eni.find(w.ec2, { tags: any(null) })],
  ["find: abortSignal a string", "abortSignal", (w) => Eni.find(w.ec2, { abortSignal: any("abort") })],

  // attachTo
  ["attachTo: malformed instance", "instanceId", (w) => w.free.attachTo("i-xyz", wait)],
  ["attachTo: null instance", "instanceId", (w) => w.free.attachTo(any(null), wait)],
  ["attachTo: an ENI id as instance", "instanceId", (w) => w.free.attachTo(ENI, wait)],
  [
    "attachTo: device index 0 (the primary's)",
    "deviceIndex",
    (w) => w.free.attachTo(w.instanceId, { deviceIndex: 0, ...wait }),
  ],
  [
    "attachTo: device index beyond a safe integer",
    "deviceIndex",
    (w) => w.free.attachTo(w.instanceId, { deviceIndex: 2 ** 53, ...wait }),
  ],
  ["attachTo: device index -1", "deviceIndex", (w) => w.free.attachTo(w.instanceId, { deviceIndex: -1, ...wait })],
  ["attachTo: device index 1.5", "deviceIndex", (w) => w.free.attachTo(w.instanceId, { deviceIndex: 1.5, ...wait })],
  [
    "attachTo: device index NaN",
    "deviceIndex",
    (w) => w.free.attachTo(w.instanceId, { deviceIndex: Number.NaN, ...wait }),
  ],
  [
    "attachTo: device index as a string",
    "deviceIndex",
    (w) => w.free.attachTo(w.instanceId, { deviceIndex: any("1"), ...wait }),
  ],
  [
    "attachTo: network card -1",
    "networkCardIndex",
    (w) => w.free.attachTo(w.instanceId, { networkCardIndex: -1, ...wait }),
  ],
  [
    "attachTo: deleteOnTermination as a string",
    "deleteOnTermination",
    (w) => w.free.attachTo(w.instanceId, { deleteOnTermination: any("yes") }),
  ],
  [
    "attachTo: wait false with a maxWaitTime",
    "maxWaitTime",
    (w) => w.free.attachTo(w.instanceId, { wait: false, maxWaitTime: 5 }),
  ],
  ["attachTo: wait as a string", "wait", (w) => w.free.attachTo(w.instanceId, { wait: any("no") })],
  ["attachTo: array options", "options", (w) => w.free.attachTo(w.instanceId, any([1]))],
  ["attachTo: misspelt option", "options.deviceindex", (w) => w.free.attachTo(w.instanceId, any({ deviceindex: 1 }))],

  // detach
  ["detach: force as a number", "force", (w) => w.attached.detach({ force: any(1) })],
  ["detach: wait false with minDelay", "minDelay", (w) => w.attached.detach({ wait: false, minDelay: 1 })],
  ["detach: zero maxWaitTime", "maxWaitTime", (w) => w.attached.detach({ maxWaitTime: 0 })],
  ["detach: options a string", "options", (w) => w.attached.detach(any("force"))],

  // moveTo
  ["moveTo: malformed instance", "instanceId", (w) => w.attached.moveTo("i-bad", wait)],
  ["moveTo: 1 MB instance", "instanceId", (w) => w.attached.moveTo(`i-${MB}`, wait)],
  [
    "moveTo: force and forceAfter",
    "forceAfter",
    (w) => w.attached.moveTo(w.other, { force: true, forceAfter: 1, ...wait }),
  ],
  ["moveTo: forceAfter 0", "forceAfter", (w) => w.attached.moveTo(w.other, { forceAfter: 0, ...wait })],
  ["moveTo: forceAfter NaN", "forceAfter", (w) => w.attached.moveTo(w.other, { forceAfter: Number.NaN, ...wait })],
  [
    "moveTo: forceAfter beyond maxWaitTime",
    "forceAfter",
    (w) => w.attached.moveTo(w.other, { forceAfter: 10, ...wait }),
  ],
  [
    "moveTo: forceAfter as a string",
    "forceAfter",
    (w) => w.attached.moveTo(w.other, { forceAfter: any("1"), ...wait }),
  ],
  [
    "moveTo: malformed expectedFrom",
    "expectedFrom",
    (w) => w.attached.moveTo(w.other, { expectedFrom: "i-", ...wait }),
  ],
  [
    "moveTo: malformed attachment as expectedFrom",
    "expectedFrom",
    (w) => w.attached.moveTo(w.other, { expectedFrom: "eni-attach-xyz", ...wait }),
  ],
  [
    "moveTo: an ENI id as expectedFrom",
    "expectedFrom",
    (w) => w.attached.moveTo(w.other, { expectedFrom: ENI, ...wait }),
  ],
  [
    "moveTo: onEvent not a function",
    "onEvent",
    (w) => w.attached.moveTo(w.other, { onEvent: any("console.log"), ...wait }),
  ],
  ["moveTo: device index 0", "deviceIndex", (w) => w.attached.moveTo(w.other, { deviceIndex: 0, ...wait })],
  [
    "moveTo: device index 'Same'",
    "deviceIndex",
    (w) => w.attached.moveTo(w.other, { deviceIndex: any("Same"), ...wait }),
  ],
  ["moveTo: network card -1", "networkCardIndex", (w) => w.attached.moveTo(w.other, { networkCardIndex: -1, ...wait })],
  ["moveTo: rollback as a string", "rollback", (w) => w.attached.moveTo(w.other, { rollback: any("false"), ...wait })],
  ["moveTo: wait is not a move option", "options.wait", (w) => w.attached.moveTo(w.other, any({ wait: false }))],
  ["moveTo: options null", "options", (w) => w.attached.moveTo(w.other, any(null))],

  // delete
  ["delete: detachFirst as a string", "detachFirst", (w) => w.attached.delete({ detachFirst: any("yes") })],
  ["delete: force null", "force", (w) => w.attached.delete({ force: any(null) })],
  ["delete: wait false with maxWaitTime", "maxWaitTime", (w) => w.attached.delete({ wait: false, maxWaitTime: 3 })],
  ["delete: misspelt option", "options.detachfirst", (w) => w.attached.delete(any({ detachfirst: true }))],

  // waitUntilAvailable / waitUntilInUse
  ["waitUntilAvailable: negative maxWaitTime", "maxWaitTime", (w) => w.free.waitUntilAvailable({ maxWaitTime: -5 })],
  [
    "waitUntilAvailable: Infinity minDelay",
    "minDelay",
    (w) => w.free.waitUntilAvailable({ minDelay: Number.POSITIVE_INFINITY }),
  ],
  ["waitUntilAvailable: null maxDelay", "maxDelay", (w) => w.free.waitUntilAvailable({ maxDelay: any(null) })],
  [
    "waitUntilAvailable: abortSignal-like object",
    "abortSignal",
    (w) => w.free.waitUntilAvailable({ abortSignal: any({ aborted: "no" }) }),
  ],
  [
    "waitUntilAvailable: wait is not a wait option",
    "options.wait",
    (w) => w.free.waitUntilAvailable(any({ wait: false })),
  ],
  [
    "waitUntilInUse: maxWaitTime not above minDelay",
    "maxWaitTime",
    (w) => w.attached.waitUntilInUse({ maxWaitTime: 1, minDelay: 2 }),
  ],
  ["waitUntilInUse: array options", "options", (w) => w.attached.waitUntilInUse(any([]))],
  ["waitUntilInUse: NaN maxWaitTime", "maxWaitTime", (w) => w.attached.waitUntilInUse({ maxWaitTime: Number.NaN })],

  // addresses
  ["assignPrivateIps: zero", "addresses", (w) => w.free.assignPrivateIps(0, wait)],
  ["assignPrivateIps: 50", "addresses", (w) => w.free.assignPrivateIps(50, wait)],
  ["assignPrivateIps: NaN", "addresses", (w) => w.free.assignPrivateIps(Number.NaN, wait)],
  ["assignPrivateIps: empty list", "addresses", (w) => w.free.assignPrivateIps([], wait)],
  ["assignPrivateIps: CIDR in the list", "addresses[0]", (w) => w.free.assignPrivateIps(["10.0.1.0/24"], wait)],
  ["assignPrivateIps: duplicates", "addresses", (w) => w.free.assignPrivateIps(["10.0.1.50", "10.0.1.50"], wait)],
  ["assignPrivateIps: a string, not a list", "addresses", (w) => w.free.assignPrivateIps(any("10.0.1.50"), wait)],
  [
    "assignPrivateIps: a count with allowReassignment",
    "allowReassignment",
    (w) => w.free.assignPrivateIps(2, { allowReassignment: true, ...wait }),
  ],
  ["unassignPrivateIps: the primary IP", "addresses[0]", (w) => w.free.unassignPrivateIps([w.free.privateIp], wait)],
  ["unassignPrivateIps: an IPv6 address", "addresses[0]", (w) => w.free.unassignPrivateIps(["::1"], wait)],
  ["unassignPrivateIps: null", "addresses", (w) => w.free.unassignPrivateIps(any(null), wait)],
  ["associateAddress: malformed allocation", "allocationId", (w) => w.free.associateAddress("eipalloc-xyz", wait)],
  [
    "associateAddress: a public IP for the allocation",
    "allocationId",
    (w) => w.free.associateAddress("203.0.113.5", wait),
  ],
  [
    "associateAddress: CIDR as privateIp",
    "privateIp",
    (w) => w.free.associateAddress(EIP, { privateIp: "10.0.1.0/24", ...wait }),
  ],
  [
    "associateAddress: allowReassociation a number",
    "allowReassociation",
    (w) => w.free.associateAddress(EIP, { allowReassociation: any(1), ...wait }),
  ],
  ["disassociateAddress: malformed allocation", "address", (w) => w.free.disassociateAddress("eipalloc-bad", wait)],
  ["disassociateAddress: octet above 255", "address", (w) => w.free.disassociateAddress("300.1.1.1", wait)],
  ["disassociateAddress: an object", "address", (w) => w.free.disassociateAddress(any({ allocationId: EIP }), wait)],
  ["disassociateAddress: zero minDelay", "minDelay", (w) => w.free.disassociateAddress(undefined, { minDelay: 0 })],

  // attributes and tags
  ["setSecurityGroups: empty", "groupIds", (w) => w.free.setSecurityGroups([], wait)],
  ["setSecurityGroups: malformed", "groupIds[0]", (w) => w.free.setSecurityGroups(["sg-1"], wait)],
  [
    "setSecurityGroups: 17 groups",
    "groupIds",
    (w) =>
      w.free.setSecurityGroups(
        Array.from({ length: 17 }, (_, i) => `sg-${i.toString(16).padStart(17, "0")}`),
        wait,
      ),
  ],
  ["setSecurityGroups: a string", "groupIds", (w) => w.free.setSecurityGroups(any("sg-0123456789abcdef0"), wait)],
  ["setSourceDestCheck: the string 'false'", "enabled", (w) => w.free.setSourceDestCheck(any("false"), wait)],
  ["setSourceDestCheck: undefined", "enabled", (w) => w.free.setSourceDestCheck(any(undefined), wait)],
  ["setDescription: 256 characters", "text", (w) => w.free.setDescription("d".repeat(256), wait)],
  ["setDescription: 1 MB", "text", (w) => w.free.setDescription(MB, wait)],
  ["setDescription: null", "text", (w) => w.free.setDescription(any(null), wait)],
  ["setDeleteOnTermination: 1", "enabled", (w) => w.attached.setDeleteOnTermination(any(1), wait)],
  ["setTags: aws: key", "tags.aws:foo", (w) => w.free.setTags({ "aws:foo": "x" }, wait)],
  [
    "setTags: own __proto__ key holding an object",
    "tags.__proto__",
    (w) => w.free.setTags(protoKey({ polluted: "yes" }), wait),
  ],
  [
    "setTags: object with a prototype",
    "tags",
    (w) => w.free.setTags(Object.create({ team: "db" }) as Record<string, string>, wait),
  ],
  ["setTags: a Map", "tags", (w) => w.free.setTags(any(new Map([["team", "db"]])), wait)],
  ["setTags: options with an unknown key", "options.wait", (w) => w.free.setTags({ team: "db" }, any({ wait: false }))],
  ["removeTags: empty", "keys", (w) => w.free.removeTags([], wait)],
  ["removeTags: duplicates", "keys", (w) => w.free.removeTags(["a", "a"], wait)],
  ["removeTags: empty key", "keys[0]", (w) => w.free.removeTags([""], wait)],
  ["removeTags: aws: key", "keys[1]", (w) => w.free.removeTags(["team", "aws:x"], wait)],
  ["removeTags: a string", "keys", (w) => w.free.removeTags(any("Name"), wait)],

  // orphans
  ["findOrphans: no olderThan", "olderThan", (w) => Eni.findOrphans(w.ec2, any({}))],
  ["findOrphans: negative olderThan", "olderThan", (w) => Eni.findOrphans(w.ec2, { olderThan: -1 })],
  ["findOrphans: NaN olderThan", "olderThan", (w) => Eni.findOrphans(w.ec2, { olderThan: Number.NaN })],
  ["findOrphans: olderThan as a string", "olderThan", (w) => Eni.findOrphans(w.ec2, { olderThan: any("3600") })],
  ["findOrphans: empty owner", "owner", (w) => Eni.findOrphans(w.ec2, { olderThan: 10, owner: "" })],
  ["findOrphans: misspelt key", "query.ownr", (w) => Eni.findOrphans(w.ec2, any({ olderThan: 1, ownr: "x" }))],
  ["findOrphans: null query", "query", (w) => Eni.findOrphans(w.ec2, any(null))],
  ["reapOrphans: a single id, not a list", "orphans", (w) => Eni.reapOrphans(w.ec2, any(ENI))],
  ["reapOrphans: malformed id", "orphans[1]", (w) => Eni.reapOrphans(w.ec2, [ENI, "eni-bad"])],
  [
    "reapOrphans: an object without an id",
    "orphans[0]",
    (w) => Eni.reapOrphans(w.ec2, any([{ networkInterfaceId: ENI }])),
  ],
  ["reapOrphans: duplicates", "orphans", (w) => Eni.reapOrphans(w.ec2, [ENI, ENI])],
  ["reapOrphans: concurrency 0", "concurrency", (w) => Eni.reapOrphans(w.ec2, [ENI], { concurrency: 0 })],
  [
    "reapOrphans: concurrency Infinity",
    "concurrency",
    (w) => Eni.reapOrphans(w.ec2, [ENI], { concurrency: Number.POSITIVE_INFINITY }),
  ],
  ["reapOrphans: no client", "ec2", () => Eni.reapOrphans(any(undefined), [ENI])],

  // checkPermissions
  ["checkPermissions: no client", "ec2", () => checkPermissions(any(null), { eniId: ENI, to: INSTANCE })],
  ["checkPermissions: null plan", "plan", (w) => checkPermissions(w.ec2, any(null))],
  ["checkPermissions: empty plan", "eniId", (w) => checkPermissions(w.ec2, any({}))],
  ["checkPermissions: malformed target", "to", (w) => checkPermissions(w.ec2, { eniId: ENI, to: "i-x" })],
  [
    "checkPermissions: expectedFrom a number",
    "expectedFrom",
    (w) => checkPermissions(w.ec2, { eniId: ENI, to: INSTANCE, expectedFrom: any(1) }),
  ],
  [
    "checkPermissions: malformed allocation",
    "allocationId",
    (w) => checkPermissions(w.ec2, { eniId: ENI, to: INSTANCE, allocationId: "eipalloc-" }),
  ],
  [
    "checkPermissions: device index 0",
    "deviceIndex",
    (w) => checkPermissions(w.ec2, { eniId: ENI, to: INSTANCE, deviceIndex: 0 }),
  ],
  [
    "checkPermissions: also a string",
    "also",
    (w) => checkPermissions(w.ec2, { eniId: ENI, to: INSTANCE, also: any("CreateNetworkInterface") }),
  ],
  [
    "checkPermissions: also an unknown action",
    "also[0]",
    (w) => checkPermissions(w.ec2, { eniId: ENI, to: INSTANCE, also: any(["RunInstances"]) }),
  ],
  [
    "checkPermissions: misspelt key",
    "plan.toInstance",
    (w) => checkPermissions(w.ec2, any({ eniId: ENI, to: INSTANCE, toInstance: INSTANCE })),
  ],
];

describe("bad input: ValidationError naming the field, a short message, and no request sent", () => {
  let world: World;

  beforeAll(async () => {
    const sim = new Ec2Simulator({ timings: { createMs: 10, attachMs: 10, detachMs: 10 } });
    const { vpcId } = sim.addVpc();
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.1.0/24" });
    const instanceId = sim.addInstance({ subnetId }).instanceId;
    const other = sim.addInstance({ subnetId }).instanceId;
    const ec2 = sim.client();
    const attached = (await Eni.create(ec2, { subnetId, ...wait }).attachTo(instanceId, wait))._unsafeUnwrap();
    const free = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    world = { sim, ec2, attached, free, subnetId, instanceId, other };
  });

  it("covers at least 60 malformed inputs", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map(([name]) => name)).size).toBe(cases.length);
  });

  it.each(cases)("%s → ValidationError on `%s`", async (_name, field, call) => {
    world.sim.clearCalls();
    let pending: unknown;
    // Not even a JavaScript caller's nonsense may make a method throw.
    expect(() => {
      pending = call(world);
    }).not.toThrow();
    const settled = await (pending as PromiseLike<Result<unknown, unknown>>);
    expect(settled.isErr()).toBe(true);
    const error = settled._unsafeUnwrapErr() as Error & { field?: string };
    expect(error.name).toBe("ValidationError");
    expect(error.field).toBe(field);
    expect(error.message.length).toBeLessThan(300);
    expect(world.sim.calls).toEqual([]);
  });
});

describe("bad input found only after a read, by design", () => {
  it("moveTo with deviceIndex 'same' on an unattached ENI reads first, then refuses with no mutating call", async () => {
    const sim = new Ec2Simulator({ timings: { createMs: 10, attachMs: 10, detachMs: 10 } });
    const { vpcId } = sim.addVpc();
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
    const target = sim.addInstance({ subnetId }).instanceId;
    const ec2 = sim.client();
    const free = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    sim.clearCalls();

    const result = await free.moveTo(target, { deviceIndex: "same", ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "deviceIndex" });
    expect(sim.calls.map((call) => call.action).sort()).toEqual(["DescribeInstances", "DescribeNetworkInterfaces"]);
  });

  it("associateAddress with a privateIp the ENI does not have reads first, then refuses with no mutating call", async () => {
    const sim = new Ec2Simulator({ timings: { createMs: 10, attachMs: 10, detachMs: 10 } });
    const { vpcId } = sim.addVpc();
    const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a", cidr: "10.0.1.0/24" });
    const { allocationId } = sim.addAddress();
    const ec2 = sim.client();
    const free = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    sim.clearCalls();

    const result = await free.associateAddress(allocationId, { privateIp: "10.0.1.250", ...wait });

    expect(result._unsafeUnwrapErr()).toMatchObject({ name: "ValidationError", field: "privateIp" });
    expect(sim.calls.map((call) => call.action).sort()).toEqual(["DescribeAddresses", "DescribeNetworkInterfaces"]);
  });
});
