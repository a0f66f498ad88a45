// What ARM's front door does before a resource provider sees a request: the bearer token, the
// api-version, the JSON body, and the answers of injected faults (429, 5xx) in ARM's error shape.
import { timingSafeEqual } from "node:crypto";
import { ArmError } from "./arm-error.js";
import type { ArmResponse } from "./exchange.js";
import type { Denial, FaultAction } from "./faults.js";

/** `x-ms-ratelimit-remaining-subscription-reads` (GET) or `-writes`: the quota header ARM sends. */
export function quotaHeader(method: string): string {
  return `x-ms-ratelimit-remaining-subscription-${method === "GET" ? "reads" : "writes"}`;
}

// The identity ARM names in an AuthorizationFailed message: the fake has a single caller.
const callerObjectId = "00000000-0000-0000-0000-00000000c0de";

/** ARM's answer when the caller's identity has no role allowing the operation. */
export function authorizationFailed(denial: Denial, method: string, path: string): ArmResponse {
  const { operation: derived, scope } = operationOf(method, path);
  const operation = denial.action ?? derived;
  return {
    status: 403,
    body: new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${callerObjectId}' with object id '${callerObjectId}' does not have authorization to ` +
        `perform action '${operation}' over scope '${scope}' or the scope is invalid. ` +
        "If access was recently granted, please refresh your credentials.",
    ).toBody(),
  };
}

export function faultResponse(action: Exclude<FaultAction, { kind: "drop" }>, method: string): ArmResponse {
  if (action.kind === "throttle") {
    return {
      status: 429,
      headers: { "retry-after": String(action.retryAfterSeconds), [quotaHeader(method)]: "0" },
      body: new ArmError(
        429,
        "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type - " +
          `${method === "GET" ? "Read" : "Write"}_ObservationWindow_00:01:00. ` +
          "For more information, refer to - https://aka.ms/armthrottling",
      ).toBody(),
    };
  }
  const codes: Record<number, [string, string]> = {
    502: ["BadGateway", "The gateway received an invalid response from the service."],
    503: ["ServiceUnavailable", "The service is temporarily unavailable. Please retry later."],
    504: ["GatewayTimeout", "The gateway did not receive a response from the service in time."],
  };
  const [code, message] = codes[action.status] ?? [
    "InternalServerError",
    "Encountered internal server error.",
  ];
  const headers: Record<string, string> =
    action.retryAfterSeconds === undefined ? {} : { "retry-after": String(action.retryAfterSeconds) };
  return { status: action.status, headers, body: new ArmError(action.status, code, message).toBody() };
}

export function checkToken(header: string | undefined, expected: Buffer): ArmError | undefined {
  const challenge = {
    "www-authenticate":
      'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ' +
      'error_description="The authentication failed."',
  };
  if (header === undefined) {
    return new ArmError(
      401,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is missing.",
      {
        headers: challenge,
      },
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined) {
    return new ArmError(
      401,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is provided in an invalid format.",
      { headers: challenge },
    );
  }
  const sent = Buffer.from(match[1]);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    return new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.", {
      headers: challenge,
    });
  }
  return undefined;
}

export function checkApiVersion(query: URLSearchParams): string {
  const apiVersion = query.get("api-version");
  if (apiVersion === null || apiVersion === "") {
    throw new ArmError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) {
    throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid.`);
  }
  return apiVersion;
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      `The request content was invalid and could not be deserialized: ${(error as Error).message}`,
    );
  }
}

/** ARM's operation name and scope of a request, e.g. "Microsoft.ContainerService/managedClusters/read". */
function operationOf(method: string, path: string): { operation: string; scope: string } {
  const segments = path.split("/").filter((s) => s !== "");
  const index = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
  if (index < 0) return { operation: method === "GET" ? "read" : "write", scope: path };
  const namespace = segments[index + 1] ?? "";
  const rest = segments.slice(index + 2);
  const types = rest.filter((_, i) => i % 2 === 0);
  // An odd tail (.../managedClusters/prod/listClusterUserCredential) is an action on the resource.
  if (rest.length % 2 === 1) {
    return {
      operation: [namespace, ...types, "action"].join("/"),
      scope: `/${segments.slice(0, -1).join("/")}`,
    };
  }
  const verb = method === "GET" ? "read" : method === "DELETE" ? "delete" : "write";
  return { operation: [namespace, ...types, verb].join("/"), scope: path };
}
