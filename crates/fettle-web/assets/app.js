// Fettle dashboard: one module that renders the page named by <body data-page> from the
// /api/v1 JSON. DOM is built with createElement/textContent only (never innerHTML), so data
// can never become markup. Every page has an empty state for a new user, and API failures are
// shown on the page, not thrown.

import { clock, daySeconds, drawChart, fixed, weekStart } from '/assets/chart.js';

const API = '/api/v1';
const content = document.getElementById('content');
const query = new URLSearchParams(location.search);

/**
 * The athlete a coach is looking at (`?athlete=ID`): every data call then goes to
 * `/api/v1/athletes/ID/…`, which only answers GET, and the pages hide their forms. `null` for
 * the caller's own data, and on the account pages, which are always the caller's. Anything
 * but a positive integer is refused in `prepare`, rather than silently showing the caller's
 * own data under another athlete's address.
 */
const athleteParam = ['login', 'account', 'squad'].includes(document.body.dataset.page) ? null : query.get('athlete');
const viewing = athleteParam != null && /^[1-9]\d{0,17}$/.test(athleteParam) ? athleteParam : null;

// ---------------------------------------------------------------- helpers

/** Builds an element: el('a', {href: '/'}, 'text', child, …). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * Who is signed in, from `GET /api/v1/me`: `{mode: 'single-user', athlete_id}` on a personal
 * server, `{mode: 'multi-user', user_id, email, role, athlete_id, csrf_token}` on a shared one.
 */
let me = { mode: 'single-user' };
const multiUser = () => me.mode === 'multi-user';

/** An error answered by the API, with its status and message. */
class ApiFailure extends Error {
  constructor(status, message, violations = []) {
    super(message);
    this.status = status;
    /** For a 422 from the validation layer: `[{field, value, limit, message}]`, one per refused value. */
    this.violations = violations;
  }
}

/**
 * Sends a request and returns the JSON (null for an empty answer such as 204), or throws an
 * ApiFailure. A change (any method but GET) carries the session's anti-forgery token in
 * `X-CSRF-Token`: the server refuses cookie-authenticated changes without it.
 */
async function request(url, { onHeaders, ...init } = {}) {
  const method = (init.method || 'GET').toUpperCase();
  const headers = { Accept: 'application/json' };
  if (init.body) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && me.csrf_token) headers['X-CSRF-Token'] = me.csrf_token;
  const response = await fetch(url, { ...init, headers });
  // A caller that needs a response header (the list's `X-Next-Cursor`) reads it here.
  if (onHeaders) onHeaders(response.headers);
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `${response.status} ${response.statusText}`;
    throw new ApiFailure(response.status, message, body && body.error && Array.isArray(body.error.violations) ? body.error.violations : []);
  }
  return body;
}

/**
 * The dashboard's data: the caller's own (`/status` → `/api/v1/status`) or, when a coach views
 * a member, that athlete's (`/api/v1/athletes/ID/status`). Viewing is read-only: a change is
 * refused here, before it could reach the caller's own data by mistake.
 */
async function api(path, init = {}) {
  if (!viewing) return request(API + path, init);
  if ((init.method || 'GET').toUpperCase() !== 'GET') {
    throw new ApiFailure(0, 'You are viewing another athlete’s data, which is read-only.');
  }
  return request(`${API}/athletes/${viewing}${path}`, init);
}

/** The signed-in user's own account calls (me, password, tokens, invitations, squad), never prefixed. */
const account = (path, init) => request(API + path, init);

/** A dashboard address that stays on the viewed athlete: `/training` → `/training?athlete=7`. */
function href(path) {
  if (!viewing) return path;
  return `${path}${path.includes('?') ? '&' : '?'}athlete=${viewing}`;
}

/** Where to log in again and come back here. */
const loginAgain = () => `/login?next=${encodeURIComponent(location.pathname + location.search)}`;

/** A card explaining an API failure. */
function failure(error) {
  return el('div', { class: 'card', role: 'alert' },
    el('p', { class: 'error', text: 'Could not load this part of the page.' }),
    el('p', { text: error.message }),
    error.status === 401 ? el('p', {}, el('a', { href: loginAgain(), text: 'Log in again' })) : null);
}

/** Shows a message in a status line: `ok` or `error`. */
function say(status, kind, message) {
  status.className = kind;
  status.textContent = message;
}

/** A dashed card for "nothing here yet", with an optional link. */
function emptyState(message, link) {
  return el('div', { class: 'card empty' }, el('p', { text: message }),
    link ? el('p', {}, el('a', { class: 'button', href: link.href, text: link.text })) : null);
}

/** Runs a section renderer, putting its output (or its failure) in a fresh section. */
async function section(parent, title, render) {
  const box = el('section', { 'aria-label': title }, title ? el('h2', { text: title }) : null);
  parent.append(box);
  try {
    await render(box);
  } catch (error) {
    box.append(failure(error));
  }
  return box;
}

const km = (m) => (m == null ? '—' : `${(m / 1000).toFixed(m >= 100000 ? 0 : 1)} km`);
/** Pace in min/km from metres per second. */
const pace = (mps) => (mps == null || mps < 0.3 ? '—' : `${clock(1000 / mps)} /km`);
/**
 * The recovery method catalogue (`GET /api/v1/vocabulary`): methods, access and health words
 * with their titles, and the logging limits. Loaded once by `prepare`; the script keeps no copy.
 */
let vocabulary = { methods: [], access: [], health: [], shared_limits: null, sports: [] };
/** `{word: title}` for one of the vocabulary's lists. */
const titles = (list, key) => Object.fromEntries(list.map((item) => [item[key], item.title]));
const methodName = (m) => titles(vocabulary.methods, 'name')[m] || m;
/** `trail_running` → `Trail running`. */
const sportName = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ') : 'Activity');
/** A civil date of the calendar grid (no time zone involved) as `YYYY-MM-DD`. */
const localDay = (date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
const addDays = (isoDay, n) => new Date(daySeconds(isoDay) * 1000 + n * 86400000).toISOString().slice(0, 10);

/**
 * The athlete's time zone: the profile's, else the browser's (set in `prepare` before any page
 * draws). Every time on every page is shown in it, so a browser in Tokyo shows an athlete in
 * Paris the times `fettle` prints.
 */
let athleteZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The wall-clock parts of an instant in the athlete's zone. */
function zoneParts(instant) {
  const parts = {};
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: athleteZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
  for (const p of format.formatToParts(instant)) parts[p.type] = p.value;
  return parts;
}

/**
 * The one date/time format of the dashboard, in the athlete's zone: `2026-12-07 09:50`
 * (`part` 'date' → `2026-12-07`, 'time' → `09:50`). `iso` is an RFC 3339 instant or a Date.
 */
function when(iso, part = 'datetime') {
  if (iso == null || iso === '') return '—';
  const instant = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(instant.getTime())) return String(iso);
  const p = zoneParts(instant);
  const date = `${p.year}-${p.month}-${p.day}`;
  const time = `${p.hour}:${p.minute}`;
  return part === 'date' ? date : part === 'time' ? time : `${date} ${time}`;
}

/** Today's date in the athlete's zone. */
const todayInZone = () => when(new Date(), 'date');

/** An instant as a `datetime-local` value (`2026-12-07T09:50`) in the athlete's zone. */
const wallClock = (instant = new Date()) => when(instant).replace(' ', 'T');

/**
 * A `datetime-local` value read as wall-clock time in the athlete's zone, as an ISO instant:
 * the zone's offset is found by formatting a first guess back (twice, for a guess across a
 * change of offset).
 */
function zoneInstant(wall) {
  const target = Date.parse(`${wall}:00Z`);
  if (Number.isNaN(target)) return null;
  let guess = target;
  for (let i = 0; i < 2; i += 1) {
    const shown = Date.parse(`${wallClock(new Date(guess))}:00Z`);
    guess += target - shown;
  }
  return new Date(guess).toISOString();
}

/** A list of label/value tiles. */
function tiles(items) {
  return el('ul', { class: 'tiles' }, items.map(([label, value, title]) =>
    el('li', { class: 'tile', title },
      el('span', { class: 'label', text: label }), el('span', { class: 'value', text: value }))));
}

/** A table from headings and rows (cells are strings or nodes; `num` headings align right). */
function table(headings, rows, caption) {
  return el('div', { class: 'table-wrap' }, el('table', {},
    caption ? el('caption', { class: 'muted', text: caption }) : null,
    el('thead', {}, el('tr', {}, headings.map((h) =>
      el('th', { scope: 'col', class: h.endsWith(' ') ? 'num' : null, text: h.trim() })))),
    el('tbody', {}, rows.map((row) => el('tr', {}, row.map((cell, i) =>
      el('td', { class: headings[i].endsWith(' ') ? 'num' : null }, cell)))))));
}

function flagList(flags) {
  if (!flags || flags.length === 0) return el('p', { class: 'ok', text: 'No warnings.' });
  return el('ul', { class: 'flags' }, flags.map((f) => el('li', { 'data-code': f.code, text: f.message })));
}

// ---------------------------------------------------------------- Today

/**
 * When a ticked item is logged by default: now (the actual time), or the start of its window
 * when that is still ahead (sleep tonight), so the entry counts as done inside the window.
 */
function tickTime(item) {
  const now = Date.now();
  const start = item.start ? Date.parse(item.start) : NaN;
  return new Date(Number.isFinite(start) && start > now ? start : now);
}

/**
 * The form a tick opens: the prescribed dose (minutes, temperature, grams) and the time,
 * editable before saving; saving posts to `/recovery` (the dose, not the window's length).
 */
function tickForm(item, checkbox, note) {
  const number = (name, label, value, attrs = {}) => el('label', {}, label,
    el('input', { name, type: 'number', step: 'any', inputmode: 'decimal', value: value == null ? '' : String(value), ...attrs }));
  const fields = [];
  if (item.method === 'nutrition') {
    fields.push(
      number('carbs_g', 'Carbohydrate g', item.carbs_g == null ? null : Math.round(item.carbs_g), { min: '0', max: '500' }),
      number('protein_g', 'Protein g', item.protein_g == null ? null : Math.round(item.protein_g), { min: '0', max: '500' }));
  } else if (item.minutes != null) {
    fields.push(number('minutes', item.method === 'compression_garments' ? 'Minutes worn' : 'Minutes', item.minutes, { min: '0' }));
  }
  if (item.temp_c != null) fields.push(number('temp_c', 'Temperature °C', item.temp_c));
  const at = tickTime(item);
  const atInput = el('input', { name: 'at', type: 'datetime-local', value: wallClock(at), required: true });
  fields.push(el('label', {}, 'When', atInput));
  const cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const form = el('form', { class: 'tick-form grid', 'data-method': item.method }, fields,
    el('button', { type: 'submit', text: 'Log it' }), cancel);
  cancel.addEventListener('click', () => {
    form.remove();
    checkbox.checked = false;
    checkbox.disabled = false;
    note.textContent = '';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { method: item.method };
    for (const key of ['minutes', 'temp_c', 'carbs_g', 'protein_g']) {
      const input = form.querySelector(`input[name=${key}]`);
      if (input && input.value.trim() !== '') body[key] = Number(input.value);
    }
    // Unchanged, the time is the exact default (not rounded down to the minute, which could
    // fall before the window opened).
    body.at = atInput.value === wallClock(at) ? at.toISOString() : zoneInstant(atInput.value);
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await api('/recovery', { method: 'POST', body: JSON.stringify(body) });
      form.remove();
      note.textContent = 'Logged.';
      note.className = 'ok';
    } catch (error) {
      submit.disabled = false;
      note.textContent = error.message;
      note.className = 'error';
    }
  });
  return form;
}

