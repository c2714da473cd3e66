// The map's controls: the summary, the legend, the time control, and the
// view's entries in the layer control.

import * as compat from './compat.js';
import { el } from './dom.js';
import { countLine, fmtInt, timeLabel } from './format.js';
import { NONE32 } from './decode.js';
import { escapeHtml } from './safe.js';
import { SELECTED_RING, shapeGlyph, shapeSvg } from './shapes.js';

/** A Leaflet control at ``position`` whose element ``build(div)`` fills. */
export function makeControl(position, build) {
  const C = L.Control.extend({
    options: { position: position },
    onAdd: function () {
      const div = L.DomUtil.create('div', 'im-control leaflet-bar');
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      build(div);
      return div;
    }
  });
  return new C();
}

/** An error in place of the summary. */
export function errorControl(message) {
  return makeControl('topleft', (div) => {
    div.classList.add('im-summary');
    div.appendChild(el('div', 'im-error', message));
  });
}

/** The summary while the incidents are fetched (the page's first view). */
export function loadingControl(title) {
  return makeControl('topleft', (div) => {
    div.classList.add('im-summary');
    if (title) { div.appendChild(el('div', 'im-summary-title', title)); }
    const line = el('div', 'im-summary-count', 'Loading the incidents\u2026');
    line.setAttribute('data-state', 'loading');
    div.appendChild(line);
  });
}

/**
 * The summary: title, "N incidents of M \u00b7 dates" (its element
 * ``.im-summary-count`` carries ``data-count``: the view's incident count,
 * and ``data-state``: "loading", then "drawn" once the map shows them; with
 * cells, views.js updates them and ``data-mode`` after each draw),
 * and the filters.
 */
export function summaryControl(ctx) {
  return makeControl('topleft', (div) => {
    div.classList.add('im-summary');
    const opts = ctx.options, n = ctx.count;
    if (opts.title) { div.appendChild(el('div', 'im-summary-title', opts.title)); }
    const line = el('div', 'im-summary-count');
    line.setAttribute('data-count', String(n));
    line.setAttribute('data-state', 'loading');
    const txt = countLine(n, opts.total, opts.start, opts.end);
    line.textContent = txt;
    div.appendChild(line);
    ctx.summaryLine = line; ctx.summaryText = txt;
    (opts.filters || []).forEach((f) => { div.appendChild(el('div', 'im-summary-filter', f)); });
  });
}

function legendRow(swatch, text) {
  const row = el('div', 'im-legend-row');
  row.appendChild(swatch);
  row.appendChild(document.createTextNode(text));
  return row;
}

function colorSwatch(color) {
  const sw = el('span', 'im-swatch');
  sw.style.background = color;
  return sw;
}

function svgNode(name, attrs) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', name);
  Object.keys(attrs).forEach((k) => { node.setAttribute(k, attrs[k]); });
  return node;
}

// The chain's line as the canvas draws it: red, dashed, an arrowhead.
function chainSwatch() {
  const svg = svgNode('svg', { width: '28', height: '16', viewBox: '0 0 28 16', class: 'im-chain-swatch' });
  svg.appendChild(svgNode('path', { d: 'M2 8H26', stroke: '#b2182b', 'stroke-width': '2', 'stroke-dasharray': '6,4', fill: 'none' }));
  svg.appendChild(svgNode('path', { d: 'M12 3L18 8L12 13', stroke: '#b2182b', 'stroke-width': '2', fill: 'none' }));
  return svg;
}

// The selected incident's ring (canvas.js SELECTED_RING).
function ringSwatch() {
  const svg = svgNode('svg', { width: '28', height: '16', viewBox: '0 0 28 16' });
  svg.appendChild(svgNode('circle', { cx: '14', cy: '8', r: '6', stroke: '#222', 'stroke-width': '4', fill: 'none' }));
  svg.appendChild(svgNode('circle', { cx: '14', cy: '8', r: '6', stroke: SELECTED_RING, 'stroke-width': '2.5', fill: 'none' }));
  svg.appendChild(svgNode('circle', { cx: '14', cy: '8', r: '3.5', stroke: '#222', 'stroke-width': '1', fill: '#bbb' }));
  return svg;
}

const CIRCLES_NOTE = 'Faint circle: the point may be off by this radius.';

/**
 * The legend's line on uncertainty circles after a draw: ``hidden``, how
 * many the canvas left out (too many in view to tell apart), or 0.
 */
export function circlesNote(ctx, hidden) {
  const note = ctx.circlesNote;
  if (!note) { return; }
  note.setAttribute('data-circles-hidden', String(hidden || 0));
  note.textContent = hidden ? CIRCLES_NOTE + ' Not drawn now: ' + fmtInt(hidden) + ' in view are too many to tell apart; zoom in.' : CIRCLES_NOTE;
}

