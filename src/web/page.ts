// The backup center's HTML shell and style sheet, kept as strings so the TypeScript build carries
// them into dist/ with the code. The shell holds no data: src/web/client/ fills it from the API.

/**
 * The page. `apiBase` is the API's URL relative to the page (`api/` under `serve`, `../api/` under
 * the Functions app's `/ui/`), so the page also works behind a reverse proxy's path prefix.
 */
export function pageHtml(apiBase: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="aks-backup-api" content="${escapeAttribute(apiBase)}">
<title>Backup center · aks-backup</title>
<link rel="icon" href="web/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="web/app.css">
<script type="module" src="web/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>Backup center</h1>
  <p id="overall">Loading…</p>
  <button type="button" id="refresh">Refresh</button>
</header>
<p id="status" role="status" aria-live="polite"></p>
<div id="alert" role="alert"></div>
<main id="main">
  <section aria-labelledby="instances-title">
    <h2 id="instances-title">Backup instances</h2>
    <div id="instances"><p>Loading…</p></div>
  </section>
  <section aria-labelledby="jobs-title">
    <h2 id="jobs-title">Jobs</h2>
    <div id="jobs"><p>Loading…</p></div>
  </section>
  <section aria-labelledby="points-title">
    <h2 id="points-title">Recovery points</h2>
    <div id="points"><p>Loading…</p></div>
    <div id="point-details" tabindex="-1"></div>
  </section>
  <section aria-labelledby="restore-title">
    <h2 id="restore-title">Restore</h2>
    <form id="restore-form" novalidate>
      <p>
        <label for="restore-point">Recovery point</label>
        <select id="restore-point" name="recoveryPointId" required></select>
      </p>
      <p>
        <label for="restore-target">Target cluster</label>
        <select id="restore-target" name="targetCluster"></select>
      </p>
      <p>
        <label for="restore-namespaces">Included namespaces</label>
        <input id="restore-namespaces" name="includedNamespaces" aria-describedby="restore-namespaces-hint" autocomplete="off">
        <span id="restore-namespaces-hint" class="hint">Comma-separated, <code>*</code> wildcards allowed; empty: every namespace in the backup.</span>
      </p>
      <p>
        <label for="restore-conflict">When an item already exists</label>
        <select id="restore-conflict" name="conflictPolicy">
          <option value="Skip">Skip it</option>
          <option value="Patch">Patch it</option>
        </select>
      </p>
      <fieldset>
        <legend>Namespace mappings</legend>
        <div id="mappings"></div>
        <button type="button" id="add-mapping">Add mapping</button>
      </fieldset>
      <p class="actions">
        <button type="submit" id="preview" value="preview">Preview (dry run)</button>
        <button type="button" id="restore">Restore</button>
      </p>
    </form>
    <div id="restore-result" tabindex="-1"></div>
  </section>
  <section aria-labelledby="chart-title">
    <h2 id="chart-title">Backup duration and size over time</h2>
    <div id="charts"><p>Loading…</p></div>
  </section>
</main>
</body>
</html>
`;
}

// Only the server writes into the shell, and only this constant-like value; escaped all the same.
function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

export const PAGE_CSS = `:root {
  color-scheme: light dark;
  --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad;
  --ok: #116329; --warn: #7d4e00; --bad: #a40e26;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --accent: #4493f8;
    --ok: #3fb950; --warn: #d29922; --bad: #f85149; }
}
body { margin: 0 auto; max-width: 80rem; padding: 0 1rem 3rem; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; border-bottom: 1px solid var(--line); }
header h1 { margin: .75rem 0; font-size: 1.5rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.state-Healthy, .state-Succeeded { color: var(--ok); }
.state-Warning, .state-PartiallySucceeded, .state-InProgress, .state-Skipped { color: var(--warn); }
.state-Unhealthy, .state-Failed, .state-Cancelled { color: var(--bad); }
.hint, .muted { color: var(--muted); font-size: .9rem; }
.hint { display: block; }
label { display: block; font-weight: 600; }
input, select, button { font: inherit; }
input, select { padding: .25rem; min-width: 16rem; }
button { padding: .3rem .8rem; cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
fieldset { border: 1px solid var(--line); margin: 1rem 0; }
.mapping { display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; margin-bottom: .5rem; }
.actions { display: flex; gap: 1rem; }
#alert:not(:empty) { border: 2px solid var(--bad); padding: .5rem; margin: .5rem 0; }
#status { min-height: 1.5em; color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
ul.messages { margin: .25rem 0; padding-left: 1.25rem; }
svg.chart { max-width: 100%; height: auto; }
svg.chart text { fill: var(--fg); font-size: 11px; }
svg.chart .axis { stroke: var(--muted); }
svg.chart .series-duration { fill: var(--accent); stroke: var(--accent); }
svg.chart .series-size { fill: var(--warn); stroke: var(--warn); }
svg.chart polyline { fill: none; stroke-width: 1.5; }
.chart-panel { margin-bottom: 1.5rem; }
`;

/** A shield, so the browser's tab has an icon and never asks for a missing /favicon.ico. */
export const PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<path d="M16 2 4 7v8c0 7.5 5.1 13.4 12 15 6.9-1.6 12-7.5 12-15V7z" fill="#0b5cad"/>
<path d="m10 16 4 4 8-8" fill="none" stroke="#fff" stroke-width="3"/>
</svg>
`;
