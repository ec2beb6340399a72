import type { World } from "../world.js";
import {
  allocateAddress,
  associateAddress,
  describeAddresses,
  disassociateAddress,
  releaseAddress,
} from "./addresses.js";
import { attachNetworkInterface, detachNetworkInterface } from "./attachments.js";
import {
  describeInstances,
  describeInstanceTypes,
  runInstances,
  startInstances,
  stopInstances,
  terminateInstances,
} from "./instances.js";
import {
  assignPrivateIpAddresses,
  createNetworkInterface,
  deleteNetworkInterface,
  describeNetworkInterfaces,
  modifyNetworkInterfaceAttribute,
  unassignPrivateIpAddresses,
} from "./network-interfaces.js";
import { createTags, deleteTags } from "./tags.js";
import {
  attachInternetGateway,
  createInternetGateway,
  createSecurityGroup,
  createSubnet,
  createVpc,
  describeAvailabilityZones,
  describeInternetGateways,
  describeSecurityGroups,
  describeSubnets,
  describeVpcs,
} from "./vpcs.js";

// `input: never` lets each handler keep its own SDK input type; the simulator
// passes the command's input through unchanged.
/** Answers one EC2 action against the world. */
export type Handler = (world: World, input: never) => object;

/** The actions the simulator answers, by EC2 action name. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  AllocateAddress: allocateAddress,
  AssignPrivateIpAddresses: assignPrivateIpAddresses,
  AssociateAddress: associateAddress,
  AttachInternetGateway: attachInternetGateway,
  AttachNetworkInterface: attachNetworkInterface,
  CreateInternetGateway: createInternetGateway,
  CreateNetworkInterface: createNetworkInterface,
  CreateSecurityGroup: createSecurityGroup,
  CreateSubnet: createSubnet,
  CreateTags: createTags,
  CreateVpc: createVpc,
  DeleteNetworkInterface: deleteNetworkInterface,
  DeleteTags: deleteTags,
  DescribeAddresses: describeAddresses,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeInstances: describeInstances,
  DescribeInternetGateways: describeInternetGateways,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSubnets: describeSubnets,
  DescribeVpcs: describeVpcs,
  DetachNetworkInterface: detachNetworkInterface,
  DisassociateAddress: disassociateAddress,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
  ReleaseAddress: releaseAddress,
  RunInstances: runInstances,
  StartInstances: startInstances,
  StopInstances: stopInstances,
  TerminateInstances: terminateInstances,
  UnassignPrivateIpAddresses: unassignPrivateIpAddresses,
};