/** What each readiness recommendation means, in words. */
const recommendations = {
  rest: 'Rest or very light movement today.',
  easy: 'Easy aerobic training only today.',
  train_hard: 'Ready for hard training.',
};

/** Counts down to `deadline` every second. */
function countdown(deadline) {
  const out = el('p', { class: 'countdown', role: 'timer', 'aria-live': 'off' });
  const end = Date.parse(deadline);
  const tick = () => {
    const left = Math.round((end - Date.now()) / 1000);
    out.textContent = left > 0
      ? `${clock(left)} left in the 30-minute refuelling window`
      : 'The refuelling window has closed: eat a normal meal soon.';
    out.dataset.secondsLeft = String(Math.max(0, left));
    return left > 0;
  };
  if (tick()) {
    const timer = setInterval(() => { if (!tick()) clearInterval(timer); }, 1000);
  }
  return out;
}

/** What each verdict of the day means, in a few words. */
const verdictWords = {
  rest: 'Rest',
  easy: 'Easy',
  as_planned: 'As planned',
  hard_ok: 'Ready for quality',
};

/** The day's one answer (`GET /today`): the verdict, the session, why, and readiness in one line. */
async function renderVerdict(box) {
  const t = await api('/today');
  const s = t.suggested;
  const r = t.readiness;
  const planned = t.planned && (!s || s.title !== t.planned.title) ? t.planned : null;
  box.replaceChildren(el('div', { class: 'card verdict', 'data-verdict': t.verdict },
    el('p', { class: 'verdict-word', text: verdictWords[t.verdict] || t.verdict }),
    el('p', { class: 'headline' }, el('strong', { text: t.headline })),
    s ? el('p', { class: 'session', 'data-kind': s.kind },
      el('strong', { text: s.title }), s.description ? ` — ${s.description}` : '') : null,
    planned ? el('p', { class: 'muted planned', text: `Planned: ${planned.title}` }) : null,
    el('p', { class: 'readiness-line', 'data-score': r ? r.score : '' }, r
      ? `Readiness ${fixed(r.score, 0)} / 100 — ${recommendations[r.band] || r.band}`
      : 'Readiness: no score this morning — log your morning below.'),
    t.next_hard ? el('p', { class: 'muted', text: `Hard work from ${when(t.next_hard)}.` }) : null,
    t.reasons.length ? el('ul', { class: 'reasons' }, t.reasons.map((reason) => el('li', { text: reason }))) : null));
}

/** One recovery item with its tick (only the athlete ticks: a viewing coach reads). */
function recoveryItem(item, i) {
  const id = `rx-${i}`;
  const note = el('span', { class: 'muted' });
  let checkbox = null;
  if (!viewing) {
    checkbox = el('input', { type: 'checkbox', id, 'data-method': item.method });
    checkbox.addEventListener('change', () => {
      if (!checkbox.checked) return;
      checkbox.disabled = true;
      body.append(tickForm(item, checkbox, note));
    });
  }
  const body = el('div', {},
    el(checkbox ? 'label' : 'span', { for: checkbox ? id : null }, el('strong', { text: methodName(item.method) }), item.dose ? ` — ${item.dose}` : ''),
    el('div', { class: 'muted', text: [item.start ? `${when(item.start)} – ${when(item.end)}` : '', item.reason, item.evidence ? `Evidence: ${item.evidence}` : ''].filter(Boolean).join(' · ') }),
    note);
  return el('li', { 'data-method': item.method }, checkbox, body);
}

/** The morning check-in: a short form posted to `/wellness`; `onSaved` runs after a save. */
function morningForm(onSaved) {
  const status = el('p', { role: 'status' });
  const fields = [
    ['sleep_h', 'Sleep (h)', '0.1', 'e.g. 7.5'],
    ['sleep_quality', 'Sleep quality (1 poor – 5 good)', '1', '1–5'],
    ['soreness', 'Soreness (1 none – 5 very)', '1', '1–5'],
    ['fatigue', 'Fatigue (1 none – 5 very)', '1', '1–5'],
    ['stress', 'Stress (1 none – 5 very)', '1', '1–5'],
    ['mood', 'Mood (1 low – 5 good)', '1', '1–5'],
    ['rmssd_ms', 'rMSSD (ms, optional)', 'any', 'from your HRV app'],
    ['rest_hr', 'Resting HR (bpm, optional)', '1', 'e.g. 48'],
  ];
  const form = el('form', { class: 'grid card', id: 'wellness-form' });
  for (const [name, label, step, placeholder] of fields) {
    form.append(el('label', {}, label, el('input', { name, type: 'number', step, inputmode: 'decimal', placeholder })));
  }
  form.append(el('button', { type: 'submit', text: 'Save this morning' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    for (const input of form.querySelectorAll('input')) {
      if (input.value.trim() !== '') body[input.name] = Number(input.value);
    }
    if (Object.keys(body).length === 0) {
      status.className = 'error';
      status.textContent = 'Nothing to save: fill in at least one value.';
      return;
    }
    try {
      await api('/wellness', { method: 'POST', body: JSON.stringify(body) });
      form.reset();
      status.className = 'ok';
      status.textContent = 'Saved.';
      await onSaved();
    } catch (error) {
      status.className = 'error';
      status.textContent = error.message;
    }
  });
  return [form, status];
}

async function pageToday(root) {
  const today = todayInZone();
  const recent = await api('/activities?limit=1').catch(() => null);
  if (recent && recent.length === 0) {
    root.append(viewing
      ? emptyState('This athlete has not imported any activities yet.')
      : emptyState(
        'Welcome to Fettle. Import your activities (FIT, GPX, TCX files or a Strava or Garmin export) to see your readiness, training load and recovery advice.',
        { href: '/import', text: 'Import activities' }));
  }
  // The day's answer first (verdict, session, readiness in a line), then readiness in detail,
  // then recovery (open items first, expired ones under "Earlier"). The sections are placed in
  // order at once and filled as their answers arrive.
  let verdictBox = null;
  await Promise.all([section(root, 'What to do', async (box) => {
    verdictBox = el('div', { id: 'today-verdict' });
    box.append(verdictBox);
    await renderVerdict(verdictBox);
  }),
  section(root, 'Readiness', async (box) => {
    const r = await api(`/readiness?date=${today}`);
    if (r.score == null) {
      box.append(emptyState(`Not enough data for a readiness score yet${r.missing && r.missing.length ? ` (missing: ${r.missing.join(', ')})` : ''}.`));
      return;
    }
    box.append(el('div', { class: 'card' },
      el('p', { class: 'score', 'data-score': r.score }, fixed(r.score, 0), el('span', { class: 'muted out-of', text: ' / 100' })),
      el('p', { class: 'recommendation', 'data-recommendation': r.recommendation, text: recommendations[r.recommendation] || '' }),
      r.reasons && r.reasons.length ? el('ul', {}, r.reasons.map((reason) => el('li', { text: reason }))) : null,
      r.components.length ? table(['Component', 'Today ', 'Baseline ', 'Weight '], r.components.map((c) =>
        [c.label, fixed(c.value, 1), fixed(c.baseline, 1), fixed(c.weight, 2)])) : null,
      r.missing && r.missing.length ? el('p', { class: 'muted', text: `Missing: ${r.missing.join(', ')}` }) : null));
  }),
  section(root, 'Recovery', async (box) => {
    // `null` until the first activity: there is nothing to recover from yet.
    const plan = await api('/recover');
    if (!plan || !plan.items || plan.items.length === 0) {
      box.append(emptyState('No recovery prescriptions right now.'));
      return;
    }
    const refuel = plan.items.find((i) => i.deadline && Date.parse(i.end) > Date.now());
    if (refuel) box.append(countdown(refuel.deadline));
    const numbered = plan.items.map((item, i) => [item, i]);
    const open = numbered.filter(([item]) => !item.end || Date.parse(item.end) > Date.now());
    const earlier = numbered.filter(([item]) => item.end && Date.parse(item.end) <= Date.now());
    if (open.length) box.append(el('ul', { class: 'checks' }, open.map(([item, i]) => recoveryItem(item, i))));
    else box.append(el('p', { class: 'muted', text: 'Nothing left to do for the last session.' }));
    if (earlier.length) {
      box.append(el('details', { class: 'earlier' }, el('summary', { text: `Earlier (${earlier.length})` }),
        el('ul', { class: 'checks' }, earlier.map(([item, i]) => recoveryItem(item, i)))));
    }
  }),
  viewing ? null : section(root, 'This morning', async (box) => {
    // A saved morning changes readiness, so the verdict is asked again.
    box.append(...morningForm(async () => { if (verdictBox) await renderVerdict(verdictBox); }));
  }),
  section(root, 'Training state', async (box) => {
    const s = await api(`/status?date=${today}`);
    box.append(tiles([
      ['Fitness', fixed(s.fitness, 1), 'Chronic training load'],
      ['Fatigue', fixed(s.fatigue, 1), 'Acute training load'],
      ['Form', fixed(s.form, 1), 'Fitness minus fatigue'],
      ['Ramp', fixed(s.ramp, 1), 'Weekly change of fitness'],
      ['ACWR', fixed(s.acwr, 2), 'Acute:chronic workload ratio'],
      ['This week', km(s.week_distance_m), 'Distance over the last 7 days'],
    ]), flagList(s.flags));
  })]);
}

// ---------------------------------------------------------------- Training

/** Sums distance per ISO week. */
function weeklyVolume(days) {
  const weeks = new Map();
  for (const d of days) {
    const start = weekStart(daySeconds(d.date));
    weeks.set(start, (weeks.get(start) || 0) + (d.distance_m || 0));
  }
  const x = [...weeks.keys()].sort((a, b) => a - b);
  return { x, km: x.map((w) => weeks.get(w) / 1000) };
}

async function pageTraining(root) {
  const today = todayInZone();
  const from = addDays(today, -365);
  const days = await api(`/load?from=${from}&to=${today}`).catch((error) => { root.append(failure(error)); return null; });
  if (!days) return;
  if (days.length === 0) {
    root.append(viewing
      ? emptyState('No training yet: this athlete has not imported any activities.')
      : emptyState('No training yet: import activities to see fitness, fatigue and form.', { href: '/import', text: 'Import activities' }));
    return;
  }
  const last = days[days.length - 1];
  root.append(tiles([
    ['Fitness', fixed(last.fitness, 1)], ['Fatigue', fixed(last.fatigue, 1)], ['Form', fixed(last.form, 1)],
    ['Ramp', fixed(last.ramp, 1)], ['ACWR', fixed(last.acwr, 2)], ['Monotony', fixed(last.monotony, 2)],
  ]));
  await section(root, 'Flags', async (box) => { box.append(flagList((await api(`/status?date=${today}`)).flags)); });
  const x = days.map((d) => daySeconds(d.date));
  drawChart(root, {
    title: 'Fitness, fatigue and form',
    x,
    series: [
      { label: 'Fitness', values: days.map((d) => d.fitness), color: 1, unit: 'load' },
      { label: 'Fatigue', values: days.map((d) => d.fatigue), color: 2 },
      { label: 'Form', values: days.map((d) => d.form), color: 3, dash: true },
    ],
  });
  drawChart(root, {
    title: 'Ramp and acute:chronic ratio',
    x,
    series: [
      { label: 'Ramp', values: days.map((d) => d.ramp), color: 4, unit: 'ramp / week' },
      { label: 'ACWR', values: days.map((d) => d.acwr), color: 5, scale: 'r', unit: 'ACWR', digits: 2 },
    ],
    height: 200,
  });
  const weekly = weeklyVolume(days);
  drawChart(root, {
    title: 'Weekly volume',
    x: weekly.x,
    series: [{ label: 'Distance', values: weekly.km, color: 1, unit: 'km', bars: true, format: (v) => `${fixed(v, 1)} km` }],
    height: 200,
  });
}

// ---------------------------------------------------------------- Activities

function activityRows(list) {
  return list.map((a) => [
    el('a', { href: href(`/activities/${a.id}`), text: a.start ? when(a.start) : `#${a.id}` }),
    a.sport, km(a.distance_m), clock(a.timer_s ?? a.elapsed_s),
    a.distance_m && a.timer_s ? pace(a.distance_m / a.timer_s) : '—',
    fixed(a.avg_hr, 0), fixed(a.load, 0),
  ]);
}

async function pageActivities(root) {
  const params = new URLSearchParams(location.search);
  const field = (name, label, type, extra = {}) => el('label', {}, label,
    // The address's value wins over the default (`extra.value`), so a reload keeps the filters.
    el('input', { name, type, ...extra, value: params.get(name) || extra.value || '' }));
  const form = el('form', { class: 'grid card', role: 'search' },
    field('from', 'From', 'date'), field('to', 'To', 'date'),
    field('sport', 'Sport', 'text', { list: 'sports', placeholder: 'any' }),
    field('limit', 'At most', 'number', { min: '1', value: '50' }),
    el('datalist', { id: 'sports' }, vocabulary.sports.map((s) => el('option', { value: s }))),
    el('button', { type: 'submit', text: 'Filter' }));
  const results = el('div', { 'aria-live': 'polite' });
  root.append(form, results);
  const load = async () => {
    const query = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) query.set(k, String(v).trim());
    // The address keeps the filters (and the viewed athlete) so a reload shows the same list.
    const address = new URLSearchParams(query);
    if (viewing) address.set('athlete', viewing);
    history.replaceState(null, '', address.toString() ? `?${address}` : location.pathname);
    results.replaceChildren();
    // Keyset paging: the API names the next page's cursor in `X-Next-Cursor`; "More" asks
    // for the page after it and adds its rows to the same table.
    let next = null;
    const fetchPage = (before) => {
      const paged = new URLSearchParams(query);
      if (before) paged.set('before', before);
      return api(`/activities?${paged}`, { onHeaders: (h) => { next = h.get('X-Next-Cursor'); } });
    };
    try {
      const list = await fetchPage(null);
      if (list.length === 0) {
        results.append(query.has('from') || query.has('to') || query.has('sport')
          ? emptyState('No activities match these filters.')
          : emptyState('No activities yet.', viewing ? null : { href: '/import', text: 'Import activities' }));
        return;
      }
      const shown = table(['Start', 'Sport', 'Distance ', 'Time ', 'Pace ', 'Avg HR ', 'Load '], activityRows(list),
        `${list.length} activit${list.length === 1 ? 'y' : 'ies'}, newest first`);
      const more = el('button', { type: 'button', class: 'more', text: 'More' });
      const showMore = () => { more.hidden = !next; };
      more.addEventListener('click', async () => {
        more.disabled = true;
        try {
          const page = await fetchPage(next);
          const headings = [...shown.querySelectorAll('th')].map((th) => (th.classList.contains('num') ? ' ' : ''));
          shown.querySelector('tbody').append(...activityRows(page).map((row) => el('tr', {}, row.map((cell, i) =>
            el('td', { class: headings[i] ? 'num' : null }, cell)))));
          list.push(...page);
          shown.querySelector('caption').textContent = `${list.length} activities, newest first`;
          showMore();
        } catch (error) {
          results.append(failure(error));
        } finally {
          more.disabled = false;
        }
      });
      showMore();
      results.append(shown, more);
    } catch (error) {
      results.append(failure(error));
    }
  };
  form.addEventListener('submit', (event) => { event.preventDefault(); load(); });
  await load();
}

