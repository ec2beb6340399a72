import { EC2ServiceException } from "@aws-sdk/client-ec2";
import type { IdPrefix } from "./ids.js";

/**
 * An EC2 error inside the simulator: handlers throw it, and the client hook turns
 * it into the `EC2ServiceException` the SDK would have deserialized.
 */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// EC2 sends 400 for client errors except these; RequestLimitExceeded is listed
// among EC2's server errors, so the SDK sees a 503 (and retries it as throttling).
const STATUS: Record<string, number> = {
  UnauthorizedOperation: 403,
  DryRunOperation: 412,
  RequestLimitExceeded: 503,
  InternalError: 500,
  InternalFailure: 500,
  ServerInternal: 500,
  Unavailable: 503,
  ServiceUnavailable: 503,
  InsufficientInstanceCapacity: 500,
};

/** The HTTP status EC2 answers with for `code`. */
export function statusFor(code: string): number {
  return STATUS[code] ?? 400;
}

/** Builds the exception the SDK's EC2 query protocol produces for an error response. */
export function toServiceException(error: Ec2Error, requestId: string): EC2ServiceException {
  const httpStatusCode = statusFor(error.code);
  const exception = new EC2ServiceException({
    name: error.code,
    $fault: httpStatusCode < 500 ? "client" : "server",
    $metadata: { httpStatusCode, requestId },
    message: error.message,
  });
  return Object.assign(exception, {
    Code: error.code,
    Error: { Code: error.code, Message: error.message },
  });
}

const NOT_FOUND: Record<IdPrefix, { code: string; noun: string }> = {
  vpc: { code: "InvalidVpcID.NotFound", noun: "vpc ID" },
  igw: { code: "InvalidInternetGatewayID.NotFound", noun: "internetGateway ID" },
  subnet: { code: "InvalidSubnetID.NotFound", noun: "subnet ID" },
  sg: { code: "InvalidGroup.NotFound", noun: "security group" },
  eni: { code: "InvalidNetworkInterfaceID.NotFound", noun: "networkInterface ID" },
  "eni-attach": { code: "InvalidAttachmentID.NotFound", noun: "attachment ID" },
  "ela-attach": { code: "InvalidAttachmentID.NotFound", noun: "attachment ID" },
  i: { code: "InvalidInstanceID.NotFound", noun: "instance ID" },
  r: { code: "InvalidReservationID.NotFound", noun: "reservation ID" },
  eipalloc: { code: "InvalidAllocationID.NotFound", noun: "allocation ID" },
  eipassoc: { code: "InvalidAssociationID.NotFound", noun: "association ID" },
};

/** EC2's NotFound error for one or more unknown ids of one kind. */
export function notFound(prefix: IdPrefix, ids: readonly string[]): Ec2Error {
  const { code, noun } = NOT_FOUND[prefix];
  // EC2 pluralises: "The instance IDs 'i-1, i-2' do not exist".
  const message =
    ids.length === 1 ? `The ${noun} '${ids.join("")}' does not exist` : `The ${noun}s '${ids.join(", ")}' do not exist`;
  return new Ec2Error(code, message);
}

// Note EC2's inconsistent casing (`Id` vs `ID`), kept on purpose. The allocation
// association and internet gateway codes are not in EC2's error table; they follow its pattern.
const MALFORMED: Record<IdPrefix | "ami", string> = {
  vpc: "InvalidVpcID.Malformed",
  igw: "InvalidInternetGatewayID.Malformed",
  subnet: "InvalidSubnetID.Malformed",
  sg: "InvalidGroupId.Malformed",
  eni: "InvalidNetworkInterfaceId.Malformed",
  "eni-attach": "InvalidNetworkInterfaceAttachmentId.Malformed",
  "ela-attach": "InvalidNetworkInterfaceAttachmentId.Malformed",
  i: "InvalidInstanceID.Malformed",
  r: "InvalidReservationID.Malformed",
  eipalloc: "InvalidAllocationID.Malformed",
  eipassoc: "InvalidAssociationID.Malformed",
  ami: "InvalidAMIID.Malformed",
};

/** EC2's Malformed error for an id that does not have the expected shape. */
export function malformed(prefix: IdPrefix | "ami", id: string): Ec2Error {
  return new Ec2Error(MALFORMED[prefix], `Invalid id: "${id}" (expecting "${prefix}-...")`);
}

/** EC2's error for a required parameter that is absent. */
export function missingParameter(name: string): Ec2Error {
  return new Ec2Error("MissingParameter", `The request must contain the parameter ${name}`);
}

/** EC2's generic error for a value it cannot use. */
export function invalidValue(message: string): Ec2Error {
  return new Ec2Error("InvalidParameterValue", message);
}
