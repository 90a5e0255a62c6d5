/**
 * The page, its stylesheet, its script and the map, served by `server.ts` from the console's own origin. Nothing is
 * loaded from elsewhere (no fonts, tiles or libraries), so a strict Content-Security-Policy (`default-src 'none'`,
 * scripts, styles, images and the event stream from 'self' only) holds. The script is TypeScript
 * (`browser/main.ts`), bundled here by esbuild in memory; it builds every element with `createElement` and sets
 * data with `textContent` or as numeric attributes: no data ever goes through innerHTML, so a hostile address or
 * image id shows as text.
 */
import { join } from 'node:path';

import { build } from 'esbuild';

import { BOROUGH_OUTLINES, BOROUGHS, type LatLon } from '../protocol/nyc.ts';
import { DECIDED_SHOWN } from './browser/alarms.ts';
import { FRAME, project } from './map.ts';

// ---------------------------------------------------------------------------------------------------------------
// map

const pathOf = (ring: ReadonlyArray<LatLon>): string =>
  ring.map(([lat, lon], i) => `${i === 0 ? 'M' : 'L'}${project(lat, lon).join(' ')}`).join('') +
  'Z';

/**
 * The map as inline SVG: borough outlines (from `actors/protocol/nyc.ts`) and their names; the script adds the
 * alarms in `#dots`, placed by the same projection (`map.ts`).
 */
export const mapSvg = (): string => {
  const [w] = project(FRAME.minLat, FRAME.maxLon);
  const [, h] = project(FRAME.minLat, FRAME.minLon);
  const labels: Record<string, readonly [number, number]> = {
    Manhattan: [40.79, -74.04],
    Bronx: [40.87, -73.87],
    Queens: [40.72, -73.8],
    Brooklyn: [40.64, -73.96],
    'Staten Island': [40.535, -74.2],
  };
  const shapes = BOROUGHS.map(
    (b) => `<path class="borough" d="${pathOf(BOROUGH_OUTLINES[b])}"><title>${b}</title></path>`,
  ).join('');
  const names = BOROUGHS.map((b) => {
    const [x, y] = project(...(labels[b] ?? [0, 0]));
    return `<text class="borough-name" x="${x}" y="${y}">${b}</text>`;
  }).join('');
  return (
    `<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="Map of New York City with the alarms">` +
    `<rect class="water" width="${w}" height="${h}"/>${shapes}${names}<g id="dots"></g></svg>`
  );
};

// ---------------------------------------------------------------------------------------------------------------
// page

/** The HTML document: static, no data in it (data arrives as JSON on the event stream). */
export const pageHtml = (): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PrestaCop operator console</title>
<link rel="stylesheet" href="/app.css">
<link rel="icon" href="data:,">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>PrestaCop <span>operator console</span></h1>
  <div id="counts" aria-live="polite">
    <span class="count open"><b id="count-open">0</b> open</span>
    <span class="count"><b id="count-unack">0</b> unacknowledged</span>
    <span class="count escalated"><b id="count-escalated">0</b> escalated</span>
    <span class="count"><b id="count-confirmed">0</b> confirmed</span>
    <span class="count"><b id="count-dismissed">0</b> dismissed</span>
  </div>
  <label class="operator">Operator <input id="operator" maxlength="64" autocomplete="username" value="operator"></label>
  <span id="connection" class="offline">connecting…</span>
</header>
<p id="dead-letters" role="alert" hidden></p>
<p id="silent-drones" role="status" hidden></p>
<main>
  <section id="list-panel">
    <p id="empty">No alarms yet. They appear here as soon as a drone raises one: every undecided one, newest first, then the ${DECIDED_SHOWN} newest decided.</p>
    <ol id="alarms"></ol>
  </section>
  <aside id="map-panel">${mapSvg()}<p class="legend"><span class="dot-open"></span> open <span class="dot-escalated"></span> escalated <span class="dot-done"></span> decided</p></aside>