/**
 * The activity page's corrections (`PATCH` / `DELETE /api/v1/activities/{id}`): name, sport,
 * RPE, notes, whether it counts in the training load, and deleting it after a second click.
 * A refused value (422) is shown next to its field and nothing is stored; after a change
 * `onChanged(message)` draws the page again from the answer, loads included.
 */
function activityCorrections(a, onChanged, notice) {
  const status = el('p', { role: 'status', id: 'activity-edit-status' });
  if (notice) say(status, 'ok', notice);
  // The vocabulary's sports (the API also takes a custom name: a stored one stays offered).
  const sports = vocabulary.sports.includes(a.sport) ? vocabulary.sports : [...vocabulary.sports, a.sport];
  const row = (name, label, control) => el('label', {}, label, control, el('span', { class: 'error', 'data-error-for': name }));
  const form = el('form', { class: 'grid card', id: 'activity-edit', novalidate: true },
    row('name', 'Name', el('input', { name: 'name', type: 'text', maxlength: '200', value: a.name || '', placeholder: sportName(a.sport) })),
    row('sport', 'Sport', el('select', { name: 'sport' }, sports.map((s) => el('option', { value: s, selected: s === a.sport, text: sportName(s) })))),
    row('rpe', 'Effort, RPE 0 (rest) … 10 (maximal)', el('input', { name: 'rpe', type: 'number', min: '0', max: '10', step: 'any', value: a.rpe ?? '' })),
    row('notes', 'Notes', el('textarea', { name: 'notes', rows: '3', maxlength: '2000' }, a.notes || '')),
    el('button', { type: 'submit', text: 'Save changes' }));
  const clearErrors = () => form.querySelectorAll('[data-error-for]').forEach((span) => { span.textContent = ''; });
  /** Sends `changes`; on a refusal shows each violation by its field (the rest in the status line). */
  const send = async (changes, done) => {
    clearErrors();
    say(status, '', 'Saving…');
    try {
      await api(`/activities/${a.id}`, { method: 'PATCH', body: JSON.stringify(changes) });
    } catch (error) {
      const unplaced = [];
      for (const v of error.violations || []) {
        const span = form.querySelector(`[data-error-for="${CSS.escape(v.field)}"]`);
        if (span) span.textContent = v.message;
        else unplaced.push(v.message);
      }
      say(status, 'error', `Not saved: ${unplaced.length ? unplaced.join(' ') : error.violations && error.violations.length ? 'see the field marked above.' : error.message}`);
      return;
    }
    await onChanged(done);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const text = (name) => String(data.get(name) || '').trim();
    const rpe = text('rpe');
    send({
      name: text('name') || null,
      sport: text('sport'),
      // An empty RPE clears it; anything else goes as typed and the server judges it.
      rpe: rpe === '' ? null : Number(rpe),
      notes: text('notes') || null,
    }, 'Saved: loads and the training series are updated.');
  });
  const toggle = el('button', {
    type: 'button', class: 'secondary', id: 'activity-load-toggle',
    text: a.exclude_from_load ? 'Count it in the training load again' : 'Leave it out of the training load',
    onclick: () => send({ exclude_from_load: !a.exclude_from_load },
      a.exclude_from_load ? 'Counted in the training load again.' : 'Left out of the training load: it stays listed.'),
  });
  const remove = confirmButton('Delete this activity', 'Click again to delete it for good', async () => {
    await api(`/activities/${a.id}`, { method: 'DELETE' });
    location.assign(href('/activities'));
  }, status);
  remove.id = 'activity-delete';
  return el('section', { 'aria-label': 'Correct this activity' }, el('h2', { text: 'Correct this activity' }),
    form, el('p', { class: 'card' }, toggle, ' ', remove), status);
}

async function pageActivity(root, notice) {
  const id = Number(location.pathname.split('/').pop());
  if (!Number.isInteger(id)) {
    root.append(emptyState('This is not an activity address.', { href: href('/activities'), text: 'All activities' }));
    return;
  }
  let a;
  try {
    a = await api(`/activities/${id}`);
  } catch (error) {
    root.append(failure(error), el('p', {}, el('a', { href: href('/activities'), text: 'All activities' })));
    return;
  }
  document.querySelector('h1').textContent = `${a.name || sportName(a.sport)} · ${a.start ? when(a.start) : ''}`;
  root.append(el('dl', { class: 'facts card' },
    [['Sport', sportName(a.sport)], ['Distance', km(a.distance_m)], ['Moving time', clock(a.timer_s)], ['Elapsed', clock(a.elapsed_s)],
      ['Pace', a.distance_m && a.timer_s ? pace(a.distance_m / a.timer_s) : '—'], ['Ascent', a.ascent_m == null ? '—' : `${fixed(a.ascent_m, 0)} m`],
      ['Heart rate', `${fixed(a.avg_hr, 0)} avg · ${fixed(a.max_hr, 0)} max`], ['Load', `${fixed(a.load, 0)} (${a.load_method || '—'})${a.exclude_from_load ? ' — left out of the training load' : ''}`],
      ['Effort (RPE)', a.rpe == null ? '—' : `${fixed(a.rpe, 1)} of 10`], ['Notes', a.notes || '—'],
      ['Device', a.device || '—'], ['Source', a.source || '—']]
      .map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])));
  // `chart` holds the downsampled streams; `streams` is per-stream statistics.
  const s = a.chart || {};
  const t = s.time_s || [];
  const has = (arr) => Array.isArray(arr) && arr.some((v) => v != null);
  if (t.length === 0) root.append(emptyState('This activity has no recorded streams to chart.'));
  if (has(s.heart_rate_bpm)) {
    drawChart(root, { title: 'Heart rate', xKind: 'elapsed', x: t, series: [{ label: 'Heart rate', values: s.heart_rate_bpm, color: 2, unit: 'bpm', digits: 0 }], height: 200 });
  }
  if (has(s.speed_mps)) {
    const paceS = s.speed_mps.map((v) => (v == null || v < 0.5 ? null : 1000 / v));
    drawChart(root, { title: 'Pace', xKind: 'elapsed', x: t, series: [{ label: 'Pace', values: paceS, color: 1, unit: 'min/km', format: (v) => (v == null ? '—' : `${clock(v)} /km`), tick: (v) => clock(v) }], height: 200 });
  }
  if (has(s.altitude_m)) {
    drawChart(root, { title: 'Elevation', xKind: 'elapsed', x: t, series: [{ label: 'Elevation', values: s.altitude_m, color: 3, unit: 'm', digits: 0 }], height: 180 });
  }
  if (a.laps && a.laps.length) {
    root.append(el('h2', { text: 'Laps' }), table(['Lap', 'Distance ', 'Time ', 'Pace ', 'Avg HR ', 'Max HR '], a.laps.map((lap, i) => [
      String(lap.number ?? i + 1), km(lap.distance_m), clock(lap.elapsed_s ?? lap.timer_s),
      lap.distance_m && (lap.timer_s || lap.elapsed_s) ? pace(lap.distance_m / (lap.timer_s || lap.elapsed_s)) : '—',
      fixed(lap.avg_hr, 0), fixed(lap.max_hr, 0)])));
  }
  if (a.zones) root.append(...zonesSection(a.zones));
  // A coach viewing an athlete reads only.
  if (!viewing) {
    root.append(activityCorrections(a, async (message) => {
      const fresh = el('div');
      root.replaceWith(fresh);
      await pageActivity(fresh, message);
    }, notice));
  }
}

