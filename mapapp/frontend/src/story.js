// A story played on a view (LayerOptions.story, see mapapp.contract.StoryOptions):
// the step's incidents highlighted and the others dimmed (still there, their
// popups too), the map flown to the step clear of the controls, the step's
// dates marked on the time control, and, where asked, the step panel
// (title, "3 / 12", the story's introduction on step 1, the text, previous
// and next), the arrow keys and the address's #step=N.

import { makeControl } from './controls.js';
import { el } from './dom.js';
import { fitPadding } from './room.js';

/** The highest zoom a step's fit goes to (one incident alone is not shown at street level). */
export const STEP_MAX_ZOOM = 9;
/** Maps narrower than this (pixels) put the step panel under the summary, across the map. */
export const NARROW = 700;
/** The share of a narrow map's height the step panel may take. */
export const NARROW_PANEL_SHARE = 0.45;
/** Seconds a flight from step to step takes (none when the reader asks for reduced motion). */
export const FLIGHT = 0.8;

/** ``n`` as a step of a story of ``count`` steps: an integer from 1 to count (null: no steps). */
export function clampStep(n, count) {
  if (!(count > 0)) { return null; }
  const k = Math.round(Number(n));
  if (!Number.isFinite(k)) { return 1; }
  return Math.min(Math.max(k, 1), count);
}

/**
 * The step an address's hash asks for (``#step=3``, also among other
 * ``&``-separated keys), clamped to the story; null when it names none
 * (no ``step=``, or not a whole number).
 */
