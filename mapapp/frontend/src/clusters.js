// Clusters: incidents grouped in square cells of the map's pixel grid.

/** A cluster cell's side in pixels. */
export const CLUSTER_CELL = 60;

/** A cluster bubble's radius for its count. */
export function bubbleRadius(count) {
  return count < 10 ? 15 : count < 100 ? 18 : count < 1000 ? 21 : 24;
}

/** A cluster bubble's colour (r, g, b) for its count. */
export function bubbleColor(count) {
  return count < 10 ? '110, 204, 57' : count < 100 ? '240, 194, 12' : '241, 128, 23';
}

/**
 * Group incidents into cells of ``cell`` pixels at scale ``S`` (256 * 2^zoom).
 *
 * ``list[0..m)`` are incident indices; ``wx``/``wy`` their Mercator
 * positions at zoom 0; ``xy`` their lng, lat pairs; ``px``/``py`` their
 * pixel positions (by index). Returns ``ns`` incidents alone in their cell
 * (written into ``single``, by index) and the clusters of two or more:
 * ``{x, y, count, r, bounds: [[south, west], [north, east]]}``, x and y the
 * mean pixel position of their incidents.
 */
export function clusterGrid(list, m, wx, wy, xy, px, py, S, single, cell = CLUSTER_CELL) {
  const cells = new Map(), cn = new Int32Array(m), cx = new Float64Array(m), cy = new Float64Array(m);
  const cb = new Float64Array(4 * m), owner = new Int32Array(m);
  let nc = 0;
  for (let q = 0; q < m; q++) {
    const i = list[q];
    const key = Math.floor(wx[i] * S / cell) * 67108864 + Math.floor(wy[i] * S / cell);
    const la = xy[2 * i + 1], lo = xy[2 * i];
    let id = cells.get(key);
    if (id === undefined) {
      id = nc++; cells.set(key, id);
      cb[4 * id] = cb[4 * id + 2] = la; cb[4 * id + 1] = cb[4 * id + 3] = lo;
    }
    cn[id] += 1; cx[id] += px[i]; cy[id] += py[i]; owner[q] = id;
    if (la < cb[4 * id]) { cb[4 * id] = la; }
    if (lo < cb[4 * id + 1]) { cb[4 * id + 1] = lo; }
    if (la > cb[4 * id + 2]) { cb[4 * id + 2] = la; }
    if (lo > cb[4 * id + 3]) { cb[4 * id + 3] = lo; }
  }
  let ns = 0;
  for (let q = 0; q < m; q++) { if (cn[owner[q]] === 1) { single[ns++] = list[q]; } }
  const clusters = [];
  for (let c = 0; c < nc; c++) {
    if (cn[c] < 2) { continue; }
    clusters.push({ x: cx[c] / cn[c], y: cy[c] / cn[c], count: cn[c], r: bubbleRadius(cn[c]),
                    bounds: [[cb[4 * c], cb[4 * c + 1]], [cb[4 * c + 2], cb[4 * c + 3]]] });
  }
  return { ns, clusters };
}
