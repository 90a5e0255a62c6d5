/**
 * The page's script: `page.ts` bundles it (esbuild, this file and what it imports) into the one classic script
 * served at `/app.js`. State arrives on `/events` (a snapshot, then one `alarm` event per change); decisions are
 * POSTed as JSON. Rendering: createElement + textContent only, so no data ever goes through innerHTML and a hostile
 * address or image id shows as text.
 */
import { project } from '../map.ts';
import type { AlarmView, ConsoleCounts } from '../model.ts';
import {
  type CardParts,
  cardParts,
  changedParts,
  DECIDED_SHOWN,
  needsHumanNote,
  shownAlarms,
  silentDronesNote,
  unmoved,
} from './alarms.ts';
import { type ReconnectPlan, reconnectPlan } from './reconnect.ts';
import type { ActionReply, AlarmEvent, CountsEvent, SessionReply, SnapshotEvent } from './wire.ts';

const SVG = 'http://www.w3.org/2000/svg';

const alarms = new Map<string, AlarmView>();
let counts: ConsoleCounts | null = null;
let selected: string | null = null;
/** Each listed alarm's card (`Card`, below), in the list's order. */
let cards = new Map<string, Card>();

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

/** A listed alarm's card: its elements that change, and the parts it shows now (`cardParts`). */
interface Card {
  readonly li: HTMLLIElement;
  readonly img: HTMLImageElement;
  readonly top: HTMLElement;
  readonly desc: HTMLElement;
  readonly meta: HTMLElement;
  readonly decision: HTMLElement;
  readonly actions: HTMLElement;
  readonly errorBox: HTMLElement;
  /** The buttons now shown (a new array when they change, never changed in place). */
  buttons: ReadonlyArray<HTMLButtonElement>;
  parts: CardParts | null;
}

const act = async (id: string, action: string, c: Card): Promise<void> => {
  const buttons = c.buttons;
  buttons.forEach((b) => {
    b.disabled = true;
  });
  c.errorBox.textContent = '';
  try {
    const res = await fetch(`/api/alarms/${encodeURIComponent(id)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ operator: operatorInput.value }),
    });
    const body = (await res.json().catch(() => ({}))) as ActionReply | null;
    if (body?.alarm) upsert(body.alarm);
    if (!res.ok)
      c.errorBox.textContent = String((body && (body.reason || body.error)) || res.status);
  } catch (_) {
    c.errorBox.textContent = 'network error';
  } finally {
    buttons.forEach((b) => {
      b.disabled = false;
    });
    render();
  }
};

/**
 * Brings `a`'s card up to date, in place: only the parts that changed are touched, and the card, its image and its
 * buttons stay the same elements while its buttons do (a button replaced under the pointer loses the click).
 */
const update = (c: Card, a: AlarmView): void => {
  const parts = cardParts(a, fmt);
  const changed = c.parts
    ? changedParts(c.parts, parts)
    : (Object.keys(parts) as Array<keyof CardParts>);
  c.parts = parts;
  for (const part of changed)
    switch (part) {
      case 'className':
        c.li.className = parts.className;
        break;
      case 'status':
        c.li.dataset.status = parts.status;
        break;
      case 'image':
        c.img.src = parts.image;
        break;
      case 'badges':
      case 'code':
        c.top.replaceChildren(
          ...parts.badges.map((b) => el('span', `badge ${b}`, b)),
          el('span', 'code', parts.code),
        );
        break;
      case 'description':
        c.desc.textContent = parts.description || 'no description for this code';
        c.desc.title = parts.description;
        break;
      case 'meta':
        c.meta.replaceChildren(
          ...parts.meta.flatMap(([cls, label, value]) => {
            const s = el('span', cls);
            s.append(el('b', '', `${label} `), document.createTextNode(value));
            return [s, document.createTextNode('  ')];
          }),
        );
        break;
      case 'decision':
        c.decision.textContent = parts.decision;
        if (parts.decision === '') c.decision.remove();
        else if (!c.decision.isConnected) c.meta.after(c.decision);
        break;
      case 'actions':
        c.buttons = parts.actions.map(([label, action, cls]) => {
          const b = el('button', cls, label);
          b.type = 'button';
          b.dataset.action = action;
          b.addEventListener('click', () => void act(a.id, action, c));
          return b;
        });
        c.actions.replaceChildren(...c.buttons, c.errorBox);
        if (c.buttons.length === 0) c.actions.remove();
        else if (!c.actions.isConnected) c.meta.parentNode?.append(c.actions);
        break;
    }
};

/** A new card for `a`: its elements, filled by `update`. */
const card = (a: AlarmView): Card => {
  const li = el('li');
  li.dataset.id = a.id;
  const img = el('img');
  img.alt = 'violation image';
  const body = el('div', 'body');
  const c: Card = {
    li,
    img,
    top: el('div', 'top'),
    desc: el('div', 'desc'),
    meta: el('div', 'meta'),
    decision: el('div', 'decision'),
    actions: el('div', 'actions'),
    errorBox: el('span', 'error'),
    buttons: [],
    parts: null,
  };
  body.append(c.top, c.desc, c.meta, c.decision, c.actions);
  li.append(img, body);
  li.addEventListener('mouseenter', () => select(a.id));
  update(c, a);
  return c;
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
    // Cards are updated in place (`update`): only an alarm that appears gets a new card, only one that goes loses
    // its own, and only the cards out of order move, so a button under the pointer stays in the page.
    const list = $('alarms');
    const next = new Map<string, Card>();
    for (const a of shown) {
      const known = cards.get(a.id);
      if (known) update(known, a);
      const c = known ?? card(a);
      next.set(a.id, c);
      c.li.classList.toggle('selected', selected === a.id);
    }
    for (const [id, c] of cards) if (!next.has(id)) c.li.remove();
    const kept = unmoved(
      [...cards.keys()].filter((id) => next.has(id)),
      shown.map((a) => a.id),
    );
    cards = next;
    let after: Node | null = null;
    for (let i = shown.length - 1; i >= 0; i--) {
      const li = next.get(shown[i]!.id)!.li;
      if (!kept.has(shown[i]!.id)) list.insertBefore(li, after);
      after = li;
    }
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
      const silent = silentDronesNote(counts.silentDrones);
      $('silent-drones').textContent = silent;
      $('silent-drones').hidden = silent === '';
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
