// List answers of the Azure fake: {"value":[...],"nextLink"} pages in id order, continued by a
// $skiptoken that names the last id served, so creations and deletions between pages skip nothing.
import { ArmError } from "./arm-error.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";

export function listPage<T extends { id: string }>(
  request: ArmRequest,
  items: Iterable<T>,
  pageSize: number,
  render: (item: T) => unknown,
): ArmResponse {
  const token = request.query.get("$skiptoken");
  let after = "";
  if (token !== null) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (!after.startsWith("/")) {
      throw new ArmError(400, "InvalidSkipToken", `The skip token '${token}' is not valid.`);
    }
  }
  const sorted = [...items]
    .map((item) => ({ key: item.id.toLowerCase(), item }))
    .filter(({ key }) => key > after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = sorted.slice(0, pageSize);
  const body: { value: unknown[]; nextLink?: string } = { value: page.map(({ item }) => render(item)) };
  const last = page.at(-1);
  if (sorted.length > pageSize && last !== undefined) {
    const next = Buffer.from(last.key, "utf8").toString("base64url");
    body.nextLink =
      `${request.baseUrl}${request.path}?api-version=${encodeURIComponent(request.apiVersion)}` +
      `&$skiptoken=${next}`;
  }
  return { status: 200, body };
}
