// JSON from a URL of the app (same origin): a name ending in .gz is gzip'd
// JSON, served as application/gzip (never compressed again on the way) and
// unpacked here. Used by the map script and by the page's map frame, which
// asks for the draw payload before the map script has even loaded.

import { DRAW_FILE, IDS_FILE } from './contract.js';
import { readPayload } from './decode.js';
import { gunzipUrl } from './inflate.js';
import { HttpError, retryMissing } from './retry.js';

/** A response's body, gzip'd JSON, unpacked here. */
export function gunzipJson(response) {
  return new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).json();
}

/** JSON from ``url`` (same origin; '.gz': gzip'd); an HttpError when it is not there. */
export function fetchAppJson(url) {
  return fetch(url, { credentials: 'same-origin' }).then((r) => {
    if (!r.ok) { throw new HttpError(r.status); }
    return /\.gz$/.test(String(url).split('?')[0]) ? gunzipJson(r) : r.json();
  });
}

/** The URL of the ids written beside the page's draw file at ``url`` (mapapp.contract.IDS_FILE). */
export function idsUrlOf(url) {
  const [path, query] = String(url).split('?');
  return path.slice(0, path.length - DRAW_FILE.length) + IDS_FILE + (query === undefined ? '' : '?' + query);
}

/** Whether ``url`` names the page's draw file (mapapp.contract.DRAW_FILE), in the binary container. */
export function isDrawFile(url) {
  const path = String(url).split('?')[0];
  return path === DRAW_FILE || path.endsWith('/' + DRAW_FILE);
}

/**
 * The page's draw payload at ``url``: its draw file (the binary container,
 * decode.js readPayload) and the ids beside it (their JSON list's bytes,
 * split when first needed), fetched and unpacked at once, each on a worker
 * thread where one can be made (inflate.js). Each is asked for again after
 * each of ``waits`` while it is not written yet (a 404); another name is
 * gzip'd (or plain) JSON, asked for alike.
 */
export function fetchDrawPayload(url, waits) {
  const again = (once) => (waits ? retryMissing(once, waits) : once());
  if (!isDrawFile(url)) { return again(() => fetchAppJson(url)); }
  return Promise.all([again(() => gunzipUrl(url)), again(() => gunzipUrl(idsUrlOf(url)))])
    .then(([bytes, ids]) => {
      const payload = readPayload(bytes.byteOffset ? bytes.slice() : bytes);
      payload.ids = ids;
      return payload;
    });
}

// The draw payloads the page's map frame asked for early (frame.js: as soon
// as Streamlit hands it the URL, while Leaflet and the map script load), by
// URL, on the window: the frame's script and the map script are two bundles.
const EARLY = 'IncidentMapEarly';

/** Keep ``promise`` (of the JSON at ``url``) for the map script to take. */
export function putEarly(win, url, promise) {
  const early = win[EARLY] || (win[EARLY] = {});
  early[url] = promise;
}

/** The promise of ``url``'s JSON asked for early, once (then forgotten: it holds the payload), or null. */
export function takeEarly(win, url) {
  const early = win && win[EARLY];
  const promise = early ? early[url] : null;
  if (promise) { delete early[url]; }
  return promise || null;
}