/** A zone's range in words: bpm for heart rate; for pace the bounds are speeds (`low` the slower edge). */
function zoneRange(z, isPace) {
  const show = (v) => (isPace ? pace(v) : `${fixed(v, 0)} bpm`);
  if (z.low == null && z.high == null) return '—';
  if (z.low == null) return isPace ? `slower than ${show(z.high)}` : `under ${show(z.high)}`;
  if (z.high == null) return isPace ? `${show(z.low)} and faster` : `${show(z.low)} and over`;
  // Both bounds, the unit once ("147–155 bpm", "5:30–4:49 /km"): short enough for a phone's column.
  return isPace ? `${clock(1000 / z.low)}–${pace(z.high)}` : `${fixed(z.low, 0)}–${show(z.high)}`;
}

/** Time in each heart-rate and pace zone (`zones` of the activity answer), as a table with bars. */
function zonesSection(zones) {
  const out = [el('h2', { text: 'Time in zones' }),
    el('p', { class: 'muted', text: `Over ${clock(zones.moving_s)} of moving time; pauses and standing still are left out.` })];
  const share = (seconds) => (zones.moving_s > 0 ? seconds / zones.moving_s : 0);
  const bar = (label, seconds) => el('meter', { min: '0', max: '1', value: String(share(seconds)), 'aria-label': label });
  const groups = [
    ['Heart rate', zones.hr, zones.hr_source, zones.no_heart_rate_s, 'no heart rate', false],
    ['Pace', zones.pace, zones.pace_source, zones.no_pace_s, 'no pace', true],
  ];
  let any = false;
  for (const [title, list, source, missing, missingLabel, isPace] of groups) {
    if (!list || list.length === 0) continue;
    any = true;
    const rows = list.map((z) => [`${z.zone} ${z.name}`, zoneRange(z, isPace), clock(z.seconds),
      `${fixed(100 * share(z.seconds), 0)} %`, bar(`${title} zone ${z.zone}: share of moving time`, z.seconds)]);
    if (missing > 0) rows.push([missingLabel, '', clock(missing), `${fixed(100 * share(missing), 0)} %`, bar(`${title}: ${missingLabel}, share of moving time`, missing)]);
    out.push(el('div', { class: 'zones', 'data-kind': isPace ? 'pace' : 'hr' },
      table(['Zone', 'Range', 'Time ', 'Share ', ''], rows, `${title} zones: ${source || ''}`)));
  }
  if (!any) out.push(el('p', { class: 'muted', text: 'No zones yet: set your threshold heart rate and threshold pace on the Profile page.' }));
  return out;
}

// ---------------------------------------------------------------- Recovery

/** A month calendar with each day's logged sessions. */
function calendar(sessions, year, month) {
  const byDay = new Map();
  for (const s of sessions) {
    const day = when(s.at, 'date');
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push(s);
  }
  const first = new Date(year, month, 1);
  const daysIn = new Date(year, month + 1, 0).getDate();
  const pad = (first.getDay() + 6) % 7;
  const today = todayInZone();
  const cells = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => el('div', { class: 'dow', 'aria-hidden': 'true', text: d }));
  for (let i = 0; i < pad; i += 1) cells.push(el('div', { class: 'day pad', 'aria-hidden': 'true' }));
  for (let d = 1; d <= daysIn; d += 1) {
    const iso = localDay(new Date(year, month, d));
    const list = byDay.get(iso) || [];
    cells.push(el('div', { class: `day${iso === today ? ' today' : ''}`, 'data-day': iso, 'aria-label': `${iso}: ${list.length ? list.map((s) => methodName(s.method)).join(', ') : 'nothing logged'}` },
      el('span', { class: 'n', text: String(d) }), list.map((s) => el('span', { class: 'm', text: methodName(s.method) }))));
  }
  return el('div', { class: 'calendar' }, cells);
}

/** An SVG interval plot for one insight (effect with its confidence interval, and zero). */
function intervalPlot(lo, effect, hi, span) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 200 20');
  svg.setAttribute('width', '200');
  svg.setAttribute('height', '20');
  svg.setAttribute('class', 'interval');
  svg.setAttribute('aria-hidden', 'true');
  const pos = (v) => 100 + (v / span) * 95;
  const line = (x1, x2, cls) => {
    const l = document.createElementNS(ns, 'line');
    for (const [k, v] of Object.entries({ x1, x2, y1: cls === 'zero' ? 2 : 10, y2: cls === 'zero' ? 18 : 10, class: cls })) l.setAttribute(k, v);
    svg.append(l);
  };
  line(100, 100, 'zero');
  if (lo != null && hi != null) line(pos(lo), pos(hi), 'ci');
  if (effect != null) {
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', pos(effect)); c.setAttribute('cy', 10); c.setAttribute('r', 4);
    svg.append(c);
  }
  return svg;
}

async function pageRecovery(root) {
  const listBox = el('div');
  const calBox = el('div');
  let sessions = [];
  let shown = new Date();
  const drawCalendar = () => {
    calBox.replaceChildren(el('div', { class: 'cal-nav' },
      el('button', { type: 'button', 'aria-label': 'Previous month', text: '‹', onclick: () => { shown = new Date(shown.getFullYear(), shown.getMonth() - 1, 1); drawCalendar(); } }),
      el('strong', { text: shown.toLocaleDateString([], { month: 'long', year: 'numeric' }) }),
      el('button', { type: 'button', 'aria-label': 'Next month', text: '›', onclick: () => { shown = new Date(shown.getFullYear(), shown.getMonth() + 1, 1); drawCalendar(); } })),
    calendar(sessions, shown.getFullYear(), shown.getMonth()));
  };
  const refresh = async () => {
    try {
      sessions = (await api('/recovery')).entries || [];
      sessions.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
      listBox.replaceChildren(sessions.length === 0
        ? emptyState(viewing ? 'This athlete has logged no recovery sessions.' : 'Nothing logged yet: use the form above after a session.')
        : el('ul', { class: 'checks', id: 'recovery-list' }, sessions.map((s) => el('li', { 'data-method': s.method },
          el('div', {}, el('strong', { text: methodName(s.method) }), ` · ${when(s.at)}`,
            el('div', { class: 'muted', text: [s.minutes != null ? `${fixed(s.minutes, 0)} min` : '', s.temp_c != null ? `${fixed(s.temp_c, 0)} °C` : '',
              s.zones && s.zones.length ? s.zones.join(', ') : '', s.carbs_g != null ? `${fixed(s.carbs_g, 0)} g carbs` : '',
              s.protein_g != null ? `${fixed(s.protein_g, 0)} g protein` : '', s.note || ''].filter(Boolean).join(' · ') }))))));
      drawCalendar();
    } catch (error) {
      listBox.replaceChildren(failure(error));
    }
  };

  const now = wallClock();
  const status = el('p', { role: 'status' });
  const number = (name, label, attrs) => el('label', {}, label, el('input', { name, type: 'number', inputmode: 'decimal', step: 'any', ...attrs }));
  const limits = vocabulary.shared_limits;
  const form = el('form', { class: 'grid card', id: 'recovery-form' },
    el('label', {}, 'Method', el('select', { name: 'method', required: true },
      vocabulary.methods.map((m) => el('option', { value: m.name, text: m.title })))),
    el('label', {}, 'Started', el('input', { name: 'at', type: 'datetime-local', value: now, required: true })),
    // The bounds every method shares (the server's, from the vocabulary); each method's own
    // tighter ones are checked by the server, which says which and why.
    number('minutes', 'Minutes', { min: String(limits.minutes[0]), max: String(limits.minutes[1]) }),
    number('temp_c', 'Temperature °C', { min: String(limits.temp_c[0]), max: String(limits.temp_c[1]) }),
    el('label', {}, 'Zones (comma-separated)', el('input', { name: 'zones', type: 'text', placeholder: 'calves, quads' })),
    number('carbs_g', 'Carbohydrate g', { min: String(limits.grams[0]), max: String(limits.grams[1]) }),
    number('protein_g', 'Protein g', { min: String(limits.grams[0]), max: String(limits.grams[1]) }),
    el('label', {}, 'Note', el('input', { name: 'note', type: 'text', maxlength: String(limits.note_max_chars) })),
    el('button', { type: 'submit', text: 'Log session' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { method: data.get('method') };
    const at = data.get('at');
    if (at) body.at = zoneInstant(at);
    for (const key of ['minutes', 'temp_c', 'carbs_g', 'protein_g']) {
      const v = String(data.get(key) || '').trim();
      if (v !== '') body[key] = Number(v);
    }
    const zones = String(data.get('zones') || '').split(',').map((z) => z.trim()).filter(Boolean);
    if (zones.length) body.zones = zones;
    const note = String(data.get('note') || '').trim();
    if (note) body.note = note;
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const logged = await api('/recovery', { method: 'POST', body: JSON.stringify(body) });
      // Logged as done; a dose outside the evidence or a health exclusion is said, not refused.
      const warnings = (logged && logged.warnings) || [];
      status.textContent = `Logged ${methodName(body.method)}.${warnings.map((w) => ` Note: ${w}.`).join('')}`;
      status.className = warnings.length ? '' : 'ok';
      await refresh();
    } catch (error) {
      status.textContent = error.message;
      status.className = 'error';
    } finally {
      button.disabled = false;
    }
  });
  // A viewing coach sees what was logged, not the form to log more.
  if (!viewing) root.append(el('h2', { text: 'Log a session' }), form, status);
  root.append(el('h2', { text: 'Calendar' }), calBox, el('h2', { text: 'Logged sessions' }), listBox);
  await refresh();
  await section(root, 'What works for you', async (box) => {
    const insights = await api('/insights');
    if (insights.length === 0) {
      box.append(emptyState('No insights yet: they appear once enough sessions are logged with and without each method.'));
      return;
    }
    const span = Math.max(1e-9, ...insights.flatMap((i) => [i.ci_low, i.ci_high, i.effect].filter((v) => v != null).map(Math.abs)));
    box.append(table(['Method', 'Outcome', 'Effect ', '95 % interval ', '', 'With / without ', 'Verdict'], insights.map((i) => [
      methodName(i.method), i.outcome, i.effect == null ? '—' : `${fixed(i.effect, 2)} ${i.unit}`, `${fixed(i.ci_low, 2)} to ${fixed(i.ci_high, 2)}`,
      intervalPlot(i.ci_low, i.effect, i.ci_high, span), `${i.n_with} / ${i.n_without}`, i.verdict.replace(/_/g, ' ')])),
    el('p', { class: 'muted', text: 'One model per outcome, adjusted for the day’s load, fatigue and the other methods; “helps” or “worse” only when the effect survives the false-discovery-rate correction (Benjamini–Hochberg, 5 %).' }));
  });
}

