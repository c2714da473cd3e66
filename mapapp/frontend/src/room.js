// The room the map's controls leave: a view fitted so no incident sits
// under the summary, the legend or another control, and popups panned clear
// of them.

/** Pixels kept between an incident and a control (a marker's radius and some). */
export const MARGIN = 20;

const CORNERS = [['top', 'left'], ['top', 'right'], ['bottom', 'left'], ['bottom', 'right']];

/**
 * How far each corner's controls reach into the map, in pixels from its
 * sides: ``{'top left': {x, y}, ...}`` (0, 0 for an empty corner).
 */
export function cornerReach(map) {
  const box = map.getContainer().getBoundingClientRect(), out = {};
  CORNERS.forEach(([v, h]) => {
    const corner = map.getContainer().querySelector('.leaflet-' + v + '.leaflet-' + h);
    let x = 0, y = 0;
    Array.from(corner ? corner.children : []).forEach((c) => {
      const r = c.getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      x = Math.max(x, h === 'left' ? r.right - box.left : box.right - r.left);
      y = Math.max(y, v === 'top' ? r.bottom - box.top : box.bottom - r.top);
    });
    out[v + ' ' + h] = { x: x, y: y };
  });
  return out;
}

/**
 * The padding that fits ``bounds`` closest (the highest zoom, then the most
 * room) with every corner's controls kept clear: each corner is cleared
 * either above/below or beside, whichever leaves more. Returns fitBounds'
 * ``{paddingTopLeft, paddingBottomRight}``.
 */
export function fitPadding(map, bounds, maxZoom) {
  const reach = cornerReach(map), size = map.getSize();
  let best = null;
  for (let choice = 0; choice < 16; choice++) {
    const pad = { top: 0, bottom: 0, left: 0, right: 0 };
    CORNERS.forEach(([v, side], k) => {
      const r = reach[v + ' ' + side];
      if (!r.x || !r.y) { return; }
      if ((choice >> k) & 1) { pad[v] = Math.max(pad[v], r.y); } else { pad[side] = Math.max(pad[side], r.x); }
    });
    const tl = L.point(pad.left + MARGIN, pad.top + MARGIN), br = L.point(pad.right + MARGIN, pad.bottom + MARGIN);
    const w = size.x - tl.x - br.x, h = size.y - tl.y - br.y;
    if (w < 40 || h < 40) { continue; }
    const zoom = Math.min(map.getBoundsZoom(bounds, false, tl.add(br)), maxZoom);
    if (!best || zoom > best.zoom || (zoom === best.zoom && w * h > best.area)) {
      best = { zoom: zoom, area: w * h, paddingTopLeft: tl, paddingBottomRight: br };
    }
  }
  return best || { paddingTopLeft: L.point(MARGIN, MARGIN), paddingBottomRight: L.point(MARGIN, MARGIN) };
}

/** A popup's autoPan padding: its top below the controls along the top edge. */
export function popupPadding(map) {
  const reach = cornerReach(map);
  const top = Math.max(reach['top left'].y, reach['top right'].y) + 10;
  return { autoPanPaddingTopLeft: L.point(20, top), autoPanPaddingBottomRight: L.point(20, 20) };
}

/** Whether a point of the map's container (pixels) is in view and under no control. */
export function clearOfControls(map, p) {
  const size = map.getSize(), box = map.getContainer().getBoundingClientRect();
  if (p.x < MARGIN || p.y < MARGIN || p.x > size.x - MARGIN || p.y > size.y - MARGIN) { return false; }
  const controls = map.getContainer().querySelectorAll('.leaflet-control-container .leaflet-control');
  return !Array.from(controls).some((c) => {
    const r = c.getBoundingClientRect();
    return r.width && p.x >= r.left - box.left - MARGIN && p.x <= r.right - box.left + MARGIN &&
      p.y >= r.top - box.top - MARGIN && p.y <= r.bottom - box.top + MARGIN;
  });
}

/** The boxes of the map's controls in its container's pixels: ``[{x0, y0, x1, y1}]``. */
export function controlRects(map) {
  const box = map.getContainer().getBoundingClientRect(), out = [];
  map.getContainer().querySelectorAll('.leaflet-control-container .leaflet-control').forEach((c) => {
    const r = c.getBoundingClientRect();
    if (r.width && r.height) { out.push({ x0: r.left - box.left, y0: r.top - box.top, x1: r.right - box.left, y1: r.bottom - box.top }); }
  });
  return out;
}

/**
 * How far to move the view (pixels, ``{x, y}``: the content moves by minus
 * this) so that ``box`` (``{x0, y0, x1, y1}``, the map container's pixels:
 * a popup) lies inside a map of ``size`` (``{x, y}``) with the padding
 * ``tl`` and ``br`` (``{x, y}``) kept; its top left wins when it cannot
 * fit. Leaflet's popup autoPan, computed ahead.
 */
export function fitShift(box, size, tl, br) {
  let dx = 0, dy = 0;
  if (box.x1 + br.x > size.x) { dx = box.x1 + br.x - size.x; }
  if (box.x0 - dx - tl.x < 0) { dx = box.x0 - tl.x; }
  if (box.y1 + br.y > size.y) { dy = box.y1 + br.y - size.y; }
  if (box.y0 - dy - tl.y < 0) { dy = box.y0 - tl.y; }
  return { x: dx, y: dy };
}