export function parseHash(hash, count) {
  const parts = String(hash || '').replace(/^#/, '').split('&');
  for (let k = 0; k < parts.length; k++) {
    const eq = parts[k].indexOf('=');
    if (eq < 0 || parts[k].slice(0, eq).trim() !== 'step') { continue; }
    const value = parts[k].slice(eq + 1).trim();
    if (!/^[+-]?\d{1,9}$/.test(value)) { return null; }
    return clampStep(parseInt(value, 10), count);
  }
  return null;
}

/** The hash that names step ``n``. */
export function stepHash(n) {
  return '#step=' + n;
}

/**
 * The step an arrow key leads to from ``current`` (1-based): Left the one
 * before, Right the one after, null for any other key or past either end.
 */
export function keyStep(key, current, count) {
  const next = key === 'ArrowLeft' ? current - 1 : key === 'ArrowRight' ? current + 1 : null;
  return next === null || next < 1 || next > count ? null : next;
}

/**
 * Which incidents a step highlights: ``{mask, indices, ids}`` where mask
 * is 1 for each of ``stepIds`` that ``indexOf`` finds (and, when
 * ``inView`` is given, that the view shows). Ids are given in the step's
 * order, each once.
 */
export function highlightOf(stepIds, n, indexOf, inView) {
  const mask = new Uint8Array(n), indices = [], ids = [];
  (stepIds || []).forEach((id) => {
    const i = indexOf(String(id));
    if (i < 0 || mask[i] || (inView && !inView[i])) { return; }
    mask[i] = 1; indices.push(i); ids.push(String(id));
  });
  return { mask: mask, indices: indices, ids: ids };
}

/**
 * The days a step covers: its own ``dates``, else the first and last day
 * of its incidents (``dayOf(i)``: an incident's day, or null); null when
 * neither is known.
 */
export function stepDates(step, indices, dayOf) {
  if (step.dates && step.dates.length === 2) { return [step.dates[0], step.dates[1]]; }
  let lo = null, hi = null;
  indices.forEach((i) => {
    const d = dayOf(i);
    if (d === null || d === undefined) { return; }
    if (lo === null || d < lo) { lo = d; }
    if (hi === null || d > hi) { hi = d; }
  });
  return lo === null ? null : [lo, hi];
}

/**
 * Where days ``lo`` to ``hi`` fall on a time control over ``days`` (sorted):
 * ``[from, to]`` as fractions of the slider's track (0: its first day, 1:
 * its last), or null when no day of the control is within them.
 */
export function markSpan(days, lo, hi) {
  let first = -1, last = -1;
  for (let j = 0; j < days.length; j++) {
    if (days[j] >= lo && days[j] <= hi) { if (first < 0) { first = j; } last = j; }
  }
  if (first < 0) { return null; }
  const span = Math.max(days.length - 1, 1);
  return days.length === 1 ? [0, 1] : [first / span, last / span];
}

/** The panel's count of step ``n`` of ``count``: "3 / 12". */
export function stepLabel(n, count) {
  return n + ' / ' + count;
}

// ------------------------------------------------------------ in the page

// The map's centre and zoom that show a step: its ``view`` when that keeps
// every one of its incidents clear of the controls, else its incidents
// fitted into the room the controls leave.
function stepTarget(map, bounds, view) {
  const room = fitPadding(map, bounds, STEP_MAX_ZOOM);
  const tl = room.paddingTopLeft, br = room.paddingBottomRight, size = map.getSize();
  const shift = L.point((tl.x - br.x) / 2, (tl.y - br.y) / 2);  // the room's centre from the map's
  const centred = (ll, zoom) => map.unproject(map.project(ll, zoom).subtract(shift), zoom);
  const fits = (center, zoom) => {
    const c = map.project(center, zoom), half = size.divideBy(2);
    return [bounds.getSouthWest(), bounds.getNorthEast()].every((ll) => {
      const p = map.project(ll, zoom).subtract(c).add(half);
      return p.x >= tl.x && p.y >= tl.y && p.x <= size.x - br.x && p.y <= size.y - br.y;
    });
  };
  if (view) {
    const center = centred(L.latLng(view[0], view[1]), view[2]);
    if (fits(center, view[2])) { return { center: center, zoom: view[2] }; }
  }
  const fitted = Math.max(Math.min(map.getBoundsZoom(bounds, false, tl.add(br)), STEP_MAX_ZOOM), map.getMinZoom());
  return { center: centred(bounds.getCenter(), fitted), zoom: fitted };
}

function reducedMotion() {
  return !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
}

// Fly (or jump) to the step; ``done()`` once the map is there.
function moveTo(map, target, animate, done) {
  map.stop();  // (a pan or flight under way ends here, not in the moveend awaited below)
  const here = map.latLngToContainerPoint(target.center), mid = map.getSize().divideBy(2);
  if (map.getZoom() === target.zoom && here.distanceTo(mid) < 1) { done(); return; }
  map.once('moveend', done);
  if (animate && !reducedMotion()) {
    map.flyTo(target.center, target.zoom, { duration: FLIGHT });
  } else {
    map.setView(target.center, target.zoom, { animate: false });
  }
}

function button(cls, text, title, onClick) {
  const b = el('button', cls, text);
  b.type = 'button'; b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

// The step panel: everything from the story goes in as text.
function panelControl(player) {
  return makeControl('topright', (div) => {
    div.classList.add('im-story');
    div.setAttribute('data-step-count', String(player.count));
    const head = el('div', 'im-story-head');
    if (player.story.title) { head.appendChild(el('div', 'im-story-title', player.story.title)); }
    player.counter = el('div', 'im-story-count');
    head.appendChild(player.counter);
    div.appendChild(head);
    // the story's introduction, under its title on the first step
    player.intro = el('div', 'im-story-intro');
    (player.story.intro || []).forEach((p) => { player.intro.appendChild(el('p', null, p)); });
    div.appendChild(player.intro);
    player.heading = el('h2', 'im-story-heading');
    player.heading.setAttribute('aria-live', 'polite');
    div.appendChild(player.heading);
    player.text = el('div', 'im-story-text');
    div.appendChild(player.text);
    const nav = el('div', 'im-story-nav');
    player.prev = button('im-story-prev', '\u2190 Previous', 'The step before (Left arrow key)', () => go(player, player.step - 1, true));
    player.next = button('im-story-next', 'Next \u2192', 'The step after (Right arrow key)', () => go(player, player.step + 1, true));
    nav.appendChild(player.prev); nav.appendChild(player.next);
    div.appendChild(nav);
    player.panel = div;
  });
}

/**
 * Where a narrow map's step panel goes: ``{top, width, maxHeight}`` in
 * pixels (its top below the summary box, as wide as the map, at most
 * NARROW_PANEL_SHARE of its height), or null when the map is wide enough
 * for the panel beside the summary. ``summaryBottom``: the summary's bottom
 * edge from the map's top (0: none).
 */
export function narrowPanel(mapWidth, mapHeight, summaryBottom) {
  if (!(mapWidth < NARROW)) { return null; }
  return { top: Math.ceil(summaryBottom) + 10, width: Math.max(mapWidth - 20, 100),
    maxHeight: Math.max(Math.round(mapHeight * NARROW_PANEL_SHARE), 120) };
}

// On a narrow map the panel leaves the summary box (top left) uncovered: it goes
// under it, across the map, and the step's incidents are fitted into the room below.
function placePanel(player) {
  const div = player.panel, map = player.map;
  if (!div) { return; }
  const size = map.getSize(), container = map.getContainer();
  const summary = container.querySelector('.im-summary');
  const box = container.getBoundingClientRect();
  const bottom = summary && summary.offsetParent ? summary.getBoundingClientRect().bottom - box.top : 0;
  const place = narrowPanel(size.x, size.y, bottom);
  div.classList.toggle('im-story-narrow', !!place);
  div.style.marginTop = ''; div.style.width = ''; div.style.maxHeight = '';
  if (!place) { return; }
  const natural = div.getBoundingClientRect().top - box.top;  // (under the layer control)
  div.style.marginTop = Math.max(place.top - natural + 10, 10) + 'px';
  div.style.width = place.width + 'px';
  div.style.maxHeight = place.maxHeight + 'px';
}

function fillPanel(player, step) {
  if (!player.panel) { return; }
  const n = player.step;
  player.panel.setAttribute('data-step', String(n));
  player.counter.textContent = stepLabel(n, player.count);
  player.intro.hidden = n !== 1 || !(player.story.intro || []).length;
  player.intro.scrollTop = 0;
  player.heading.textContent = step.heading || '';
  player.text.textContent = '';
  (step.paragraphs || []).forEach((p) => { player.text.appendChild(el('p', null, p)); });
  player.text.scrollTop = 0;
  player.prev.disabled = n <= 1;
  player.next.disabled = n >= player.count;
  placePanel(player);
}

function setState(player, state) {
  player.state = state;
  if (player.panel) { player.panel.setAttribute('data-state', state); }
}

/** Show step ``n`` (clamped); ``animate``: fly there rather than jump. */
export function go(player, n, animate) {
  const ctx = player.ctx, map = player.map, ds = ctx.ds;
  n = clampStep(n, player.count);
  if (n === null || ctx.removed) { return; }
  player.step = n;
  const step = player.story.steps[n - 1] || {};
  const hi = highlightOf(step.ids, ds.n, (id) => ds.indexOf(id), ctx.inView);
  ctx.highlight = hi.mask; player.ids = hi.ids;
  if (ctx.timeUpTo && ctx.showAllTimes) { ctx.showAllTimes(); }
  if (ctx.unhide) { hi.indices.forEach((i) => ctx.unhide(i)); }
  player.dates = stepDates(step, hi.indices, (i) => (ds.date[i] < ds.dates.length ? ds.dates[ds.date[i]] : null));
  if (ctx.markTime) { ctx.markTime(player.dates ? markSpan(ctx.timeDays || [], player.dates[0], player.dates[1]) : null, player.dates); }
  fillPanel(player, step);
  if (player.story.hash) { writeHash(n); }
  ctx.canvas.changed();
  setState(player, 'moving');
  const key = (player.story.title || '') + '\u0000' + n;
  const arrived = () => {
    if (player.step !== n || ctx.removed) { return; }
    ctx.canvas.drawNow();  // (drawn where the map now is, before it says so)
    setState(player, 'shown');
    map.fire('story:step', { step: n });
  };
  if (!hi.indices.length || map._imStoryKey === key) { arrived(); return; }
  map._imStoryKey = key;
  const bounds = L.latLngBounds(hi.indices.map((i) => [ds.lat(i), ds.lng(i)]));
  moveTo(map, stepTarget(map, bounds, step.view), animate, arrived);
}

function writeHash(n) {
  if (window.location.hash === stepHash(n)) { return; }
  try {
    window.history.replaceState(null, '', stepHash(n));
  } catch {
    window.location.hash = stepHash(n);
  }
}

// A key typed into a field (the time slider, a text box) is the field's.
function inField(target) {
  const tag = target && target.tagName ? target.tagName.toLowerCase() : '';
  return tag === 'input' || tag === 'textarea' || tag === 'select' || !!(target && target.isContentEditable);
}

function listen(player) {
  const story = player.story, stops = [];
  if (player.panel) {
    const onResize = () => placePanel(player);
    player.map.on('resize', onResize);
    stops.push(() => player.map.off('resize', onResize));
  }
  if (story.keys) {
    const onKey = (e) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || inField(e.target)) { return; }
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') { return; }
      const next = keyStep(e.key, player.step, player.count);
      e.preventDefault(); e.stopPropagation();  // (not Leaflet's panning too)
      if (next !== null) { go(player, next, true); }
    };
    document.addEventListener('keydown', onKey, true);
    stops.push(() => document.removeEventListener('keydown', onKey, true));
  }
  if (story.hash) {
    const onHash = () => {
      const n = parseHash(window.location.hash, player.count);
      if (n !== null && n !== player.step) { go(player, n, true); }
    };
    window.addEventListener('hashchange', onHash);
    stops.push(() => window.removeEventListener('hashchange', onHash));
  }
  return () => stops.forEach((stop) => stop());
}