// ---------------------------------------------------------------- Plan

/** Words for a day's mark on the plan (`GET /plan/adherence`). */
const markWords = { done: '✓ done', missed: '✗ missed', due: 'today', rest: 'rest', extra: '+ extra run' };

/**
 * The plan form: the options `fettle plan create` takes, posted to `/plan` (the server
 * validates them as the CLI does and says what to write); `onMade` redraws the page.
 */
function planForm(plan, onMade) {
  const status = el('p', { role: 'status' });
  const option = (value, text, selected) => el('option', { value, text, selected: selected || null });
  const weekdays = [['', 'default'], ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];
  const select = (name, label, options) => el('label', {}, label, el('select', { name }, options));
  const distance = plan && plan.race ? plan.race.distance_m : null;
  const form = el('form', { class: 'grid card', id: 'plan-form' },
    el('label', {}, 'Race day', el('input', { name: 'race', type: 'date', required: true, value: plan && plan.race ? plan.race.date : '' })),
    select('distance', 'Distance', [['5km', '5 km', 5000], ['10k', '10 km', 10000], ['half', 'Half marathon', 21097.5], ['marathon', 'Marathon', 42195]]
      .map(([value, text, m]) => option(value, text, distance != null && Math.abs(distance - m) < 1))),
    el('label', {}, 'Goal time (h:mm:ss, optional)', el('input', { name: 'goal_time', type: 'text', placeholder: '3:15:00', value: plan && plan.race && plan.race.goal_time_s ? clock(plan.race.goal_time_s) : '' })),
    select('long_run_day', 'Long-run day', weekdays.map(([v, t]) => option(v, t))),
    el('label', {}, 'Rest days (optional)', el('input', { name: 'rest_days', type: 'text', placeholder: 'wed,fri' })),
    select('week_start', 'Weeks start on', weekdays.map(([v, t]) => option(v, t))),
    select('cycle', 'Loading:recovery weeks', [option('3:1', '3:1'), option('2:1', '2:1')]),
    el('button', { type: 'submit', text: plan ? 'Make a new plan' : 'Make the plan' }), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim() !== '') body[key] = String(value).trim();
    }
    status.className = 'muted';
    status.textContent = 'Building the plan…';
    try {
      await api('/plan', { method: 'POST', body: JSON.stringify(body) });
      status.className = 'ok';
      status.textContent = 'Plan made.';
      await onMade();
    } catch (error) {
      status.className = 'error';
      status.textContent = error.message;
    }
  });
  return form;
}

async function pagePlan(root) {
  const today = todayInZone();
  let plan;
  try {
    plan = await api(`/plan?date=${today}`);
  } catch (error) {
    root.append(failure(error));
    return;
  }
  const redraw = async () => {
    const fresh = el('div');
    root.replaceWith(fresh);
    await pagePlan(fresh);
  };
  // `null` when there is no plan.
  if (!plan || (!plan.race && (!plan.weeks || plan.weeks.length === 0))) {
    if (viewing) {
      root.append(emptyState('This athlete has no training plan.'));
    } else {
      root.append(emptyState('No plan yet: give your race below to get weekly targets, sessions and a forecast (or `fettle plan create`).'));
      root.append(planForm(null, redraw));
    }
    return;
  }
  if (plan.race) {
    root.append(tiles([['Race day', plan.race.date], ['Distance', km(plan.race.distance_m)], ['Goal', clock(plan.race.goal_time_s)]]));
  }
  if (!viewing) {
    const status = el('p', { role: 'status', id: 'replan-status' });
    root.append(el('details', { class: 'card', id: 'plan-edit' }, el('summary', { text: 'Re-plan or make a new plan' }),
      el('p', {}, el('button', { type: 'button', id: 'replan', text: 'Re-plan from what I did', onclick: async (event) => {
        event.target.disabled = true;
        try {
          const replanned = await api('/plan/replan', { method: 'POST' });
          status.className = 'ok';
          status.textContent = replanned.changes && replanned.changes.length ? replanned.changes.join(' ') : 'Re-planned: nothing needed to change.';
          await redraw();
        } catch (error) {
          event.target.disabled = false;
          status.className = 'error';
          status.textContent = error.message;
        }
      } })), status, planForm(plan, redraw)));
  }
  if (plan.changes && plan.changes.length) {
    root.append(el('ul', { class: 'card', id: 'plan-changes' }, plan.changes.map((c) => el('li', { text: c }))));
  }
  if (plan.forecast && plan.forecast.length) {
    drawChart(root, {
      title: 'Forecast to race day',
      x: plan.forecast.map((d) => daySeconds(d.date)),
      series: [
        { label: 'Fitness', values: plan.forecast.map((d) => d.fitness), color: 1, unit: 'load' },
        { label: 'Fatigue', values: plan.forecast.map((d) => d.fatigue), color: 2 },
        { label: 'Form', values: plan.forecast.map((d) => d.form), color: 3, dash: true },
      ],
    });
  }
  // Each day up to today marked done or missed (from adherence), today highlighted.
  const adherence = await api(`/plan/adherence?date=${today}`).catch(() => null);
  const marks = new Map();
  for (const w of (adherence && adherence.weeks) || []) {
    for (const d of w.days || []) marks.set(d.date, d.mark);
  }
  const dayCell = (date) => {
    const mark = marks.get(date);
    return el('span', { class: date === today ? 'today' : null, 'aria-current': date === today ? 'date' : null, 'data-mark': mark || null },
      date, mark ? el('span', { class: `mark mark-${mark}`, text: ` ${markWords[mark] || mark}` }) : null);
  };
  root.append(el('h2', { text: 'Weeks' }), ...plan.weeks.map((w) => el('details', { class: 'card', open: (w.days || []).some((d) => d.date === today) || null },
    el('summary', {}, el('strong', { text: `Week of ${w.start}` }), ` · ${w.kind} · load ${fixed(w.load_target, 0)} · ${km(w.distance_target_m)}`),
    table(['Day', 'Session', 'Load ', 'Recovery'], (w.days || []).map((d) => [dayCell(d.date),
      d.session && typeof d.session === 'object' ? d.session.description || d.session.title : d.session, fixed(d.load, 0),
      (d.recovery || []).map((r) => (typeof r === 'string' ? methodName(r) : methodName(r.method))).join(', ')])))));
  await section(root, 'Adherence', async (box) => {
    const weeks = (adherence && adherence.weeks) || [];
    if (weeks.length === 0) {
      box.append(emptyState('Adherence appears after the plan’s first week.'));
      return;
    }
    box.append(table(['Week', 'Planned load ', 'Done load ', 'Done '], weeks.map((w) => [w.start, fixed(w.planned_load, 0), fixed(w.done_load, 0),
      w.load_pct == null ? '—' : `${fixed(w.load_pct, 0)} %`])));
  });
}

// ---------------------------------------------------------------- Import

