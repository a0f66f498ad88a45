// POST pods/<name>/binding over HTTP, as kube-scheduler sends it: the body is a core v1 Binding,
// checked against the URL, and the answer is a Status (the pod changes; nothing else is stored).
import { baseContentType, decodeBody, readBody, sendJson } from "./http-io.js";
import { protobufMediaType } from "./protobuf.js";
import { dryRunOf } from "./request-options.js";
import type { ResourceRequest } from "./resource-handlers.js";
import { badRequest, unsupportedMediaType } from "./status.js";
import type { KubeObject } from "./types.js";

export async function handlePodBinding(r: ResourceRequest): Promise<void> {
  const dryRun = dryRunOf(r.query.getAll("dryRun"), "CreateOptions");
  const contentType = baseContentType(r.req.headers["content-type"]);
  if (
    contentType === protobufMediaType ||
    (contentType !== "" && contentType !== "application/json" && contentType !== "application/yaml")
  ) {
    throw unsupportedMediaType(contentType, ["application/json", "application/yaml"]);
  }
  const binding = decodeBody(await readBody(r.req), contentType) as KubeObject;
  if (binding.apiVersion !== undefined && binding.apiVersion !== "v1") {
    throw badRequest(
      `the API version in the data (${binding.apiVersion}) does not match the expected API version (v1)`,
    );
  }
  if (binding.kind !== undefined && binding.kind !== "Binding") {
    throw badRequest(`the kind in the data (${binding.kind}) does not match the expected kind (Binding)`);
  }
  binding.metadata ??= {};
  const namespace = binding.metadata.namespace;
  if (namespace && namespace !== r.route.namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  binding.metadata.namespace = r.route.namespace;
  const status = r.store.bind(binding, { dryRun, urlName: r.route.name ?? "" });
  sendJson(r.res, 201, status);
}
