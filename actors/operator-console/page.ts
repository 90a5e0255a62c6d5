/**
 * The page, its stylesheet, its script and the map, as strings served by `server.ts` from the console's own
 * origin. Nothing is loaded from elsewhere (no fonts, tiles or libraries), so a strict Content-Security-Policy
 * (`default-src 'none'`, scripts, styles, images and the event stream from 'self' only) holds. The script builds
 * every element with `createElement` and sets data with `textContent` or as numeric attributes: no data ever goes
 * through innerHTML, so a hostile address or image id shows as text.
 */
import { BOROUGH_OUTLINES, BOROUGHS, type LatLon } from '../protocol/nyc.ts';

// ---------------------------------------------------------------------------------------------------------------
// map

/** The map's frame: New York City's five outlines with a small margin. */
const FRAME = { minLat: 40.485, maxLat: 40.925, minLon: -74.265, maxLon: -73.69 };
/** Metres per degree of longitude shrink with latitude: an equirectangular projection at NYC's latitude. */
const COS_LAT = Math.cos((40.7 * Math.PI) / 180);
/** SVG units per degree of latitude. */
const SCALE = 2000;

/** The projection, shared with the browser script through the SVG's data attributes. */
export const project = (lat: number, lon: number): readonly [number, number] => [
  Math.round((lon - FRAME.minLon) * COS_LAT * SCALE * 10) / 10,
  Math.round((FRAME.maxLat - lat) * SCALE * 10) / 10,
];

const pathOf = (ring: ReadonlyArray<LatLon>): string =>
  ring.map(([lat, lon], i) => `${i === 0 ? 'M' : 'L'}${project(lat, lon).join(' ')}`).join('') +
  'Z';

/** The map as inline SVG: borough outlines (from `actors/protocol/nyc.ts`) and their names; alarms are added by the script. */
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
    `<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="Map of New York City with the alarms"` +
    ` data-min-lon="${FRAME.minLon}" data-max-lat="${FRAME.maxLat}" data-cos="${COS_LAT}" data-scale="${SCALE}">` +
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

/**
 * What the page does once its event stream closed for good, from what `HEAD /events` answered (`status`, 0 for
 * a network error; `retryAfter`, the header or null), the attempt number (1-based), `random` in [0, 1) and the
 * time: `{ retry, delayMs, state, text }`. A 401 (or a 400: a cookie that is no session, e.g. from an older
 * version) ends the retries, since only a new session helps: the text says how to open one; anything else retries with backoff (1 s, ×2, at most 30 s) never sooner than `Retry-After`, plus up
 * to 50 % random so pages do not all come back at once. Plain JS, shared by the page and its unit test.
 */
export const reconnectPlanJs = `const reconnectPlan = (status, retryAfter, attempt, random, now) => {
  if (status === 401 || status === 400)
    return { retry: false, delayMs: 0, state: 'expired', text: 'session expired: open /?token=<your token> again' };
  const backoff = Math.min(30000, 1000 * Math.pow(2, Math.max(0, attempt - 1)));
  const header = retryAfter === null || retryAfter === undefined ? '' : String(retryAfter).trim();
  const asked = /^[0-9]+$/.test(header) ? Number(header) * 1000 : header ? Date.parse(header) - now : 0;
  const floor = Number.isFinite(asked) ? Math.min(3600000, Math.max(0, asked)) : 0;
  const delayMs = status === 200 && attempt <= 1 ? 0 : Math.round(Math.max(backoff, floor) * (1 + 0.5 * random));
  const wait = Math.ceil(delayMs / 1000) + ' s';
  if (status === 503) return { retry: true, delayMs, state: 'busy', text: 'console busy: retrying in ' + wait };
  if (status === 200) return { retry: true, delayMs, state: 'connecting', text: 'reconnecting…' };
  return { retry: true, delayMs, state: 'offline', text: (status ? 'error ' + status : 'offline') + ': retrying in ' + wait };
};`;

/** Decided alarms the page lists at most (the newest raised); undecided ones are never capped. */
export const DECIDED_SHOWN = 300;