async function pageImport(root) {
  if (viewing) {
    root.append(emptyState('Only the athlete imports their own activities; you are viewing their data read-only.',
      { href: href('/activities'), text: 'Their activities' }));
    return;
  }
  const input = el('input', { type: 'file', name: 'file', multiple: true, required: true, accept: '.fit,.gpx,.tcx,.gz,.zip,.csv', id: 'import-file' });
  const progress = el('progress', { max: '100', value: '0', hidden: true, 'aria-label': 'Upload progress' });
  const status = el('p', { role: 'status', id: 'import-status' });
  const result = el('div', { id: 'import-result' });
  const button = el('button', { type: 'submit', text: 'Upload and import' });
  const form = el('form', { class: 'card', id: 'import-form' },
    el('label', { for: 'import-file', text: 'Activity files (FIT, GPX, TCX, .gz) or a Strava / Garmin export zip' }), input,
    el('p', {}, button), progress);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.files || input.files.length === 0) return;
    const data = new FormData();
    for (const file of input.files) data.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/import`);
    xhr.responseType = 'json';
    xhr.setRequestHeader('Accept', 'application/json');
    if (me.csrf_token) xhr.setRequestHeader('X-CSRF-Token', me.csrf_token);
    progress.hidden = false;
    progress.value = 0;
    button.disabled = true;
    status.className = '';
    status.textContent = 'Uploading…';
    result.replaceChildren();
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) {
        progress.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = `Uploading… ${progress.value} %`;
      }
    });
    xhr.upload.addEventListener('load', () => { progress.value = 100; status.textContent = 'Uploaded; importing…'; });
    xhr.addEventListener('load', () => {
      button.disabled = false;
      const body = xhr.response;
      if (xhr.status !== 200) {
        status.className = 'error';
        status.textContent = body && body.error ? body.error.message : `Upload failed (${xhr.status}).`;
        return;
      }
      status.className = 'ok';
      status.textContent = `Imported ${body.imported} activit${body.imported === 1 ? 'y' : 'ies'} from ${body.files} file${body.files === 1 ? '' : 's'}.`;
      result.append(tiles([['Files', String(body.files)], ['Imported', String(body.imported)], ['Duplicates', String(body.duplicates)],
        ['Skipped', String(body.skipped)], ['Failed', String(body.failed)]]));
      const problems = [...(body.failures || []).map((p) => ['failed', p]), ...(body.skips || []).map((p) => ['skipped', p]), ...(body.warnings || []).map((p) => ['warning', p])];
      if (problems.length) result.append(table(['What', 'File', 'Why'], problems.map(([what, p]) => [what, p.source, p.reason])));
      if (body.imported > 0) result.append(el('p', {}, el('a', { href: '/activities', text: 'See the activities' })));
    });
    xhr.addEventListener('error', () => {
      button.disabled = false;
      status.className = 'error';
      status.textContent = 'The upload was interrupted: is fettle serve still running?';
    });
    xhr.send(data);
  });
  root.append(form, status, result,
    el('p', { class: 'muted', text: 'Files are streamed to a temporary folder, imported, then deleted. Very large exports import faster with `fettle import` on the command line.' }));
}

// ---------------------------------------------------------------- Profile

/** Profile values as the API names them, with how to show and edit each. */
const profileFields = [
  { key: 'sex', resolved: 'sex', label: 'Sex', kind: 'sex' },
  { key: 'mass_kg', resolved: 'body_mass_kg', label: 'Body mass', unit: 'kg', digits: 1 },
  { key: 'max_hr', resolved: 'hr_max', label: 'Maximum heart rate', unit: 'bpm', digits: 0 },
  { key: 'rest_hr', resolved: 'hr_rest', label: 'Resting heart rate', unit: 'bpm', digits: 0 },
  { key: 'lthr', resolved: 'lthr', label: 'Threshold heart rate', unit: 'bpm', digits: 0 },
  { key: 'threshold_speed_mps', resolved: 'threshold_speed_mps', label: 'Threshold pace', kind: 'pace' },
  { key: 'tz', resolved: 'time_zone', label: 'Time zone', kind: 'text' },
  { key: 'strength_block', resolved: 'strength_block', label: 'Strength block (no cold after training)', kind: 'onoff' },
];

/** "4:05" or "4:05/km" → metres per second, or NaN. */
function paceToSpeed(text) {
  const match = /^\s*(\d{1,2}):([0-5]\d)\s*(\/\s*km)?\s*$/.exec(text);
  if (!match) return NaN;
  const seconds = Number(match[1]) * 60 + Number(match[2]);
  return seconds > 0 ? 1000 / seconds : NaN;
}

/** How a resolved value was obtained, in words. */
function sourceText(source) {
  if (!source) return '';
  if (source.kind === 'given') return `given${source.from ? ` from ${source.from}` : ''}`;
  if (source.kind === 'estimated') return `estimated: ${source.method || ''}`;
  return source.kind || '';
}


/** A form of checkboxes for one whole list (`/profile/access` or `/profile/health`), saved at once. */
async function optionList(box, { path, id, legend, note, names, save }) {
  const list = await api(path);
  const status = el('p', { role: 'status' });
  const boxes = list.choices.map((word) =>
    el('input', { type: 'checkbox', name: 'items', value: word, checked: list.items.includes(word) }));
  // Viewing another athlete the choices are shown but cannot be changed.
  if (viewing) for (const b of boxes) b.disabled = true;
  const form = el('form', { class: 'card', id },
    el('fieldset', { class: 'options' }, el('legend', { text: legend }),
      note ? el('p', { class: 'muted', text: note }) : null,
      boxes.map((input) => el('label', { class: 'option' }, input, names[input.value] || input.value))),
    viewing ? null : el('button', { type: 'submit', text: save }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const items = boxes.filter((b) => b.checked).map((b) => b.value);
    try {
      const saved = await api(path, { method: 'PUT', body: JSON.stringify({ items }) });
      for (const b of boxes) b.checked = saved.items.includes(b.value);
      status.className = 'ok';
      status.textContent = 'Saved.';
    } catch (error) {
      status.className = 'error';
      status.textContent = error.message;
    }
  });
  box.append(form, status);
}

async function pageProfile(root) {
  let profile;
  try {
    profile = await api('/profile');
  } catch (error) {
    root.append(failure(error));
    return;
  }
  let access;
  if (viewing) access = 'You are viewing this athlete’s profile read-only: only they can change it.';
  else if (multiUser()) access = `Signed in as ${me.email} on a shared server. Only you and the coaches you accept see your data; coaches can read it but never change it.`;
  else access = `Single-user mode: this dashboard answers only on this computer (${location.host}). Your data stays in the local database.`;
  root.append(el('section', { 'aria-label': 'Access' }, el('h2', { text: 'Access' }), el('p', { text: access }),
    multiUser() && !viewing ? el('p', {}, el('a', { href: '/account', text: 'Password, API tokens and coaches' })) : null));
  const shown = el('div', { id: 'profile-values' });
  const showValues = (p) => {
    shown.replaceChildren(table(['Setting', 'Value ', 'How'], profileFields.map((f) => {
      const r = p[f.resolved];
      let value = '—';
      if (f.kind === 'onoff') return [f.label, r ? 'on' : 'off', r ? 'no ice bath or cryotherapy is suggested' : 'not in a strength block'];
      if (f.kind === 'sex' || f.kind === 'text') value = r || '—';
      else if (r && f.kind === 'pace') value = pace(r.value);
      else if (r) value = `${fixed(r.value, f.digits)} ${f.unit}`;
      return [f.label, value, r && typeof r === 'object' ? sourceText(r.source) : (r ? 'given' : 'not set')];
    }), `As it applies on ${p.date}`));
  };
  showValues(profile);
  const status = el('p', { role: 'status' });
  const inputs = {};
  const form = el('form', { class: 'grid card', id: 'profile-form' });
  for (const f of profileFields) {
    let input;
    if (f.kind === 'sex') {
      input = el('select', { name: f.key }, el('option', { value: '', text: 'unchanged' }),
        el('option', { value: 'female', text: 'female' }), el('option', { value: 'male', text: 'male' }));
    } else if (f.kind === 'onoff') {
      input = el('select', { name: f.key }, el('option', { value: '', text: 'unchanged' }),
        el('option', { value: 'on', text: 'on' }), el('option', { value: 'off', text: 'off' }));
    } else if (f.kind === 'pace') {
      input = el('input', { name: f.key, type: 'text', placeholder: 'e.g. 4:05/km', pattern: '\\d{1,2}:[0-5]\\d(/km)?' });
    } else if (f.kind === 'text') {
      input = el('input', { name: f.key, type: 'text', placeholder: 'e.g. Europe/London' });
    } else {
      input = el('input', { name: f.key, type: 'number', step: 'any', inputmode: 'decimal', placeholder: f.unit });
    }
    inputs[f.key] = [f, input];
    form.append(el('label', {}, f.label, input));
  }
  const from = el('input', { name: 'from', type: 'date' });
  form.append(el('label', {}, 'Applies from (default today)', from), el('button', { type: 'submit', text: 'Save' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const update = {};
    for (const [key, [f, input]] of Object.entries(inputs)) {
      const text = input.value.trim();
      if (text === '') continue;
      if (f.kind === 'pace') {
        const speed = paceToSpeed(text);
        if (Number.isNaN(speed)) {
          status.className = 'error';
          status.textContent = `Threshold pace "${text}" is not a pace: write minutes:seconds per km, e.g. 4:05/km.`;
          return;
        }
        update[key] = speed;
      } else if (f.kind === 'onoff') update[key] = text === 'on';
      else if (f.kind === 'sex' || f.kind === 'text') update[key] = text;
      else update[key] = Number(text);
    }
    if (from.value) update.from = from.value;
    if (Object.keys(update).length === 0 || (Object.keys(update).length === 1 && update.from)) {
      status.className = 'error';
      status.textContent = 'Nothing to save: fill in at least one value.';
      return;
    }
    try {
      const saved = await api('/profile', { method: 'PUT', body: JSON.stringify(update) });
      showValues(saved);
      form.reset();
      status.className = 'ok';
      status.textContent = 'Saved; loads were recomputed.';
    } catch (error) {
      status.className = 'error';
      status.textContent = error.message;
    }
  });
  root.append(el('h2', { text: 'Settings' }), shown);
  if (!viewing) {
    root.append(el('h2', { text: 'Change' }),
      el('p', { class: 'muted', text: 'Values apply from the day given; older sessions keep the values that applied then. Leave a field empty to keep it.' }),
      form, status);
  }
  await section(root, 'Recovery equipment and services', (box) => optionList(box, {
    path: '/profile/access',
    id: 'access-form',
    legend: viewing ? 'What they can use' : 'What you can use',
    note: 'Prescriptions only suggest methods you have access to.',
    names: titles(vocabulary.access, 'word'),
    save: 'Save equipment',
  }));
  await section(root, 'Health exclusions', (box) => optionList(box, {
    path: '/profile/health',
    id: 'health-form',
    legend: viewing ? 'Conditions that apply to them' : 'Conditions that apply to you',
    note: 'Each condition removes the recovery methods it makes unsafe (e.g. cold treatments with Raynaud\'s) from your prescriptions.',
    names: titles(vocabulary.health, 'word'),
    save: 'Save exclusions',
  }));
}

// ---------------------------------------------------------------- Log in

/** A cookie's value, or null. */
function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return null;
}

/** What `/login?error=…` means; the server never says which of e-mail or password was wrong. */
const loginErrors = {
  1: 'E-mail or password is wrong.',
  rate: 'Too many attempts; wait a few minutes before trying again.',
  // The form's anti-forgery token was missing or old (e.g. the page was open for hours).
  csrf: 'The login form had expired; please log in again.',
};

/**
 * The login form is plain HTML posted to `/login`; this only fills its two hidden fields and
 * shows the outcome of the last attempt. `csrf` is the double-submit token: the server sets it
 * as the (script-readable) cookie `fettle_login_csrf` with this page and accepts the post only
 * when field and cookie agree, which another site cannot arrange. It calls no API: nobody is
 * signed in yet.
 */
function pageLogin() {
  const message = document.getElementById('login-message');
  const show = (text) => {
    message.textContent = text;
    message.hidden = false;
  };
  const error = query.get('error');
  if (error) show(loginErrors[error] || 'Logging in failed; try again.');
  // Only a path on this site (the server checks again): `//host` would leave it.
  const next = query.get('next');
  if (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')) {
    document.getElementById('login-next').value = next;
  }
  const token = cookie('fettle_login_csrf');
  if (token) {
    document.getElementById('login-csrf').value = token;
  } else {
    show('This browser did not keep the login cookie: allow cookies for this site, then reload the page.');
  }
  if (error) document.querySelector('#login-form input[name=password]').focus();
}

// ---------------------------------------------------------------- Account

/**
 * A button for an action that cannot be undone: the first click asks ("Really …?"), a second
 * click within five seconds acts. Failures go to `status`.
 */
function confirmButton(label, question, action, status) {
  const button = el('button', { type: 'button', class: 'secondary', text: label });
  let timer = null;
  const disarm = () => {
    delete button.dataset.armed;
    button.textContent = label;
  };
  button.addEventListener('click', async () => {
    if (button.dataset.armed !== 'true') {
      button.dataset.armed = 'true';
      button.textContent = question;
      timer = setTimeout(disarm, 5000);
      return;
    }
    clearTimeout(timer);
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      say(status, 'error', error.message);
      button.disabled = false;
      disarm();
    }
  });
  return button;
}

/** An action button that is not destructive (accept an invitation). */
function actionButton(label, action, status) {
  const button = el('button', { type: 'button', text: label });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      say(status, 'error', error.message);
      button.disabled = false;
    }
  });
  return button;
}

/** A labelled input. */
const field = (label, attrs) => el('label', {}, label, el('input', attrs));

