import type {
  CreateTagsCommandInput,
  CreateTagsCommandOutput,
  DeleteTagsCommandInput,
  DeleteTagsCommandOutput,
} from "@aws-sdk/client-ec2";
import { missingParameter } from "../errors.js";
import { setTags, type World } from "../world.js";
import type { Output } from "./types.js";

/** CreateTags on any simulated resource; all ids are checked before any is tagged. */
export function createTags(world: World, input: CreateTagsCommandInput): Output<CreateTagsCommandOutput> {
  const ids = input.Resources ?? [];
  if (ids.length === 0) throw missingParameter("ResourceId");
  if (input.Tags === undefined) throw missingParameter("Tag");
  const resources = ids.map((id) => world.taggable(id));
  world.dryRun(input);
  const entries = input.Tags.map((t) => [t.Key ?? "", t.Value ?? ""] as const);
  resources.forEach((resource, i) => setTags(ids[i] ?? "", resource.tags, entries));
  for (const id of ids) world.tagsChanged(id);
  return {};
}

/**
 * DeleteTags: without `Tags` every tag goes; a tag given with a value is removed
 * only when the value matches, as on EC2.
 */
export function deleteTags(world: World, input: DeleteTagsCommandInput): Output<DeleteTagsCommandOutput> {
  const ids = input.Resources ?? [];
  if (ids.length === 0) throw missingParameter("ResourceId");
  const resources = ids.map((id) => world.taggable(id));
  world.dryRun(input);
  for (const { tags } of resources) {
    if (input.Tags === undefined) tags.clear();
    for (const { Key: key = "", Value: value } of input.Tags ?? []) {
      if (value === undefined || tags.get(key) === value) tags.delete(key);
    }
  }
  for (const id of ids) world.tagsChanged(id);
  return {};
}