/** The legend: actor colours, event type shapes, attribution outlines. */
export function legendControl(ctx) {
  return makeControl('bottomright', (div) => {
    div.classList.add('im-legend');
    const opts = ctx.options;
    const details = el('details');
    details.open = opts.legend_open !== false;
    details.appendChild(el('summary', 'im-legend-head', 'Legend'));
    const actors = opts.legend_actors || [];
    if (actors.length) {
      details.appendChild(el('div', 'im-subhead', 'Colour: actor'));
      actors.forEach((a) => { details.appendChild(legendRow(colorSwatch(a.color), a.name + ' (' + a.count + ')')); });
      if (opts.other_actors) {
        details.appendChild(legendRow(colorSwatch(opts.other_color || '#8c8c8c'), opts.other_actors + ' other actors'));
      }
    }
    const types = Object.keys(ctx.typeGroups).sort();
    if (types.length) {
      details.appendChild(el('div', 'im-subhead', 'Shape: event type'));
      types.forEach((t) => { details.appendChild(legendRow(shapeSvg((opts.shapes || {})[t] || 'circle', '#bbb', false), ' ' + t)); });
    }
    details.appendChild(el('div', 'im-subhead', 'Outline: attribution'));
    details.appendChild(legendRow(shapeSvg('circle', '#fff', false), ' solid: confirmed'));
    details.appendChild(legendRow(shapeSvg('circle', '#fff', true), ' dashed: claimed, alleged, disputed or unknown'));
    details.appendChild(el('div', 'im-subhead', 'Lines and rings'));
    details.appendChild(legendRow(chainSwatch(), ' escalation chain: to the incident that answers (earlier to later)'));
    details.appendChild(legendRow(ringSwatch(), ' the selected incident'));
    details.appendChild(ctx.circlesNote = el('div', 'im-legend-note', CIRCLES_NOTE));
    div.appendChild(details);
  });
}

/** The distinct days of a view's incidents, sorted (the time control's steps). */
export function timeSteps(ds, indices, count) {
  const seen = new Uint8Array(ds.dates.length), steps = [];
  for (let k = 0; k < count; k++) {
    const d = ds.date[indices ? indices[k] : k];
    if (d !== NONE32) { seen[d] = 1; }
  }
  for (let j = 0; j < seen.length; j++) { if (seen[j]) { steps.push(ds.dates[j]); } }
  return steps;
}

/**
 * The time control: a slider over the view's days and a play button;
 * ``onChange()`` runs after ``ctx.timeUpTo`` changed (null: every day).
 */
export function timeControl(ctx, onChange) {
  const steps = timeSteps(ctx.ds, ctx.indices, ctx.count);
  return makeControl('bottomleft', (div) => {
    div.classList.add('im-time');
    const play = el('button', 'im-play', '\u25b6');
    play.type = 'button'; play.title = 'Play the incidents through time';
    const slider = el('input', 'im-slider');
    slider.type = 'range'; slider.min = '0'; slider.max = String(Math.max(steps.length - 1, 0));
    slider.value = slider.max; slider.step = '1';
    slider.setAttribute('aria-label', 'Show incidents up to this date');
    const label = el('span', 'im-time-label', steps.length ? 'all to ' + steps[steps.length - 1] : '');
    // (a story's step marks its days on the track: see story.js)
    const track = el('span', 'im-time-track'), mark = el('span', 'im-time-mark');
    track.appendChild(slider); track.appendChild(mark);
    div.appendChild(play); div.appendChild(track); div.appendChild(label);
    function show(i) {
      ctx.timeUpTo = i >= steps.length - 1 ? null : steps[i];
      label.textContent = timeLabel(steps, i);
      onChange();
    }
    function stop() { clearInterval(ctx.timer); ctx.timer = null; play.textContent = '\u25b6'; }
    ctx.timeDays = steps;
    ctx.showAllTimes = () => { if (ctx.timer) { stop(); } slider.value = slider.max; show(steps.length - 1); };
    ctx.markTime = (span, days) => {
      mark.style.display = span ? 'block' : 'none';
      if (!span) { div.removeAttribute('data-story-start'); div.removeAttribute('data-story-end'); return; }
      // (the thumb's centre runs from half a thumb in to half a thumb from the end)
      mark.style.left = 'calc(7px + (100% - 14px) * ' + span[0] + ' - 3px)';
      mark.style.width = 'calc((100% - 14px) * ' + (span[1] - span[0]) + ' + 6px)';
      div.setAttribute('data-story-start', days[0]); div.setAttribute('data-story-end', days[1]);
      mark.title = days[0] === days[1] ? 'This step: ' + days[0] : 'This step: ' + days[0] + ' to ' + days[1];
    };
    slider.addEventListener('input', () => { show(parseInt(slider.value, 10)); });
    play.addEventListener('click', () => {
      if (ctx.timer) { stop(); return; }
      let i = parseInt(slider.value, 10);
      if (i >= steps.length - 1) { i = -1; }
      play.textContent = '\u275a\u275a';
      const delay = Math.max(60, Math.min(700, 12000 / Math.max(steps.length, 1)));
      ctx.timer = setInterval(() => {
        i += 1; slider.value = String(i); show(i);
        if (i >= steps.length - 1) { stop(); }
      }, delay);
    });
  });
}

/**
 * The view's entries in the layer control, added in one go (the control
 * rebuilds its whole list on each change): its event types (with their
 * shapes and counts, names escaped: the control renders them as HTML) and
 * the switches.
 */
export function addOverlays(ctx, control, switches) {
  const opts = ctx.options, types = Object.keys(ctx.typeGroups).sort();
  const items = types.map((t) => [ctx.typeGroups[t], shapeGlyph((opts.shapes || {})[t]) + ' ' +
                                  escapeHtml(t) + ' (' + ctx.typeCounts[t] + ')']);
  items.push([switches.chain, 'Escalation chain (' + ctx.chainLinks + ' links)']);
  items.push([switches.uncertainty, 'Location uncertainty']);
  items.push([switches.clusters, 'Cluster markers']);
  items.push([switches.heat, 'Density (heat map)']);
  items.forEach((item) => ctx.overlays.push(item[0]));
  compat.addOverlays(control, items);
}

/** Take the view's entries out of the layer control, in one go. */
export function removeOverlays(ctx, control) {
  if (control && ctx.overlays.length) { compat.removeOverlays(control, ctx.overlays); }
}
