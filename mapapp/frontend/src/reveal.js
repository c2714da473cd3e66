// One incident brought into view with its popup open (IncidentMap.openIncident,
// a chain link, the page's selected incident: a table row or ?id=). From a
// whole view of cells or clusters at a million, every move redraws the
// canvas (hundreds of ms of drawing, more to paint), so the move is worked
// out first and made once: the details read (briefly waited for), the popup
// opened where the incident is and measured, the zoom at which its view
// shows points, the centre that leaves the popup inside the map clear of
// the controls.

import { CLUSTER_MAX_ZOOM } from './canvas.js';
import { cellsFor } from './cellsdraw.js';
import { popupContent, prepareClick } from './popup.js';
import { clearOfControls, fitShift, popupPadding } from './room.js';

/** How long the details are waited for before the map moves with "Loading the details…". */
export const DETAILS_WAIT_MS = 400;

/** The deepest zoom a move to one incident goes to in search of points. */
export const MAX_REVEAL_ZOOM = 18;

/**
 * Call ``then`` once the details of ``layer``'s incident and the titles of
 * its linked incidents (their blocks) are in, or after DETAILS_WAIT_MS,
 * whichever comes first (now when they are in already).
 */
export function afterDetails(ctx, layer, then) {
  const ds = ctx.ds, i = layer._imI;
  if (!ds.blockSize()) { then(); return; }
  popupContent(ctx, layer.feature);  // (asks for the blocks it reads: properties() keeps them)
  if (ds.hasProps(i) && !ds.hasWanted()) { then(); return; }
  let done = false;
  const once = () => { if (!done) { done = true; then(); } };
  ds.loadProps(i).then(() => { popupContent(ctx, layer.feature); return ds.loadProps(); }).then(once);
  setTimeout(once, DETAILS_WAIT_MS);
}

// The open popup's box relative to its incident's point (pixels).
function popupBox(map, layer, ll) {
  const el = layer.getPopup() && layer.getPopup().getElement();
  if (!el) { return null; }
  const r = el.getBoundingClientRect(), m = map.getContainer().getBoundingClientRect(), p = map.latLngToContainerPoint(ll);
  return { x0: r.left - m.left - p.x, y0: r.top - m.top - p.y, x1: r.right - m.left - p.x, y1: r.bottom - m.top - p.y };
}

// Where the incident's point goes in the map's container: where it is when
// it is in view and clear of the controls (at the same zoom), else the
// centre; then moved so its popup fits (as its autoPan would).
function targetPoint(map, ll, box, sameZoom) {
  const size = map.getSize(), here = map.latLngToContainerPoint(ll);
  const p = sameZoom && clearOfControls(map, here) ? here : size.divideBy(2);
  if (!box) { return p; }
  const pad = popupPadding(map);
  const s = fitShift({ x0: p.x + box.x0, y0: p.y + box.y0, x1: p.x + box.x1, y1: p.y + box.y1 }, size,
                     pad.autoPanPaddingTopLeft, pad.autoPanPaddingBottomRight);
  return L.point(p.x - s.x, p.y - s.y);
}

// The map's centre at ``zoom`` that puts ``ll`` at container point ``p``.
function centreFor(map, ll, zoom, p) {
  return map.unproject(map.project(ll, zoom).subtract(p.subtract(map.getSize().divideBy(2))), zoom);
}

// The zoom to show the incident at (at ``p`` in the container), leaving cells
// or clusters: at least CLUSTER_MAX_ZOOM, and deeper while its view there
// would still hold too many for points (the canvas's own rule, cellsFor).
function targetZoom(ctx, ll, p) {
  const map = ctx.map, canvas = ctx.canvas, zoom = map.getZoom();
  const set = canvas.setOf(ctx.ds), size = map.getSize(), max = Math.min(map.getMaxZoom(), MAX_REVEAL_ZOOM);
  let z = Math.max(CLUSTER_MAX_ZOOM, zoom);
  while (set && z < max && !ctx.highlight) {
    const tl = map.project(centreFor(map, ll, z, p), z).subtract(size.divideBy(2));
    if (!cellsFor(set, { S: 256 * Math.pow(2, z), bounds: L.bounds(tl, tl.add(size)) })) { break; }
    z += 1;
  }
  return z;
}

/**
 * Open ``layer``'s popup (``click``: as a click would, which the page hears;
 * else quietly) and bring it into view with one move of the map.
 */
export function reveal(ctx, layer, click) {
  const map = ctx.map, ll = layer.getLatLng();
  prepareClick(ctx, layer, { autoPan: false });
  if (click) { layer.fire('click', { latlng: ll }, true); } else { layer.openPopup(ll); }
  const box = popupBox(map, layer, ll), zoom = map.getZoom(), canvas = ctx.canvas;
  const leaving = canvas.clustering(zoom) || canvas.showsCells();  // (for points, at a zoom worked out here)
  const p = targetPoint(map, ll, box, !leaving), z = leaving ? targetZoom(ctx, ll, p) : zoom;
  const here = map.latLngToContainerPoint(ll);
  if (leaving) {
    map.setView(centreFor(map, ll, z, p), z, { animate: false });
  } else if (Math.abs(here.x - p.x) > 0.5 || Math.abs(here.y - p.y) > 0.5) {
    const d = here.subtract(p), size = map.getSize();
    // (a click's step along the chain glides when near; a selection jumps)
    map.panBy(d, { animate: click && Math.abs(d.x) < size.x && Math.abs(d.y) < size.y });
  }
  if (canvas.version !== canvas.drawnVersion) { canvas.drawNow(); }  // (the ring, now)
  // (later changes of the popup, the details coming in, pan as usual)
  if (layer.getPopup()) { layer.getPopup().options.autoPan = true; }
  return true;
}
