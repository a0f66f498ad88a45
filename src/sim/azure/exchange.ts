// The request and response of one ARM call as the Azure fake's handlers see them: parsed and
// authenticated by the server, answered with a status, headers and a JSON body.

export interface ArmRequest {
  method: string;
  /** Path without the query string, as sent (percent-encoded). */
  path: string;
  query: URLSearchParams;
  body: unknown;
  apiVersion: string;
  /** "https://127.0.0.1:<port>": the origin for URLs the fake hands out (LRO status, nextLink). */
  baseUrl: string;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
