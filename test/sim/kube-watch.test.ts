// Watches as informers and kubectl use them: current state first or resume from a
// resourceVersion, selector transitions, bookmarks, timeouts, and 410 for compacted versions.

import { request as httpsRequest } from "node:https";
import { Watch } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ObjectBody } from "../helpers/kube-shapes.js";
import { eventually, type KubeSimHarness, raw, useKubeSim } from "../helpers/kube-sim.js";

interface WatchEvent {
  type: string;
  object: ObjectBody;
}

/** Opens a raw watch stream and collects its events until closed. */
function openWatch(h: KubeSimHarness, path: string) {
  const events: WatchEvent[] = [];
  let ended = false;
  let buffer = "";
  const req = httpsRequest(
    new URL(path, h.sim.url),
    { ca: h.tls.caCert, headers: { Authorization: `Bearer ${h.token}` } },
    (res) => {
      res.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("utf8");
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)) as WatchEvent);
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf("\n");
        }
      });
      res.on("end", () => {
        ended = true;
      });
    },
  );
  req.end();
  return {
    events,
    ended: () => ended,
    close: () => req.destroy(),
  };
}

describe("kube-sim watch", () => {
  const h = useKubeSim({ store: { compactionIntervalMs: 0 }, watch: { bookmarkIntervalMs: 50 } });
  const cm = () => h().type("", "configmaps");

  it("sends the current state as ADDED, then changes as they happen", async () => {
    h().sim.store.create(cm(), { metadata: { name: "before", namespace: "default" } });
    const w = openWatch(h(), "/api/v1/namespaces/default/configmaps?watch=true");
    await eventually(() => (w.events.length >= 1 ? true : undefined), "initial ADDED");
    const store = h().sim.store;
    store.create(cm(), { metadata: { name: "later", namespace: "default" } });
    const later = store.get(cm(), "default", "later");
    store.update(cm(), { ...later, data: { a: "1" } });
    store.delete(cm(), "default", "later");
    store.create(cm(), { metadata: { name: "elsewhere", namespace: "kube-system" } });
    await eventually(() => (w.events.length >= 4 ? true : undefined), "four events");
    w.close();
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      "ADDED before",
      "ADDED later",
      "MODIFIED later",
      "DELETED later",
    ]);
    const deleted = w.events[3];
    expect(Number(deleted?.object.metadata.resourceVersion)).toBeGreaterThan(
      Number(w.events[2]?.object.metadata.resourceVersion),
    );
  });

  it("resumes after a resourceVersion and reports a compacted one as a 410 ERROR event", async () => {
    const store = h().sim.store;
    const from = store.resourceVersion;
    store.create(cm(), { metadata: { name: "resumed", namespace: "default" } });
    const w = openWatch(h(), `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${from}`);
    await eventually(() => (w.events.length >= 1 ? true : undefined), "replayed event");
    w.close();
    expect(w.events[0]).toMatchObject({ type: "ADDED", object: { metadata: { name: "resumed" } } });

    store.compact();
    const old = openWatch(h(), `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${from}`);
    await eventually(() => (old.ended() ? true : undefined), "stream end");
    expect(old.events).toEqual([
      {
        type: "ERROR",
        object: expect.objectContaining({
          kind: "Status",
          reason: "Expired",
          code: 410,
          message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
        }),
      },
    ]);
  });

  it("reports objects entering and leaving a label selector as ADDED and DELETED", async () => {
    const store = h().sim.store;
    store.create(cm(), { metadata: { name: "sel", namespace: "default", labels: { watched: "no" } } });
    const w = openWatch(
      h(),
      `/api/v1/namespaces/default/configmaps?watch=true&labelSelector=watched%3Dyes&resourceVersion=${store.resourceVersion}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const obj = store.get(cm(), "default", "sel");
    const inside = store.update(cm(), { ...obj, metadata: { ...obj?.metadata, labels: { watched: "yes" } } });
    store.update(cm(), { ...inside, metadata: { ...inside.metadata, labels: { watched: "no" } } });
    await eventually(() => (w.events.length >= 2 ? true : undefined), "two events");
    w.close();
    expect(w.events.map((e) => e.type)).toEqual(["ADDED", "DELETED"]);
  });

  it("sends bookmarks when allowed and ends at timeoutSeconds", async () => {
    const w = openWatch(
      h(),
      `/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${h().sim.store.resourceVersion}`,
    );
    await eventually(() => (w.ended() ? true : undefined), "timeout", 3000);
    const bookmark = w.events.find((e) => e.type === "BOOKMARK");
    expect(bookmark?.object).toMatchObject({
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { resourceVersion: expect.any(String) },
    });
  });

  it("streams the initial state then an initial-events-end bookmark for sendInitialEvents", async () => {
    const w = openWatch(
      h(),
      "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
    );
    await eventually(() => (w.events.some((e) => e.type === "BOOKMARK") ? true : undefined), "end bookmark");
    w.close();
    const end = w.events.find((e) => e.type === "BOOKMARK");
    expect(end?.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    expect(w.events.filter((e) => e.type === "ADDED").length).toBeGreaterThan(0);
  });

  it("serves @kubernetes/client-node's Watch", async () => {
    const seen: string[] = [];
    const watch = new Watch(h().kubeConfig);
    const controller = await watch.watch(
      "/api/v1/namespaces/default/configmaps",
      { resourceVersion: String(h().sim.store.resourceVersion) },
      (type, object: { metadata: { name: string } }) => seen.push(`${type} ${object.metadata.name}`),
      () => {},
    );
    h().sim.store.create(cm(), { metadata: { name: "via-client", namespace: "default" } });
    await eventually(() => (seen.length > 0 ? true : undefined), "client-node event");
    controller.abort();
    expect(seen).toEqual(["ADDED via-client"]);
  });

  it("refuses an unparseable resourceVersion with 400", async () => {
    const res = await raw(h(), "GET", "/api/v1/configmaps?watch=true&resourceVersion=abc");
    expect(res.status).toBe(400);
  });
});
