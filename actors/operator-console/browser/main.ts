/**
 * The page's script: `page.ts` bundles it (esbuild, this file and what it imports) into the one classic script
 * served at `/app.js`. State arrives on `/events` (a snapshot, then one `alarm` event per change); decisions are
 * POSTed as JSON. Rendering: createElement + textContent only, so no data ever goes through innerHTML and a hostile
 * address or image id shows as text.
 */
import { project } from '../map.ts';
import type { AlarmView, ConsoleCounts } from '../model.ts';
import { clockNote, DECIDED_SHOWN, needsHumanNote, shownAlarms } from './alarms.ts';
import { type ReconnectPlan, reconnectPlan } from './reconnect.ts';
import type { ActionReply, AlarmEvent, CountsEvent, SessionReply, SnapshotEvent } from './wire.ts';

const SVG = 'http://www.w3.org/2000/svg';

const alarms = new Map<string, AlarmView>();
let counts: ConsoleCounts | null = null;
let selected: string | null = null;
/** Each listed alarm's card, and the JSON it was built from. */
let cards = new Map<string, { readonly key: string; readonly li: HTMLLIElement }>();

const $ = (id: string): HTMLElement => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
};
const nyTime = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  timeZoneName: 'short',
});
const fmt = (iso: string): string => {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? String(iso) : nyTime.format(d);
};
const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string | number,
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
};

const operatorInput = $('operator');
if (!(operatorInput instanceof HTMLInputElement)) throw new Error('#operator is no input');
try {
  const saved = localStorage.getItem('prestacop-operator');
  if (saved) operatorInput.value = saved;
} catch (_) {
  // no storage (a private window): the default name stays
}
operatorInput.addEventListener('change', () => {
  try {
    localStorage.setItem('prestacop-operator', operatorInput.value);
  } catch (_) {
    // no storage: the name lasts as long as the page
  }
});

const upsert = (a: AlarmView | undefined): void => {
  if (a && typeof a.id === 'string') alarms.set(a.id, a);
};