/**
 * Play ``story`` (StoryOptions) on a built view: the step panel (when
 * ``panel``), keys and hash (when asked), then the first step: the
 * address's ``#step=N`` when ``hash``, else ``story.step``. Returns the
 * player (``ctx.story``), or null for a story without steps.
 */
export function playStory(ctx, map, story) {
  const count = (story.steps || []).length;
  if (!count) { return null; }
  const player = ctx.story = { ctx: ctx, map: map, story: story, count: count, step: 0, ids: [], dates: null };
  if (story.panel) { ctx.controls.push(panelControl(player).addTo(map)); }
  ctx.stopStory = listen(player);
  const fromHash = story.hash ? parseHash(window.location.hash, count) : null;
  go(player, fromHash !== null ? fromHash : story.step, false);
  return player;
}

/**
 * For tests and scripts: the story played on ``map``: ``{step, count,
 * highlighted (the step's ids the map shows), dates ([first, last] day or
 * null), state ("moving", then "shown" once the map is at the step)}``, or
 * null when it plays none.
 */
export function storyState(map) {
  let out = null;
  map.eachLayer((l) => {
    const p = l._imContext && !l._imContext.removed ? l._imContext.story : null;
    if (p) { out = { step: p.step, count: p.count, highlighted: p.ids.slice(), dates: p.dates, state: p.state }; }
  });
  return out;
}

/** Step the story played on ``map`` to ``n`` (false: it plays none). */
export function showStep(map, n) {
  let done = false;
  map.eachLayer((l) => {
    const p = l._imContext && !l._imContext.removed ? l._imContext.story : null;
    if (p && !done) { go(p, n, true); done = true; }
  });
  return done;
}
