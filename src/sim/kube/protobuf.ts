// Request bodies in Kubernetes' protobuf encoding (`k8s\0` + runtime.Unknown), which kubectl's typed
// clients send for `kubectl create namespace|configmap|secret|serviceaccount`; decoded into JSON.
import { unsupportedMediaType } from "./status.js";
import type { KubeObject } from "./types.js";

type Scalar = "string" | "bytes" | "int64" | "bool" | "time";

interface Field {
  name: string;
  type: Scalar | Message;
  repeated?: boolean;
  /** map<string, value>: entries are messages {1: key, 2: value}. */
  mapValue?: "string" | "bytes";
}

type Message = Record<number, Field>;

// Field numbers from the generated.proto files of k8s.io/apimachinery and k8s.io/api (core/v1).
const ownerReference: Message = {
  1: { name: "kind", type: "string" },
  3: { name: "name", type: "string" },
  4: { name: "uid", type: "string" },
  5: { name: "apiVersion", type: "string" },
  6: { name: "controller", type: "bool" },
  7: { name: "blockOwnerDeletion", type: "bool" },
};

const objectMeta: Message = {
  1: { name: "name", type: "string" },
  2: { name: "generateName", type: "string" },
  3: { name: "namespace", type: "string" },
  5: { name: "uid", type: "string" },
  6: { name: "resourceVersion", type: "string" },
  7: { name: "generation", type: "int64" },
  8: { name: "creationTimestamp", type: "time" },
  11: { name: "labels", type: "string", mapValue: "string" },
  12: { name: "annotations", type: "string", mapValue: "string" },
  13: { name: "ownerReferences", type: ownerReference, repeated: true },
  14: { name: "finalizers", type: "string", repeated: true },
};

const objectReference: Message = {
  1: { name: "kind", type: "string" },
  2: { name: "namespace", type: "string" },
  3: { name: "name", type: "string" },
  4: { name: "uid", type: "string" },
  5: { name: "apiVersion", type: "string" },
};

const kinds: Record<string, Message> = {
  "v1/Namespace": {
    1: { name: "metadata", type: objectMeta },
    2: { name: "spec", type: { 1: { name: "finalizers", type: "string", repeated: true } } },
  },
  "v1/ConfigMap": {
    1: { name: "metadata", type: objectMeta },
    2: { name: "data", type: "string", mapValue: "string" },
    3: { name: "binaryData", type: "string", mapValue: "bytes" },
    4: { name: "immutable", type: "bool" },
  },
  "v1/Secret": {
    1: { name: "metadata", type: objectMeta },
    2: { name: "data", type: "string", mapValue: "bytes" },
    3: { name: "type", type: "string" },
    4: { name: "stringData", type: "string", mapValue: "string" },
    5: { name: "immutable", type: "bool" },
  },
  "v1/ServiceAccount": {
    1: { name: "metadata", type: objectMeta },
    2: { name: "secrets", type: objectReference, repeated: true },
    3: { name: "imagePullSecrets", type: { 1: { name: "name", type: "string" } }, repeated: true },
    4: { name: "automountServiceAccountToken", type: "bool" },
  },
};

const unknownEnvelope: Message = {
  1: {
    name: "typeMeta",
    type: { 1: { name: "apiVersion", type: "string" }, 2: { name: "kind", type: "string" } },
  },
  2: { name: "raw", type: "bytes" },
};

interface WireField {
  number: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length; i++) {
    const byte = buf[i] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new Error("truncated varint");
}

function readFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, next] = readVarint(buf, pos);
    pos = next;
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, pos);
      fields.push({ number, varint: value });
      pos = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, pos);
      const end = after + Number(length);
      if (end > buf.length) throw new Error("truncated field");
      fields.push({ number, bytes: buf.subarray(after, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return fields;
}

function scalar(type: Scalar | "bytes", field: WireField): unknown {
  switch (type) {
    case "string":
      return field.bytes?.toString("utf8") ?? "";
    case "bytes":
      return field.bytes?.toString("base64") ?? "";
    case "int64":
      return Number(field.varint ?? 0n);
    case "bool":
      return (field.varint ?? 0n) !== 0n;
    case "time": {
      const parts = decodeMessage(field.bytes ?? Buffer.alloc(0), {
        1: { name: "seconds", type: "int64" },
      });
      const seconds = Number(parts.seconds ?? 0);
      return seconds === 0 ? "" : `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
    }
  }
}

function decodeMessage(buf: Buffer, message: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const wire of readFields(buf)) {
    const field = message[wire.number];
    if (!field) continue;
    if (field.mapValue) {
      const entry = decodeMessage(wire.bytes ?? Buffer.alloc(0), {
        1: { name: "key", type: "string" },
        2: { name: "value", type: field.mapValue },
      });
      const map = (out[field.name] as Record<string, unknown> | undefined) ?? {};
      map[String(entry.key ?? "")] = entry.value ?? (field.mapValue === "bytes" ? "" : "");
      out[field.name] = map;
      continue;
    }
    const value =
      typeof field.type === "object"
        ? decodeMessage(wire.bytes ?? Buffer.alloc(0), field.type)
        : scalar(field.type, wire);
    // The generated marshallers write empty strings and zero numbers that JSON would omit.
    if (!field.repeated && (value === "" || (value === 0 && field.type === "int64"))) continue;
    if (field.repeated) out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    else out[field.name] = value;
  }
  return out;
}

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const protobufMediaType = "application/vnd.kubernetes.protobuf";

/** Decodes a protobuf request body of one of the few kinds supported; others are 415. */
export function decodeProtobufObject(body: Buffer): KubeObject {
  const refuse = (why: string) =>
    unsupportedMediaType(`${protobufMediaType} (${why})`, ["application/json", "application/yaml"]);
  if (!body.subarray(0, 4).equals(magic)) throw refuse("missing the k8s protobuf prefix");
  let envelope: Record<string, unknown>;
  try {
    envelope = decodeMessage(body.subarray(4), unknownEnvelope);
  } catch (err) {
    throw refuse((err as Error).message);
  }
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = kinds[`${typeMeta.apiVersion}/${typeMeta.kind}`];
  // Access reviews are answered from who asks, not from their spec (`kubectl auth can-i`).
  if (!schema && typeMeta.kind?.endsWith("Review"))
    return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, metadata: {} };
  if (!schema) throw refuse(`the simulator decodes only ${Object.keys(kinds).join(", ")}`);
  const raw = Buffer.from(String(envelope.raw ?? ""), "base64");
  const object = decodeMessage(raw, schema) as KubeObject;
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...object };
}