function passwordSection(root) {
  const status = el('p', { role: 'status' });
  const form = el('form', { class: 'grid card', id: 'password-form' },
    field('Current password', { type: 'password', name: 'current_password', autocomplete: 'current-password', required: true }),
    field('New password', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true, minlength: '10', maxlength: '1024' }),
    field('New password again', { type: 'password', name: 'repeat', autocomplete: 'new-password', required: true, minlength: '10', maxlength: '1024' }),
    el('button', { type: 'submit', text: 'Change password' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (data.get('new_password') !== data.get('repeat')) {
      say(status, 'error', 'The two new passwords differ: type the same one twice.');
      return;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await account('/me/password', {
        method: 'PUT',
        body: JSON.stringify({ current_password: data.get('current_password'), new_password: data.get('new_password') }),
      });
      form.reset();
      say(status, 'ok', 'Password changed. Your other sessions were logged out and your API tokens revoked: make new ones below.');
    } catch (error) {
      say(status, 'error', error.message);
    } finally {
      button.disabled = false;
    }
  });
  root.append(el('section', { 'aria-label': 'Change password' }, el('h2', { text: 'Change password' }),
    el('p', { class: 'muted', text: 'At least 10 characters; a few unrelated words make a strong one. Your other sessions are logged out and your API tokens revoked.' }), form, status));
}

/** The card showing a new token's secret, the only time it is ever shown. */
function tokenOnce(created) {
  const value = el('code', { class: 'secret', id: 'token-value', text: created.token });
  const note = el('span', { class: 'muted', role: 'status' });
  const copy = el('button', { type: 'button', class: 'secondary', text: 'Copy' });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      note.textContent = 'Copied.';
    } catch {
      // The clipboard API needs a secure context (https or localhost): select it instead.
      const range = document.createRange();
      range.selectNodeContents(value);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      note.textContent = 'Selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    }
  });
  return el('div', { class: 'card once' },
    el('p', {}, el('strong', { text: `Token “${created.name}” created.` }), ' Copy it now: it is shown only this once, and Fettle keeps only a fingerprint of it.'),
    el('p', { class: 'secret-row' }, value, copy, note),
    el('p', { class: 'muted', text: 'Scripts send it as the header Authorization: Bearer TOKEN.' }));
}

async function tokensSection(box) {
  const status = el('p', { role: 'status' });
  const list = el('div', { id: 'token-list' });
  const once = el('div', { id: 'new-token' });
  const refresh = async () => {
    const tokens = await account('/tokens');
    list.replaceChildren(tokens.length === 0
      ? el('p', { class: 'muted', text: 'No API tokens yet.' })
      : table(['Name', 'Created', 'Last used', ''], tokens.map((t) => [t.name, when(t.created), t.last_used ? when(t.last_used) : 'never',
        confirmButton('Revoke', 'Really revoke?', async () => {
          await account(`/tokens/${t.id}`, { method: 'DELETE' });
          say(status, 'ok', `Token “${t.name}” revoked: scripts using it are refused from now on.`);
          await refresh();
        }, status)])));
  };
  const form = el('form', { class: 'grid card', id: 'token-form' },
    field('Token name', { type: 'text', name: 'name', required: true, maxlength: '100', placeholder: 'e.g. laptop sync' }),
    el('button', { type: 'submit', text: 'Create token' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = String(new FormData(form).get('name') || '').trim();
    if (!name) return;
    try {
      const created = await account('/tokens', { method: 'POST', body: JSON.stringify({ name }) });
      form.reset();
      status.textContent = '';
      once.replaceChildren(tokenOnce(created));
      await refresh();
      once.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      say(status, 'error', error.message);
    }
  });
  box.append(el('p', { class: 'muted', text: 'Scripts and other programs use an API token instead of your password. Revoke a token you no longer use.' }),
    once, list, form, status);
  await refresh();
}

/** An athlete's invitations (accept or decline) and coaches (leave). */
async function athleteSections(root) {
  const status = el('p', { role: 'status', id: 'membership-status' });
  const invitations = el('div', { id: 'invitation-list' });
  const coaches = el('div', { id: 'coach-list' });
  const refresh = async () => {
    const [waiting, accepted] = await Promise.all([account('/invitations'), account('/coaches')]);
    invitations.replaceChildren(waiting.length === 0
      ? el('p', { class: 'muted', text: 'No invitations. A coach invites you with your e-mail address; the invitation then waits here.' })
      : el('ul', { class: 'checks' }, waiting.map((inv) => el('li', { 'data-coach': inv.coach },
        el('div', { class: 'grow' }, el('strong', { text: inv.coach_email }), ' would like to coach you: they could then read your training data (never change it).',
          el('div', { class: 'muted', text: `Invited ${when(inv.invited)}` })),
        el('div', { class: 'actions' },
          actionButton('Accept', async () => {
            await account(`/invitations/${inv.coach}/accept`, { method: 'POST' });
            say(status, 'ok', `You joined ${inv.coach_email}’s squad.`);
            await refresh();
          }, status),
          confirmButton('Decline', 'Really decline?', async () => {
            await account(`/invitations/${inv.coach}`, { method: 'DELETE' });
            say(status, 'ok', `Invitation from ${inv.coach_email} declined.`);
            await refresh();
          }, status))))));
    coaches.replaceChildren(accepted.length === 0
      ? el('p', { class: 'muted', text: 'No coach reads your data.' })
      : table(['Coach', 'Since', ''], accepted.map((c) => [c.email, when(c.since),
        confirmButton('Leave', 'Really leave?', async () => {
          await account(`/coaches/${c.coach}`, { method: 'DELETE' });
          say(status, 'ok', `You left ${c.email}’s squad: they no longer see your data.`);
          await refresh();
        }, status)])));
  };
  root.append(el('h2', { text: 'Invitations' }), invitations, el('h2', { text: 'Your coaches' }), coaches, status);
  try {
    await refresh();
  } catch (error) {
    root.append(failure(error));
  }
}

/** A coach's squad: invite by e-mail, waiting invitations, members (remove). */
async function coachSections(root) {
  const status = el('p', { role: 'status', id: 'membership-status' });
  const members = el('div', { id: 'member-list' });
  const waitingBox = el('div', { id: 'waiting-list' });
  const refresh = async () => {
    const squad = await account('/squad');
    const athletes = squad.athletes || [];
    const waiting = squad.invitations || [];
    members.replaceChildren(athletes.length === 0
      ? el('p', { class: 'muted', text: 'Nobody has accepted an invitation yet.' })
      : table(['Athlete', ''], athletes.map((a) => {
        const email = a.email || a.name;
        return [el('a', { href: `/?athlete=${a.athlete_id}`, text: a.name }),
          confirmButton('Remove', 'Really remove?', async () => {
            await account(`/squad/members/${encodeURIComponent(email)}`, { method: 'DELETE' });
            say(status, 'ok', `${email} removed: you no longer see their data.`);
            await refresh();
          }, status)];
      })));
    waitingBox.replaceChildren(waiting.length === 0
      ? el('p', { class: 'muted', text: 'No invitations waiting.' })
      : table(['E-mail', 'Invited', ''], waiting.map((inv) => {
        const email = typeof inv === 'string' ? inv : inv.email;
        return [email, inv.invited ? when(inv.invited) : '—',
          confirmButton('Withdraw', 'Really withdraw?', async () => {
            await account(`/squad/members/${encodeURIComponent(email)}`, { method: 'DELETE' });
            say(status, 'ok', `Invitation to ${email} withdrawn.`);
            await refresh();
          }, status)];
      })));
  };
  const form = el('form', { class: 'grid card', id: 'invite-form' },
    field('Athlete’s e-mail address', { type: 'email', name: 'email', required: true, maxlength: '254', autocomplete: 'off' }),
    el('button', { type: 'submit', text: 'Invite' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = String(new FormData(form).get('email') || '').trim();
    if (!email) return;
    try {
      await account('/squad/invitations', { method: 'POST', body: JSON.stringify({ email }) });
      form.reset();
      say(status, 'ok', `Invited ${email}. They see the invitation on their account page once they log in (with an account made for this address).`);
      await refresh();
    } catch (error) {
      say(status, 'error', error.message);
    }
  });
  root.append(el('h2', { text: 'Invite an athlete' }),
    el('p', { class: 'muted', text: 'The athlete must accept before you see anything; they can leave at any time. You read their data, never change it.' }),
    form, status, el('h2', { text: 'Waiting invitations' }), waitingBox, el('h2', { text: 'Your squad' }), members);
  try {
    await refresh();
  } catch (error) {
    root.append(failure(error));
  }
}

async function pageAccount(root) {
  if (!multiUser()) {
    root.append(emptyState('This dashboard runs in single-user mode: there are no accounts, passwords or API tokens. A shared server for a coach or a club is started with `fettle serve --multi-user`.',
      { href: '/', text: 'Today' }));
    return;
  }
  root.append(el('section', { 'aria-label': 'Signed in' }, el('h2', { text: 'Signed in' }),
    el('dl', { class: 'facts card', id: 'whoami' },
      [['E-mail', me.email], ['Role', me.role], ['Your athlete id', String(me.athlete_id)]]
        .map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]))));
  passwordSection(root);
  await section(root, 'API tokens', tokensSection);
  if (me.role === 'coach') await coachSections(root);
  else await athleteSections(root);
}

// ---------------------------------------------------------------- Squad

/** Risk flags in a word or two (`GET /status` has the same codes). */
const flagNames = {
  steep_ramp: 'steep ramp',
  acwr_high: 'ACWR high',
  monotony_high: 'monotony high',
  weekly_distance_jump: 'distance jump',
  deep_negative_form: 'deep negative form',
};

/** Readiness bands (the day's recommendation) in words. */
const bandNames = { train_hard: 'ready to train hard', easy: 'easy day', rest: 'rest' };

/**
 * The squad table's columns: the value each sorts by (a number, a string, or null for "no
 * value", which sorts last either way) and what each cell shows.
 */