const act = async (
  a: AlarmView,
  action: string,
  errorBox: HTMLElement,
  buttons: ReadonlyArray<HTMLButtonElement>,
): Promise<void> => {
  buttons.forEach((b) => {
    b.disabled = true;
  });
  errorBox.textContent = '';
  try {
    const res = await fetch(`/api/alarms/${encodeURIComponent(a.id)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ operator: operatorInput.value }),
    });
    const body = (await res.json().catch(() => ({}))) as ActionReply | null;
    if (body?.alarm) upsert(body.alarm);
    if (!res.ok) errorBox.textContent = String((body && (body.reason || body.error)) || res.status);
  } catch (_) {
    errorBox.textContent = 'network error';
  } finally {
    buttons.forEach((b) => {
      b.disabled = false;
    });
    render();
  }
};

const card = (a: AlarmView): HTMLLIElement => {
  const li = el('li', `alarm ${a.status}${a.escalated ? ' escalated' : ''}`);
  li.dataset.id = a.id;
  li.dataset.status = a.status;
  const img = el('img');
  img.alt = 'violation image';
  img.src = `/images/${encodeURIComponent(a.violationImageId)}`;
  li.append(img);
  const body = el('div', 'body');
  const top = el('div', 'top');
  top.append(el('span', `badge ${a.status}`, a.status));
  if (a.escalated) top.append(el('span', 'badge escalated', 'escalated'));
  top.append(el('span', 'code', `Code ${a.violationCode}`));
  body.append(top);
  const desc = el('div', 'desc', a.description || 'no description for this code');
  desc.title = a.description || '';
  body.append(desc);
  const meta = el('div', 'meta');
  const field = (label: string, value: string, cls: string) => {
    const s = el('span', cls);
    s.append(el('b', '', `${label} `), document.createTextNode(value));
    meta.append(s, document.createTextNode('  '));
  };
  field('Time', fmt(a.time), 'time');
  if (typeof a.clockOffMs === 'number')
    field('Clock', `${clockNote(a.clockOffMs)} (raised ${fmt(a.raisedAt)})`, 'clock-off');
  field('Drone', a.droneId, 'drone');
  field('Borough', a.borough || 'unknown', 'borough');
  field('Position', `${a.location.lat.toFixed(5)}, ${a.location.lon.toFixed(5)}`, 'position');
  if (a.address) field('Location', a.address, 'address');
  body.append(meta);
  const decisions: string[] = [];
  if (a.acknowledged)
    decisions.push(`acknowledged by ${a.acknowledged.by} at ${fmt(a.acknowledged.at)}`);
  if (a.resolved)
    decisions.push(`${a.resolved.decision} by ${a.resolved.by} at ${fmt(a.resolved.at)}`);
  if (a.escalated)
    decisions.push(
      `escalated at ${fmt(a.escalated.at)} (${Math.round(a.escalated.afterMs / 1_000)} s unacknowledged)`,
    );
  if (decisions.length) body.append(el('div', 'decision', decisions.join(' · ')));
  const actions = el('div', 'actions');
  const errorBox = el('span', 'error');
  const buttons: HTMLButtonElement[] = [];
  const button = (label: string, action: string, cls: string) => {
    const b = el('button', cls, label);
    b.type = 'button';
    b.dataset.action = action;
    b.addEventListener('click', () => void act(a, action, errorBox, buttons));
    buttons.push(b);
    actions.append(b);
  };
  if (a.status === 'open') button('Acknowledge', 'acknowledge', 'ack');
  if (a.status === 'acknowledged') {
    button('Confirm', 'confirm', 'confirm');
    button('Dismiss', 'dismiss', 'dismiss');
  }
  actions.append(errorBox);
  if (buttons.length) body.append(actions);
  li.append(body);
  li.addEventListener('mouseenter', () => select(a.id));
  return li;
};

const dot = (a: AlarmView): SVGCircleElement => {
  const c = document.createElementNS(SVG, 'circle');
  const [x, y] = project(a.location.lat, a.location.lon);
  c.setAttribute('cx', String(x));
  c.setAttribute('cy', String(y));
  c.setAttribute('r', a.status === 'open' || a.status === 'acknowledged' ? '9' : '6');
  c.setAttribute(
    'class',
    (a.escalated && a.status === 'open' ? 'escalated' : a.status) +
      (selected === a.id ? ' selected' : ''),
  );
  const t = document.createElementNS(SVG, 'title');
  t.textContent = `${a.droneId} · code ${a.violationCode}`;
  c.append(t);
  c.addEventListener('click', () => {
    select(a.id);
    const shown = [...document.querySelectorAll<HTMLLIElement>('#alarms li')].find(
      (li) => li.dataset.id === a.id,
    );
    if (shown) shown.scrollIntoView({ block: 'center' });
  });
  return c;
};

const select = (id: string): void => {
  if (selected !== id) {
    selected = id;
    render();
  }
};

let scheduled = false;
const render = (): void => {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const shown = shownAlarms([...alarms.values()], DECIDED_SHOWN);
    // A card is rebuilt only when its alarm changed, so images are not fetched again on every update.
    const next = new Map<string, { readonly key: string; readonly li: HTMLLIElement }>();
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
      document.title = `${counts.open ? `(${counts.open}) ` : ''}PrestaCop operator console`;
      const note = needsHumanNote(counts.needsHuman);
      $('dead-letters').textContent = note;
      $('dead-letters').hidden = note === '';
    }
  });
};

// The browser re-opens a dropped stream by itself, but gives up for good on an HTTP error (a 503 when the
// console is busy, a 401 when the session ended): the page then asks HEAD /events why, and plans the retry.
const status = $('connection');
const show = (state: ReconnectPlan['state'] | 'live', text: string): void => {
  status.textContent = text;
  status.className = state === 'live' ? '' : `offline ${state}`;
  status.dataset.state = state;
};
let attempt = 0;
const probe = async (): Promise<void> => {
  attempt += 1;
  let code = 0;
  let retryAfter: string | null = null;
  try {
    const res = await fetch('/events', {
      method: 'HEAD',
      credentials: 'same-origin',
      cache: 'no-store',
    });
    code = res.status;
    retryAfter = res.headers.get('retry-after');
  } catch (_) {
    // a network error: code 0, "offline"
  }
  const plan = reconnectPlan(code, retryAfter, attempt, Math.random(), Date.now());
  show(plan.state, plan.text);
  if (plan.retry) setTimeout(connect, plan.delayMs);
};
/** An event's JSON, as the server sent it (`wire.ts`). */
const data = <T>(m: MessageEvent<unknown>): T => JSON.parse(String(m.data)) as T;
const connect = (): void => {
  const source = new EventSource('/events');
  source.addEventListener('open', () => {
    attempt = 0;
    show('live', 'live');
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) void probe();
    else show('connecting', 'reconnecting…');
  });
  source.addEventListener('snapshot', (m) => {
    const snapshot = data<SnapshotEvent>(m);
    alarms.clear();
    (snapshot.alarms || []).forEach((a) => upsert(a));
    counts = snapshot.counts;
    render();
  });
  source.addEventListener('alarm', (m) => {
    const change = data<AlarmEvent>(m);
    upsert(change.alarm);
    counts = change.counts;
    render();
  });
  source.addEventListener('counts', (m) => {
    counts = data<CountsEvent>(m);
    render();
  });
};

// With per-operator tokens the name is the session's: shown, not editable.
fetch('/api/session', { credentials: 'same-origin' })
  .then((r) => (r.ok ? (r.json() as Promise<SessionReply>) : null))
  .then((s) => {
    if (s && typeof s.operator === 'string') {
      operatorInput.value = s.operator;
      operatorInput.readOnly = true;
      operatorInput.title = 'signed in by your token';
    }
  })
  .catch(() => {});
connect();
