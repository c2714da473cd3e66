// The export's packed elements (mapapp.exportdata: pack7 text of deflated
// data) unpacked and inflated on a worker thread, so the page's own thread
// goes on meanwhile (the map, the controls, the rest of the page's text):
// at a million the draw payload is 22 MB of text, about 0.5 s of work
// (docs/performance.md, "the first draw at a million"). The page's draw
// files (gzip'd, fetched from the app: fetching.js) are fetched and
// unpacked on a worker alike. Where a worker cannot be made (no Worker, a
// policy that forbids it) or fails, the same work is done here, as before.

import { unpack7 } from './decode.js';
import { HttpError } from './retry.js';

// What the worker runs: its source is this function's and unpack7's, so it
// needs no file of its own (the export is one self-contained page).
function workerMain(unpack) {
  self.onmessage = (e) => {
    const job = e.data;
    if (job.body) {  // (a gzip'd file's stream, handed over as it arrives: unpacked here)
      new Response(job.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer().then(
        (buffer) => { self.postMessage({ job: job.job, buffer: buffer }, [buffer]); },
        (err) => { self.postMessage({ job: job.job, error: String(err) }); });
      return;
    }
    try {
      const packed = unpack(job.text);
      const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
      new Response(stream).arrayBuffer().then(
        (buffer) => { self.postMessage({ job: job.job, buffer: buffer }, [buffer]); },
        (err) => { self.postMessage({ job: job.job, error: String(err) }); });
    } catch (err) {
      self.postMessage({ job: job.job, error: String(err) });
    }
  };
}

/** The bytes of pack7 text of deflated data, here (the fallback, and for tests). */
export function inflateHere(text) {
  return new Promise((ok) => { ok(unpack7(text)); }).then((packed) => {
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).arrayBuffer();
  }).then((buffer) => new Uint8Array(buffer));
}

/** Worker threads at most (the payload and its ids are read side by side). */
export const WORKERS = 2;

const workers = [];  // ({worker, busy}: its jobs not answered yet)
let noWorkers = false;  // (none can be made here: the work is done here)
const jobs = {};
let nextJob = 0;

// A job done here instead (no worker, or the worker failed): a file whose
// stream went to the worker is fetched again.
function doHere(j) {
  if (j.url) { return fetchHere(j.url); }
  return inflateHere(j.text);
}

function fetchHere(url) {
  return fetch(url, { credentials: 'same-origin' }).then((r) => {
    if (!r.ok) { throw new HttpError(r.status); }
    return new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  }).then((buffer) => new Uint8Array(buffer));
}

// A worker failed (its script refused): every job not answered is done here.
function failAll() {
  noWorkers = true;
  workers.splice(0).forEach((w) => { w.worker.terminate(); });
  Object.keys(jobs).forEach((k) => { const j = jobs[k]; delete jobs[k]; doHere(j).then(j.ok, j.fail); });
}

function newWorker() {
  if (typeof Worker !== 'function' || typeof Blob !== 'function' || typeof URL === 'undefined') { return null; }
  const source = '(' + workerMain.toString() + ')(' + unpack7.toString() + ');';
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    const entry = { worker: new Worker(url), busy: 0 };
    entry.worker.onmessage = (e) => {
      const j = jobs[e.data.job];
      entry.busy -= 1;
      if (!j) { return; }
      delete jobs[e.data.job];
      if (e.data.error) {
        j.fail(new Error(e.data.error));
      } else {
        j.ok(new Uint8Array(e.data.buffer));
      }
    };
    entry.worker.onerror = (e) => { if (e && e.preventDefault) { e.preventDefault(); } failAll(); };
    return entry;
  } finally {
    URL.revokeObjectURL(url);
  }
}

// The least busy worker (a new one while there are fewer than WORKERS and
// all are busy), or null: none can be made here.
function pickWorker() {
  if (noWorkers) { return null; }
  let best = null;
  workers.forEach((w) => { if (!best || w.busy < best.busy) { best = w; } });
  if ((!best || best.busy) && workers.length < WORKERS) {
    try {
      const w = newWorker();
      if (w) { workers.push(w); best = w; }
    } catch {
      noWorkers = workers.length === 0;
    }
  }
  if (!best) { noWorkers = true; }
  return best;
}

/**
 * Start the worker threads now (the page's map frame, before it is told
 * what to fetch): a thread made while the page is busy can take a few
 * hundred milliseconds to start, and both draw files are wanted at once.
 */
export function warmWorkers() {
  try {
    while (!noWorkers && workers.length < WORKERS) {
      const w = newWorker();
      if (!w) { noWorkers = workers.length === 0; return; }
      workers.push(w);
    }
  } catch {
    noWorkers = workers.length === 0;
  }
}

/**
 * The bytes of pack7 text of deflated data (an element of the export), made
 * on a worker thread when one can be made, else here.
 */
export function inflatePacked(text) {
  const w = pickWorker();
  if (!w) { return inflateHere(text); }
  return new Promise((ok, fail) => {
    const job = nextJob++;
    jobs[job] = { ok: ok, fail: fail, text: text };
    w.busy += 1;
    w.worker.postMessage({ job: job, text: text });
  });
}

/**
 * The bytes of the gzip'd file at ``url`` (the app's, same origin): asked
 * for here at once, its body handed as it arrives to a worker thread that
 * unpacks it (a stream is transferable), else unpacked here; an HttpError
 * (its status) when the file is not there.
 */
export function gunzipUrl(url) {
  return fetch(url, { credentials: 'same-origin' }).then((r) => {
    if (!r.ok) { throw new HttpError(r.status); }
    const w = pickWorker();
    if (!w) { return new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer().then((b) => new Uint8Array(b)); }
    return new Promise((ok, fail) => {
      const job = nextJob++;
      try {
        w.worker.postMessage({ job: job, body: r.body }, [r.body]);
      } catch {  // (a stream this browser cannot transfer: unpacked here)
        new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer()
          .then((b) => ok(new Uint8Array(b)), fail);
        return;
      }
      jobs[job] = { ok: ok, fail: fail, url: url };
      w.busy += 1;
    });
  });
}