const squadColumns = [
  { key: 'name', label: 'Athlete', value: (r) => (r.name || '').toLowerCase(),
    cell: (r) => el('div', {}, el('a', { href: `/?athlete=${r.athlete_id}`, text: r.name }),
      r.error ? el('div', { class: 'error', text: r.error }) : null) },
  // The score is null when only a sick or injured report set the band to rest; there is no
  // readiness at all without wellness in the last days (a score from load alone would mislead).
  { key: 'readiness', label: 'Readiness', num: true, value: (r) => (r.readiness ? r.readiness.score : null),
    cell: (r) => (r.readiness
      ? [r.readiness.score == null ? null : el('strong', { text: fixed(r.readiness.score, 0) }),
        el('div', { class: 'muted', text: bandNames[r.readiness.band] || r.readiness.band })]
      : (!r.error && r.recent_wellness === false ? el('span', { class: 'muted', text: 'no wellness' }) : '—')) },
  { key: 'form', label: 'Form', num: true, value: (r) => r.form, cell: (r) => fixed(r.form, 1) },
  { key: 'acwr', label: 'ACWR', num: true, value: (r) => r.acwr, cell: (r) => fixed(r.acwr, 2) },
  // Short names here; each flag's sentence is among the attention reasons.
  { key: 'flags', label: 'Flags', value: (r) => (r.flags || []).length,
    cell: (r) => ((r.flags || []).length === 0 ? el('span', { class: 'muted', text: 'none' })
      : el('ul', { class: 'flags compact' }, r.flags.map((f) => el('li', { 'data-code': f.code, title: f.message, text: flagNames[f.code] || f.code })))) },
  { key: 'recovery', label: 'Recovery compliance', num: true, value: (r) => r.recovery_compliance,
    cell: (r) => (r.recovery_compliance == null ? '—' : `${fixed(r.recovery_compliance * 100, 0)} %`) },
  { key: 'last', label: 'Last activity', value: (r) => r.last_activity,
    cell: (r) => (r.last_activity
      ? [el('span', { class: 'nowrap', text: r.last_activity }), agoNote(r.date, r.last_activity)]
      : '—') },
  // Points first (what the table is ordered by), the reasons folded: they are long sentences.
  { key: 'attention', label: 'Attention', value: (r) => (r.attention ? r.attention.score : null),
    cell: (r) => {
      const reasons = (r.attention && r.attention.reasons) || [];
      return el('div', {}, needsAttention(r)
        ? el('strong', { class: 'badge', title: 'Needs attention', text: `⚠ ${r.attention.score}` })
        : el('span', { class: 'muted', text: r.attention ? String(r.attention.score) : '—' }),
      reasons.length ? el('details', { class: 'reasons' }, el('summary', { text: reasons.length === 1 ? 'why' : `${reasons.length} reasons` }),
        el('ul', { class: 'flags compact' }, reasons.map((reason) => el('li', { text: reason })))) : null);
    } },
];

/**
 * How long before `today` the day `last` was, as a muted note ("11 years ago", "3 months ago",
 * "9 days ago"); nothing for today or yesterday. Whole calendar years or months, as the squad's
 * attention reasons count them.
 */
function agoNote(today, last) {
  if (!today || !last) return null;
  const [ty, tm, td] = today.split('-').map(Number);
  const [ly, lm, ld] = last.split('-').map(Number);
  const months = (ty - ly) * 12 + (tm - lm) - (td < ld ? 1 : 0);
  const days = Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(ly, lm - 1, ld)) / 86400000);
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  let text = null;
  if (months >= 12) text = plural(Math.floor(months / 12), 'year');
  else if (months >= 2) text = plural(months, 'month');
  else if (days >= 2) text = plural(days, 'day');
  return text ? el('div', { class: 'muted', text }) : null;
}

/** Whether a row asks for the coach's attention: some rule gave it points (0 = nothing to look at). */
const needsAttention = (r) => !!(r.attention && r.attention.score > 0);

/** Compares two sort values: numbers numerically, text by locale, missing values last whichever the direction. */
function compareValues(a, b, direction) {
  const missing = (v) => v == null || (typeof v === 'number' && !Number.isFinite(v));
  if (missing(a) || missing(b)) return Number(missing(a)) - Number(missing(b));
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return direction === 'ascending' ? order : -order;
}

/** The sortable squad table; rows start in the report's order (who needs attention first). */
function squadTable(rows, complianceDays) {
  const body = el('tbody');
  const indexed = rows.map((row, i) => ({ row, i }));
  let sorted = { key: null, direction: null };
  const headers = squadColumns.map((column) => {
    const button = el('button', { type: 'button', class: 'sort', 'data-sort': column.key }, column.label, el('span', { class: 'arrow', 'aria-hidden': 'true' }));
    const th = el('th', { scope: 'col', class: column.num ? 'num' : null }, button);
    button.addEventListener('click', () => {
      const direction = sorted.key === column.key && sorted.direction === 'ascending' ? 'descending' : 'ascending';
      sorted = { key: column.key, direction };
      draw();
    });
    return th;
  });
  const draw = () => {
    const column = squadColumns.find((c) => c.key === sorted.key);
    const order = column
      ? [...indexed].sort((a, b) => compareValues(column.value(a.row), column.value(b.row), sorted.direction) || a.i - b.i)
      : indexed;
    headers.forEach((th, i) => {
      const here = squadColumns[i].key === sorted.key;
      if (here) th.setAttribute('aria-sort', sorted.direction);
      else th.removeAttribute('aria-sort');
      th.querySelector('.arrow').textContent = here ? (sorted.direction === 'ascending' ? ' ▲' : ' ▼') : '';
    });
    body.replaceChildren(...order.map(({ row }) => el('tr', { class: needsAttention(row) ? 'attention' : null, 'data-athlete': row.athlete_id },
      squadColumns.map((c) => el('td', { class: c.num ? 'num' : null, 'data-key': c.key }, c.cell(row))))));
  };
  draw();
  return [el('p', { class: 'muted', id: 'squad-help', text: `Rows marked ⚠ need attention: the points and their reasons are in the last column. Recovery compliance is the share of the recovery prescribed over the last ${complianceDays ?? '—'} days that was logged as done. Select a column heading to sort by it, again to reverse.` }),
    el('div', { class: 'table-wrap' }, el('table', { id: 'squad-table', 'aria-describedby': 'squad-help' },
      el('thead', {}, el('tr', {}, headers)), body))];
}

async function pageSquad(root) {
  if (!multiUser()) {
    root.append(emptyState('The squad page is for coaches on a shared server (`fettle serve --multi-user`).', { href: '/', text: 'Today' }));
    return;
  }
  if (me.role !== 'coach') {
    root.append(emptyState('The squad page is for coaches. Your own coaches are listed on your account page.', { href: '/account', text: 'Account' }));
    return;
  }
  let report;
  try {
    report = await account('/squad');
  } catch (error) {
    root.append(failure(error));
    return;
  }
  const waiting = (report.invitations || []).length;
  if (!report.athletes || report.athletes.length === 0) {
    root.append(emptyState(`No athletes in your squad yet. Invite athletes by e-mail on your account page; they appear here once they accept.${waiting ? ` ${waiting} invitation${waiting === 1 ? ' is' : 's are'} waiting.` : ''}`,
      { href: '/account', text: 'Invite athletes' }));
    return;
  }
  root.append(el('p', { class: 'muted', text: `${report.athletes.length} athlete${report.athletes.length === 1 ? '' : 's'}, as of ${when(report.as_of)}; whoever needs attention comes first.${waiting ? ` ${waiting} invitation${waiting === 1 ? '' : 's'} waiting.` : ''}` }),
    ...squadTable(report.athletes, report.recovery_compliance_days),
    el('p', {}, el('a', { href: '/account', text: 'Invite or remove athletes' })));
}

// ---------------------------------------------------------------- router

const pages = {
  today: pageToday,
  training: pageTraining,
  activities: pageActivities,
  activity: pageActivity,
  recovery: pageRecovery,
  plan: pagePlan,
  import: pageImport,
  profile: pageProfile,
  account: pageAccount,
  squad: pageSquad,
};

/** On a shared server the navigation gains Account, Squad (coaches) and Log out. */
function multiUserNav() {
  const list = document.querySelector('.top nav ul');
  list.append(el('li', {}, el('a', { href: '/account', 'data-nav': 'account', text: 'Account' })));
  if (me.role === 'coach') list.append(el('li', {}, el('a', { href: '/squad', 'data-nav': 'squad', text: 'Squad' })));
  // A real form: logging out works the same whether or not a script runs after it.
  list.append(el('li', {}, el('form', { method: 'post', action: '/logout', class: 'logout' },
    el('input', { type: 'hidden', name: 'csrf', value: me.csrf_token }),
    el('button', { type: 'submit', title: `Signed in as ${me.email}`, text: 'Log out' }))));
  document.getElementById('where').textContent = 'Fettle runs on a shared server: only you and the coaches you accept see your data.';
}

/**
 * Viewing a member: navigation stays on them (Import, which only the athlete can do, goes) and
 * a banner says whose data this is and that it is read-only.
 */
async function viewingBanner() {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === 'import') link.parentElement.hidden = true;
    else if (link.dataset.nav !== 'account' && link.dataset.nav !== 'squad') link.setAttribute('href', href(link.getAttribute('href')));
  }
  document.querySelector('.brand').setAttribute('href', href('/'));
  let name = `athlete ${viewing}`;
  if (String(me.athlete_id) === viewing) {
    name = 'your own data';
  } else if (me.role === 'coach') {
    // The squad report is where a coach's members have names; without it the id will do.
    const squad = await account('/squad').catch(() => null);
    const row = squad && (squad.athletes || []).find((a) => String(a.athlete_id) === viewing);
    if (row) name = row.name;
  }
  document.querySelector('main h1').before(el('div', { class: 'banner', role: 'note', id: 'viewing' },
    el('strong', { text: `Viewing ${name} (read-only)` }),
    me.role === 'coach' ? el('a', { href: '/squad', text: 'Back to the squad' }) : null));
}

async function start() {
  const page = document.body.dataset.page;
  if (page === 'login') {
    pageLogin();
    document.body.dataset.ready = 'true';
    return;
  }
  const root = el('div');
  content.replaceChildren(root);
  await prepare(root, page);
  // Lets tests (and people with slow machines) know everything has been drawn.
  document.body.dataset.ready = 'true';
}

/** Learns who is signed in, completes the navigation and draws the page. */
async function prepare(root, page) {
  try {
    me = await account('/me');
    // The catalogue's lists are the server's, not the caller's data: never athlete-scoped.
    vocabulary = await account('/vocabulary');
  } catch (error) {
    root.append(failure(error));
    return;
  }
  if (multiUser()) multiUserNav();
  if (athleteParam != null && !viewing) {
    root.append(emptyState(`“${athleteParam}” is not an athlete id: the address must say ?athlete= and a whole number.`, { href: '/', text: 'Your own data' }));
    return;
  }
  if (viewing && !multiUser()) {
    root.append(emptyState('Viewing another athlete’s data needs a shared server (`fettle serve --multi-user`); this one has a single athlete.', { href: '/', text: 'Today' }));
    return;
  }
  if (viewing) await viewingBanner();
  // Times are shown in the athlete's zone (the profile's), the browser's only without one.
  try {
    const profile = await api('/profile');
    if (profile && profile.time_zone) {
      new Intl.DateTimeFormat('en-GB', { timeZone: profile.time_zone });
      athleteZone = profile.time_zone;
    }
  } catch {
    // No profile to read (or a zone the browser does not know): the browser's zone stays.
  }
  document.body.dataset.timeZone = athleteZone;
  const current = page === 'activity' ? 'activities' : page;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === current) link.setAttribute('aria-current', 'page');
  }
  const render = pages[page];
  if (!render) {
    root.append(emptyState('Unknown page.', { href: '/', text: 'Today' }));
  } else {
    await render(root);
  }
}

start();