/**
 * Which alarms the page lists, in order: every undecided one (open, acknowledged, escalated: an operator must
 * act, so never capped), then the `cap` newest decided ones; each part newest raised first, then by id. Ordered by
 * `raisedAt`, never by the drone's time: a drone whose clock is a year behind must not sink its open alarm. Plain
 * JS, shared by the page and its unit test.
 */
export const shownAlarmsJs = `const shownAlarms = (list, cap) => {
  const undecided = (a) => a.status === 'open' || a.status === 'acknowledged';
  const order = (x, y) => {
    const rx = Date.parse(x.raisedAt), ry = Date.parse(y.raisedAt);
    if (rx !== ry) return (Number.isNaN(ry) ? 0 : ry) - (Number.isNaN(rx) ? 0 : rx);
    return x.id === y.id ? 0 : x.id < y.id ? 1 : -1;
  };
  const open = list.filter(undecided).sort(order);
  const decided = list.filter((a) => !undecided(a)).sort(order).slice(0, cap);
  return open.concat(decided);
};`;

/**
 * What a card says of a drone clock found off (`clockOffMs`: the drone's time minus the arrival time on the
 * stream), e.g. "drone clock off by 1.0 years (behind)"; '' when it was not. Plain JS, shared with the test.
 */
export const clockNoteJs = `const clockNote = (offMs) => {
  if (typeof offMs !== 'number' || !Number.isFinite(offMs)) return '';
  const ms = Math.abs(offMs), s = Math.floor(ms / 1000), min = Math.floor(s / 60), h = Math.floor(min / 60), d = Math.floor(h / 24);
  const size = d >= 365 ? (d / 365).toFixed(1) + ' years' : d >= 1 ? d + ' d ' + (h % 24) + ' h' : h >= 1 ? h + ' h ' + (min % 60) + ' min' : min + ' min ' + (s % 60) + ' s';
  return 'drone clock off by ' + size + (offMs < 0 ? ' (behind)' : ' (ahead)');
};`;

/**
 * What the page says of the dead letters the alert system noted as possibly needing a person (`counts.needsHuman`,
 * see `ports.ts`): how many carried a code that needs a human, how many could not be read, and where to find
 * them; '' when there are none. Plain JS, shared by the page and its unit test.
 */
export const needsHumanNoteJs = `const needsHumanNote = (n) => {
  if (!n || typeof n !== 'object' || (!(n.code > 0) && !(n.unreadable > 0))) return '';
  const more = n.truncated ? ' (at least)' : '';
  const parts = [];
  if (n.code > 0) parts.push(n.code + more + ' dead-lettered message' + (n.code === 1 ? '' : 's') + ' carried a code that needs a human');
  if (n.unreadable > 0) parts.push(n.unreadable + more + ' could not be read and may need one');
  const examples = Array.isArray(n.examples) && n.examples.length > 0
    ? ' (e.g. ' + n.examples.map((e) => e.deadLetter).join(', ') + ')' : '';
  return parts.join('; ') + '. Find them in ' + n.letters + ', named in ' + n.notes + examples + '.';
};`;

/**
 * The browser script (plain ES2020, no build step). State arrives on `/events` (a snapshot, then one `alarm`
 * event per change); decisions are POSTed as JSON. Rendering: createElement + textContent only.
 */
