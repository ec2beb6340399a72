import type {
  AttachNetworkInterfaceCommandInput,
  AttachNetworkInterfaceCommandOutput,
  DetachNetworkInterfaceCommandInput,
  DetachNetworkInterfaceCommandOutput,
} from "@aws-sdk/client-ec2";
import { Ec2Error, invalidValue, missingParameter } from "../errors.js";
import type { World } from "../world.js";
import { ensureManageable } from "./network-interfaces.js";
import type { Output } from "./types.js";

// Hot attach (running) and warm attach (stopped) work; an instance on its way in
// or out refuses. EC2's docs do not list `pending`/`stopping`: refusing is the safe guess.
const ATTACHABLE_STATES: readonly string[] = ["running", "stopped"];

/**
 * AttachNetworkInterface with EC2's rules: same AZ, a free device index per network
 * card, the type's interface and address limits (interfaces overall and per card), and
 * attachable states. Permissive mode waives the rules moto does not check.
 */
export function attachNetworkInterface(
  world: World,
  input: AttachNetworkInterfaceCommandInput,
): Output<AttachNetworkInterfaceCommandOutput> {
  const deviceIndex = input.DeviceIndex;
  if (deviceIndex === undefined) throw missingParameter("DeviceIndex");
  const eni = world.eni(input.NetworkInterfaceId);
  const instance = world.instance(input.InstanceId);
  const card = input.NetworkCardIndex ?? 0;
  const limits = world.limits(instance.type);
  if (!Number.isInteger(deviceIndex) || deviceIndex < 0) {
    throw invalidValue(`Invalid value '${deviceIndex}' for deviceIndex.`);
  }
  const cardLimit = limits.cards[card];
  if (!Number.isInteger(card) || cardLimit === undefined) {
    throw invalidValue(`Network card index '${card}' is not valid for instance type ${instance.type}.`);
  }
  world.dryRun(input);
  ensureManageable(eni);
  // What EC2 refuses and moto accepts: permissive mode lets these through.
  const refuse = (error: Ec2Error) => {
    if (!world.config.permissive) throw error;
  };
  if (!ATTACHABLE_STATES.includes(instance.state)) {
    throw new Ec2Error(
      "IncorrectInstanceState",
      `The instance '${instance.id}' is not in a valid state for this operation.`,
    );
  }
  if (eni.az !== instance.az) {
    refuse(
      new Ec2Error(
        "InvalidParameterCombination",
        "You may not attach a network interface to an instance if they are not in the same availability zone",
      ),
    );
  }
  if (eni.attachment) refuse(new Ec2Error("InvalidNetworkInterface.InUse", `Interface: [${eni.id}] in use.`));
  if (world.eniStatus(eni) === "pending") {
    throw new Ec2Error("IncorrectState", `Network interface '${eni.id}' is not available yet.`);
  }
  // Device indexes are unique per network card; index 0 on a card other than 0 is valid.
  const attached = world.attachedTo(instance.id).filter((e) => e !== eni);
  const onCard = attached.filter((e) => e.attachment?.cardIndex === card);
  if (onCard.some((e) => e.attachment?.deviceIndex === deviceIndex)) {
    refuse(
      invalidValue(`Instance '${instance.id}' already has an interface attached at device index '${deviceIndex}'.`),
    );
  }
  if (attached.length + 1 > limits.maxInterfaces) {
    refuse(
      new Ec2Error(
        "AttachmentLimitExceeded",
        `Interface count ${attached.length + 1} exceeds the limit for ${instance.type}`,
      ),
    );
  }
  if (onCard.length + 1 > cardLimit) {
    refuse(
      new Ec2Error(
        "AttachmentLimitExceeded",
        `Interface count ${onCard.length + 1} exceeds the limit for network card ${card} of ${instance.type}`,
      ),
    );
  }
  const addresses = [
    [eni.ips.length, limits.ipv4PerInterface],
    [eni.ipv6.length, limits.ipv6PerInterface],
  ] as const;
  for (const [count, limit] of addresses) {
    if (count <= limit) continue;
    refuse(
      new Ec2Error(
        "InvalidInterface.IpAddressLimitExceeded",
        `Address count ${count} on interface ${eni.id} exceeds the limit for ${instance.type}`,
      ),
    );
  }
  const attachment = world.attach(eni, instance, deviceIndex, card);
  return { AttachmentId: attachment.id, NetworkCardIndex: card };
}

/**
 * DetachNetworkInterface: never the primary ENI, nor a service's own attachment; `detaching`
 * for `detachMs`, then gone.
 */
export function detachNetworkInterface(
  world: World,
  input: DetachNetworkInterfaceCommandInput,
): Output<DetachNetworkInterfaceCommandOutput> {
  const { eni, attachment } = world.attachment(input.AttachmentId);
  world.dryRun(input);
  if (attachment.instanceId === undefined) {
    throw new Ec2Error("OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments.");
  }
  ensureManageable(eni);
  if (attachment.deviceIndex === 0 && attachment.cardIndex === 0) {
    throw new Ec2Error(
      "OperationNotPermitted",
      "The network interface at device index 0 and networkCard index 0 cannot be detached.",
    );
  }
  world.beginDetach(eni, attachment, input.Force === true);
  return {};
}
