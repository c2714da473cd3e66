// The popup and tooltip of an incident: everything an analyst needs about it.

import { el } from './dom.js';
import { cardRows } from './card.js';
import { relationWords } from './chain.js';
import { fmtDate } from './format.js';
import { popupPadding } from './room.js';
import { safeUrl } from './safe.js';

/** The view's marker of an incident, or null when it is not in the view. */
export function markerById(ctx, id) {
  const i = ctx.ds ? ctx.ds.indexOf(id) : -1;
  return i >= 0 && ctx.inView[i] ? ctx.ds.marker(i) : null;
}

function sourceList(sources) {
  const ol = el('ol', 'im-sources');
  sources.forEach((s) => {
    if (!s || typeof s !== 'object') { return; }
    const li = el('li');
    const href = safeUrl(s.url);
    const label = s.title || s.url || 'source';
    if (href) {
      const link = el('a', 'im-source-link', label);
      link.href = href; link.target = '_blank'; link.rel = 'noopener noreferrer';
      li.appendChild(link);
    } else {
      li.appendChild(el('span', 'im-source-title', label));
    }
    const meta = [s.publisher, s.date].filter((x) => x).join(', ');
    if (meta) { li.appendChild(document.createTextNode(' \u2014 ' + meta)); }
    ol.appendChild(li);
  });
  return ol;
}

function linkedList(ctx, related, linked) {
  const ul = el('ul', 'im-related');
  function item(relId, relation, incoming) {
    const li = el('li');
    const target = markerById(ctx, relId);
    const tp = target && target.feature.properties;
    const text = (incoming ? '\u2190 ' : '\u2192 ') + relationWords(relation) + ': ' +
      (tp ? (tp.title || relId) + ' (' + (tp.date || '') + ')' : relId);
    if (target) {
      const btn = el('a', 'im-related-link', text);
      btn.href = '#';
      btn.setAttribute('data-incident-id', relId);
      btn.addEventListener('click', (ev) => { ev.preventDefault(); ctx.focus(relId); });
      li.appendChild(btn);
    } else {
      li.appendChild(document.createTextNode(text + ' (not in this view)'));
    }
    ul.appendChild(li);
  }
  const listed = new Set();
  related.forEach((r) => {
    if (r && r.id && !listed.has(String(r.id))) { listed.add(String(r.id)); item(r.id, r.relation, false); }
  });
  // (a link recorded on both incidents is listed once)
  linked.forEach((r) => { if (!listed.has(String(r.id))) { listed.add(String(r.id)); item(r.id, r.relation, true); } });
  return ul;
}

/**
 * The popup of an incident of the view ``ctx``: a DOM element with the
 * incident's id in ``data-incident-id`` (the page reads it after a click).
 */
export function popupContent(ctx, feature) {
  const p = feature.properties || {};
  const root = el('div', 'im-popup');
  if (p.id !== undefined && p.id !== null) { root.setAttribute('data-incident-id', String(p.id)); }
  root.appendChild(el('div', 'im-title', p.title || p.id));
  const table = el('table', 'im-table');
  function row(label, value) {
    if (value === undefined || value === null || value === '') { return; }
    const tr = el('tr');
    tr.appendChild(el('th', null, label));
    const td = el('td');
    if (value instanceof Node) { td.appendChild(value); } else { td.textContent = String(value); }
    tr.appendChild(td);
    table.appendChild(tr);
  }
  for (const [key, label, text] of cardRows(p)) {
    if (key === 'attribution') {
      row(label, el('span', 'im-status im-status-' + text.replace(/[^a-z]/g, ''), text));
    } else {
      row(label, text);
    }
  }
  root.appendChild(table);
  if (p.notes) { root.appendChild(el('p', 'im-notes', p.notes)); }

  const sources = Array.isArray(p.sources) ? p.sources : [];
  if (sources.length) {
    root.appendChild(el('div', 'im-subhead', 'Sources'));
    root.appendChild(sourceList(sources));
  }
  const related = Array.isArray(p.related) ? p.related : [];
  const linked = (ctx.incoming[p.id] || []).slice();
  if (related.length || linked.length) {
    root.appendChild(el('div', 'im-subhead', 'Linked incidents'));
    root.appendChild(linkedList(ctx, related, linked));
  }
  return root;
}

/** The tooltip of an incident: its title and date. */
export function tooltipContent(feature) {
  const p = feature.properties || {};
  const root = el('div', 'im-tooltip');
  root.appendChild(el('b', null, p.title || p.id));
  root.appendChild(document.createTextNode(' \u2014 ' + fmtDate(p)));
  return root;
}

/**
 * Before a click reaches a marker: its popup (made now, from the full
 * properties; ``options``: more Leaflet popup options) and its view's layer
 * as event parent (the page listens there).
 */
export function prepareClick(ctx, marker, options) {
  let content = popupContent(ctx, marker.feature);
  const ds = marker._imDs;
  // (its details and its linked incidents' titles here already: the popup as it stays)
  if (!ds.hasProps(marker._imI) || ds.hasWanted()) {
    content = el('div', 'im-popup', 'Loading the details\u2026');
    content.setAttribute('data-incident-id', String(marker.feature.properties.id));
    ds.loadProps(marker._imI).then(() => {
      if (!(marker.isPopupOpen && marker.isPopupOpen())) { return; }
      if (ds.blockSize() && !ds.hasProps(marker._imI)) {  // (never came: say so, in words)
        const note = el('div', 'im-popup', ds.propsError || 'The details could not be loaded.');
        note.setAttribute('data-incident-id', String(marker.feature.properties.id));
        marker.setPopupContent(note);
        return;
      }
      marker.setPopupContent(popupContent(ctx, marker.feature));
    });
  }
  // (panned clear of the summary and the other controls along the top)
  const pad = ctx.map ? popupPadding(ctx.map) : { autoPanPaddingTopLeft: [20, 20], autoPanPaddingBottomRight: [20, 20] };
  marker.bindPopup(content, Object.assign({ maxWidth: 380, minWidth: 260, autoPanPaddingTopLeft: pad.autoPanPaddingTopLeft,
                                            autoPanPaddingBottomRight: pad.autoPanPaddingBottomRight }, options));
  // (the incident last opened is the selected one: ringed on the map)
  if (ctx.selected !== marker._imI) { ctx.selected = marker._imI; if (ctx.canvas) { ctx.canvas.changed(); } }
  if (marker._imParent !== ctx.group) {
    if (marker._imParent) { marker.removeEventParent(marker._imParent); }
    marker.addEventParent(ctx.group);
    marker._imParent = ctx.group;
  }
}