export const pageJs = `'use strict';
${reconnectPlanJs}
${shownAlarmsJs}
${clockNoteJs}
${needsHumanNoteJs}
(() => {
  const alarms = new Map();
  let counts = null;
  let selected = null;
  let cards = new Map();
  const $ = (id) => document.getElementById(id);
  const nyTime = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York', year: 'numeric', month: 'short', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short',
  });
  const fmt = (iso) => { const d = new Date(iso); return isNaN(d.getTime()) ? String(iso) : nyTime.format(d); };
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  };
  const operatorInput = $('operator');
  try { const saved = localStorage.getItem('prestacop-operator'); if (saved) operatorInput.value = saved; } catch (_) {}
  operatorInput.addEventListener('change', () => { try { localStorage.setItem('prestacop-operator', operatorInput.value); } catch (_) {} });

  const svg = $('map');
  const minLon = Number(svg.dataset.minLon), maxLat = Number(svg.dataset.maxLat);
  const cos = Number(svg.dataset.cos), scale = Number(svg.dataset.scale);
  const project = (lat, lon) => [(lon - minLon) * cos * scale, (maxLat - lat) * scale];

  const act = async (a, action, errorBox, buttons) => {
    buttons.forEach((b) => { b.disabled = true; });
    errorBox.textContent = '';
    try {
      const res = await fetch('/api/alarms/' + encodeURIComponent(a.id) + '/' + action, {
        method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'same-origin',
        body: JSON.stringify({ operator: operatorInput.value }),
      });
      const body = await res.json().catch(() => ({}));
      if (body && body.alarm) upsert(body.alarm);
      if (!res.ok) errorBox.textContent = String((body && (body.reason || body.error)) || res.status);
    } catch (e) {
      errorBox.textContent = 'network error';
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      render();
    }
  };

  const card = (a) => {
    const li = el('li', 'alarm ' + a.status + (a.escalated ? ' escalated' : ''));
    li.dataset.id = a.id;
    li.dataset.status = a.status;
    const img = el('img');
    img.alt = 'violation image';
    img.src = '/images/' + encodeURIComponent(a.violationImageId);
    li.append(img);
    const body = el('div', 'body');
    const top = el('div', 'top');
    top.append(el('span', 'badge ' + a.status, a.status));
    if (a.escalated) top.append(el('span', 'badge escalated', 'escalated'));
    top.append(el('span', 'code', 'Code ' + a.violationCode));
    body.append(top);
    const desc = el('div', 'desc', a.description || 'no description for this code');
    desc.title = a.description || '';
    body.append(desc);
    const meta = el('div', 'meta');
    const field = (label, value, cls) => { const s = el('span', cls); s.append(el('b', '', label + ' '), document.createTextNode(String(value))); meta.append(s, document.createTextNode('  ')); };
    field('Time', fmt(a.time), 'time');
    if (typeof a.clockOffMs === 'number') field('Clock', clockNote(a.clockOffMs) + ' (raised ' + fmt(a.raisedAt) + ')', 'clock-off');
    field('Drone', a.droneId, 'drone');
    field('Borough', a.borough || 'unknown', 'borough');
    field('Position', a.location.lat.toFixed(5) + ', ' + a.location.lon.toFixed(5), 'position');
    if (a.address) field('Location', a.address, 'address');
    body.append(meta);
    const decisions = [];
    if (a.acknowledged) decisions.push('acknowledged by ' + a.acknowledged.by + ' at ' + fmt(a.acknowledged.at));
    if (a.resolved) decisions.push(a.resolved.decision + ' by ' + a.resolved.by + ' at ' + fmt(a.resolved.at));
    if (a.escalated) decisions.push('escalated at ' + fmt(a.escalated.at) + ' (' + Math.round(a.escalated.afterMs / 1000) + ' s unacknowledged)');
    if (decisions.length) body.append(el('div', 'decision', decisions.join(' · ')));
    const actions = el('div', 'actions');
    const errorBox = el('span', 'error');
    const buttons = [];
    const button = (label, action, cls) => { const b = el('button', cls, label); b.type = 'button'; b.dataset.action = action; b.addEventListener('click', () => act(a, action, errorBox, buttons)); buttons.push(b); actions.append(b); };
    if (a.status === 'open') button('Acknowledge', 'acknowledge', 'ack');
    if (a.status === 'acknowledged') { button('Confirm', 'confirm', 'confirm'); button('Dismiss', 'dismiss', 'dismiss'); }
    actions.append(errorBox);
    if (buttons.length) body.append(actions);
    li.append(body);
    li.addEventListener('mouseenter', () => select(a.id));
    return li;
  };

  const dot = (a) => {
    const c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
    const p = project(a.location.lat, a.location.lon);
    c.setAttribute('cx', String(Math.round(p[0] * 10) / 10));
    c.setAttribute('cy', String(Math.round(p[1] * 10) / 10));
    c.setAttribute('r', a.status === 'open' || a.status === 'acknowledged' ? '9' : '6');
    c.setAttribute('class', (a.escalated && a.status === 'open' ? 'escalated' : a.status) + (selected === a.id ? ' selected' : ''));
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    t.textContent = a.droneId + ' · code ' + a.violationCode;
    c.append(t);
    c.addEventListener('click', () => { select(a.id); const card = [...document.querySelectorAll('#alarms li')].find((li) => li.dataset.id === a.id); if (card) card.scrollIntoView({ block: 'center' }); });
    return c;
  };

  const select = (id) => { if (selected !== id) { selected = id; render(); } };

  let scheduled = false;
  const render = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const shown = shownAlarms([...alarms.values()], ${DECIDED_SHOWN});
      // A card is rebuilt only when its alarm changed, so images are not fetched again on every update.
      const next = new Map();
      const items = shown.map((a) => {
        const key = JSON.stringify(a);
        const known = cards.get(a.id);
        const li = known && known.key === key ? known.li : card(a);
        next.set(a.id, { key, li });
        li.classList.toggle('selected', selected === a.id);
        return li;
      });
      cards = next;
      $('alarms').replaceChildren(...items);
      $('dots').replaceChildren(...shown.slice().reverse().map(dot));
      $('empty').hidden = alarms.size > 0;
      if (counts) {
        $('count-open').textContent = String(counts.open);
        $('count-unack').textContent = String(counts.unacknowledged);
        $('count-escalated').textContent = String(counts.escalated);
        $('count-confirmed').textContent = String(counts.confirmed);
        $('count-dismissed').textContent = String(counts.dismissed);
        document.title = (counts.open ? '(' + counts.open + ') ' : '') + 'PrestaCop operator console';
        const note = needsHumanNote(counts.needsHuman);
        $('dead-letters').textContent = note;
        $('dead-letters').hidden = note === '';
      }
    });
  };
  const upsert = (a) => { if (a && typeof a.id === 'string') alarms.set(a.id, a); };

  // The browser re-opens a dropped stream by itself, but gives up for good on an HTTP error (a 503 when the
  // console is busy, a 401 when the session ended): the page then asks HEAD /events why, and plans the retry.
  const status = $('connection');
  const show = (state, text) => { status.textContent = text; status.className = state === 'live' ? '' : 'offline ' + state; status.dataset.state = state; };
  let attempt = 0;
  const probe = async () => {
    attempt += 1;
    let code = 0, retryAfter = null;
    try {
      const res = await fetch('/events', { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
      code = res.status;
      retryAfter = res.headers.get('retry-after');
    } catch (_) {}
    const plan = reconnectPlan(code, retryAfter, attempt, Math.random(), Date.now());
    show(plan.state, plan.text);
    if (plan.retry) setTimeout(connect, plan.delayMs);
  };
  const connect = () => {
    const source = new EventSource('/events');
    source.addEventListener('open', () => { attempt = 0; show('live', 'live'); });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) probe();
      else show('connecting', 'reconnecting…');
    });
    source.addEventListener('snapshot', (m) => {
      const data = JSON.parse(m.data);
      alarms.clear();
      (data.alarms || []).forEach(upsert);
      counts = data.counts;
      render();
    });
    source.addEventListener('alarm', (m) => {
      const data = JSON.parse(m.data);
      upsert(data.alarm);
      counts = data.counts;
      render();
    });
    source.addEventListener('counts', (m) => { counts = JSON.parse(m.data); render(); });
  };
  // With per-operator tokens the name is the session's: shown, not editable.
  fetch('/api/session', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null)).then((s) => {
    if (s && typeof s.operator === 'string') { operatorInput.value = s.operator; operatorInput.readOnly = true; operatorInput.title = 'signed in by your token'; }
  }).catch(() => {});
  connect();
})();
`;
