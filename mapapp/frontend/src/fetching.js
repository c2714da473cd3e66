// JSON from a URL of the app (same origin): a name ending in .gz is gzip'd
// JSON, served as application/gzip (never compressed again on the way) and
// unpacked here. Used by the map script and by the page's map frame, which
// asks for the draw payload before the map script has even loaded.

import { HttpError } from './retry.js';

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