</main>
</body>
</html>
`;

export const pageCss = `
:root { --bg:#f4f5f7; --card:#fff; --ink:#1d2430; --muted:#5d6673; --open:#d1402f; --ack:#d98a00; --ok:#2f7d32; --dis:#6b7280; --esc:#8e24aa; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header { display:flex; flex-wrap:wrap; gap:16px; align-items:center; padding:10px 18px; background:#14213d; color:#fff; }
h1 { font-size:18px; margin:0; } h1 span { font-weight:400; opacity:.75; }
#counts { display:flex; gap:14px; flex-wrap:wrap; }
.count b { font-size:17px; } .count.open b { color:#ffb4a8; } .count.escalated b { color:#e1b0ff; }
.operator { margin-left:auto; } .operator input { width:9em; padding:3px 6px; border-radius:4px; border:0; }
#connection { font-size:12px; padding:2px 8px; border-radius:10px; background:#2f7d32; }
#dead-letters { margin:0; padding:8px 18px; background:#fff4e5; color:#7a3e00; border-bottom:1px solid #f0c48a; }
#dead-letters code { font-size:12px; }
#silent-drones { margin:0; padding:8px 18px; background:#eef2ff; color:#1e2a6b; border-bottom:1px solid #b8c4f0; }
#connection.offline { background:#a33; } #connection.busy { background:#b26a00; } #connection.expired { background:#6b2a8a; }
main { display:grid; grid-template-columns:minmax(420px, 1fr) minmax(320px, 44%); gap:16px; padding:16px; }
#alarms { list-style:none; margin:0; padding:0; display:flex; flex-direction:column; gap:10px; }
#empty { color:var(--muted); }
.alarm { display:grid; grid-template-columns:150px 1fr; gap:12px; background:var(--card); border-radius:8px; padding:10px; border-left:6px solid var(--open); box-shadow:0 1px 2px rgba(0,0,0,.08); }
.alarm.acknowledged { border-left-color:var(--ack); } .alarm.confirmed { border-left-color:var(--ok); opacity:.85; } .alarm.dismissed { border-left-color:var(--dis); opacity:.7; }
.alarm.escalated.open { border-left-color:var(--esc); background:#fbf3ff; }
.alarm.selected { outline:2px solid #14213d; }
.alarm img { width:150px; height:94px; border-radius:4px; background:#333; object-fit:cover; }
.alarm .top { display:flex; gap:8px; align-items:baseline; flex-wrap:wrap; }
.alarm .code { font-weight:700; } .alarm .desc { color:var(--muted); display:-webkit-box; -webkit-line-clamp:2; -webkit-box-orient:vertical; overflow:hidden; }
.alarm .meta { color:var(--muted); font-size:13px; } .alarm .meta b { color:var(--ink); font-weight:600; }
.alarm .meta .clock-off { color:var(--open); }
.badge { font-size:11px; text-transform:uppercase; letter-spacing:.04em; padding:1px 7px; border-radius:9px; color:#fff; background:var(--open); }
.badge.acknowledged { background:var(--ack); } .badge.confirmed { background:var(--ok); } .badge.dismissed { background:var(--dis); } .badge.escalated { background:var(--esc); }
.actions { display:flex; gap:6px; margin-top:6px; align-items:center; flex-wrap:wrap; }
.actions button { font:inherit; padding:3px 10px; border-radius:4px; border:1px solid #9aa3af; background:#fff; cursor:pointer; }
.actions button.confirm { border-color:var(--ok); color:var(--ok); } .actions button.dismiss { border-color:var(--dis); }
.actions .error { color:var(--open); font-size:12px; }
.decision { font-size:12px; color:var(--muted); }
#map-panel { position:sticky; top:12px; align-self:start; }
#map { width:100%; height:auto; background:#dce9f5; border-radius:8px; }
#map .water { fill:#cfe0ef; } #map .borough { fill:#f1efe6; stroke:#8d99a6; stroke-width:1.5; }
#map .borough-name { font-size:22px; fill:#7b8794; text-anchor:middle; }
#map circle { stroke:#fff; stroke-width:2; cursor:pointer; }
#map circle.open { fill:var(--open); } #map circle.acknowledged { fill:var(--ack); } #map circle.escalated { fill:var(--esc); }
#map circle.confirmed, #map circle.dismissed { fill:var(--dis); opacity:.6; }
#map circle.selected { stroke:#14213d; stroke-width:4; }
.legend { color:var(--muted); font-size:12px; } .legend span { display:inline-block; width:10px; height:10px; border-radius:5px; margin-left:8px; }
.dot-open { background:var(--open); } .dot-escalated { background:var(--esc); } .dot-done { background:var(--dis); }
`;

// ---------------------------------------------------------------------------------------------------------------
// script

/**
 * The script's entry: it and what it imports become one classic script (`<script src="/app.js" defer>`). Found from
 * the repository (two folders up), so a bundle of the console in `dist/operator-console/` finds it too.
 */
const ENTRY = join(import.meta.dirname, '../../actors/operator-console/browser/main.ts');

/** Bundles the script: one file, no warnings (esbuild's warnings are likely bugs, e.g. a comparison with -0). */
const bundle = async (): Promise<string> => {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent',
  });
  const [file] = result.outputFiles;
  if (file === undefined || result.outputFiles.length !== 1 || result.warnings.length > 0)
    throw new Error(
      `the page's script did not bundle cleanly: ${result.warnings.map((w) => w.text).join('; ')}`,
    );
  return file.text;
};

let bundled: Promise<string> | undefined;

/**
 * The browser script, bundled by esbuild in memory on the first call and the same text after (the server awaits it
 * before it listens). Rejects when the bundle fails (then the next call builds again).
 * @example const js = await pageJs();
 */
export const pageJs = (): Promise<string> => {
  bundled ??= bundle().catch((e: unknown) => {
    bundled = undefined;
    throw e;
  });
  return bundled;
};
