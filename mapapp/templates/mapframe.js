/*
 * mapframe.js: the page's map frame speaking Streamlit's component protocol
 * (ready at once, each render's arguments, a click's value, the height), the
 * draw payload asked for early, the map made once and the view's group swapped.
 *
 * Part of the incident-map project (mapapp): mapapp.assets.write_static inlines
 * it at the top of the frame's index.html, before Leaflet and incidentmap.js.
 *
 * GENERATED FILE: edit mapapp/frontend/src/*.js, then run `npm run build`
 * in mapapp/frontend (tests/test_frontend.py fails when this file is stale).
 */
(() => {
  // src/contract.js
  var DRAW_FILE = "draw.bin.gz";
  var IDS_FILE = "ids.json.gz";

  // src/decode.js
  function unpack7(text) {
    const ESC = 126, ESCAPED = [0, 13, 60, 126];
    const n = text.length, out = new Uint8Array(Math.floor(n * 7 / 8));
    let acc = 0, bits = 0, o = 0;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c === ESC) {
        c = ESCAPED[text.charCodeAt(++i) - 48];
        if (c === void 0) {
          throw new Error("not packed data (character " + i + ")");
        }
      } else if (c > 127) {
        throw new Error("not packed data (character " + i + ")");
      }
      acc = (acc << 7 | c) & 32767;
      bits += 7;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = acc >> bits & 255;
      }
    }
    return out.subarray(0, o);
  }
  function readPayload(bytes) {
    const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
    if (magic !== "IMP1") {
      throw new Error("not an incident payload");
    }
    const size = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
    const payload = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size)));
    const base = Math.ceil((8 + size) / 8) * 8;
    for (const [key, offset, length] of payload.buffers || []) {
      payload[key] = bytes.subarray(base + offset, base + offset + length);
    }
    delete payload.buffers;
    return payload;
  }

  // src/retry.js
  var RETRY_WAITS = [
    250,
    500,
    1e3,
    1e3,
    2e3,
    2e3,
    3e3,
    3e3,
    4e3,
    4e3,
    5e3,
    5e3,
    5e3,
    5e3,
    5e3,
    5e3
  ];
  var DRAW_WAITS = Array(400).fill(150);
  var HttpError = class extends Error {
    constructor(status) {
      super("HTTP " + status);
      this.status = status;
    }
  };
  function retryMissing(once, waits = RETRY_WAITS, sleep = defaultSleep) {
    let k = 0;
    const attempt = () => once().catch((err) => {
      if (!(err && err.status === 404) || k >= waits.length) {
        throw err;
      }
      return sleep(waits[k++]).then(attempt);
    });
    return attempt();
  }
  function defaultSleep(ms) {
    return new Promise((ok) => {
      setTimeout(ok, ms);
    });
  }

  // src/inflate.js
  function workerMain(unpack) {
    self.onmessage = (e) => {
      const job = e.data;
      if (job.body) {
        new Response(job.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then(
          (buffer) => {
            self.postMessage({ job: job.job, buffer }, [buffer]);
          },
          (err) => {
            self.postMessage({ job: job.job, error: String(err) });
          }
        );
        return;
      }
      try {
        const packed = unpack(job.text);
        const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
        new Response(stream).arrayBuffer().then(
          (buffer) => {
            self.postMessage({ job: job.job, buffer }, [buffer]);
          },
          (err) => {
            self.postMessage({ job: job.job, error: String(err) });
          }
        );
      } catch (err) {
        self.postMessage({ job: job.job, error: String(err) });
      }
    };
  }
  function inflateHere(text) {
    return new Promise((ok) => {
      ok(unpack7(text));
    }).then((packed) => {
      const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      return new Response(stream).arrayBuffer();
    }).then((buffer) => new Uint8Array(buffer));
  }
  var WORKERS = 2;
  var workers = [];
  var noWorkers = false;
  var jobs = {};
  var nextJob = 0;
  function doHere(j) {
    if (j.url) {
      return fetchHere(j.url);
    }
    return inflateHere(j.text);
  }
  function fetchHere(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new HttpError(r.status);
      }
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    }).then((buffer) => new Uint8Array(buffer));
  }
  function failAll() {
    noWorkers = true;
    workers.splice(0).forEach((w) => {
      w.worker.terminate();
    });
    Object.keys(jobs).forEach((k) => {
      const j = jobs[k];
      delete jobs[k];
      doHere(j).then(j.ok, j.fail);
    });
  }
  function newWorker() {
    if (typeof Worker !== "function" || typeof Blob !== "function" || typeof URL === "undefined") {
      return null;
    }
    const source = "(" + workerMain.toString() + ")(" + unpack7.toString() + ");";
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    try {
      const entry = { worker: new Worker(url), busy: 0 };
      entry.worker.onmessage = (e) => {
        const j = jobs[e.data.job];
        entry.busy -= 1;
        if (!j) {
          return;
        }
        delete jobs[e.data.job];
        if (e.data.error) {
          j.fail(new Error(e.data.error));
        } else {
          j.ok(new Uint8Array(e.data.buffer));
        }
      };
      entry.worker.onerror = (e) => {
        if (e && e.preventDefault) {
          e.preventDefault();
        }
        failAll();
      };
      return entry;
    } finally {
      URL.revokeObjectURL(url);
    }
  }
  function pickWorker() {
    if (noWorkers) {
      return null;
    }
    let best = null;
    workers.forEach((w) => {
      if (!best || w.busy < best.busy) {
        best = w;
      }
    });
    if ((!best || best.busy) && workers.length < WORKERS) {
      try {
        const w = newWorker();
        if (w) {
          workers.push(w);
          best = w;
        }
      } catch (e) {
        noWorkers = workers.length === 0;
      }
    }
    if (!best) {
      noWorkers = true;
    }
    return best;
  }
  function warmWorkers() {
    try {
      while (!noWorkers && workers.length < WORKERS) {
        const w = newWorker();
        if (!w) {
          noWorkers = workers.length === 0;
          return;
        }
        workers.push(w);
      }
    } catch (e) {
      noWorkers = workers.length === 0;
    }
  }
  function gunzipUrl(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new HttpError(r.status);
      }
      const w = pickWorker();
      if (!w) {
        return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then((b) => new Uint8Array(b));
      }
      return new Promise((ok, fail) => {
        const job = nextJob++;
        try {
          w.worker.postMessage({ job, body: r.body }, [r.body]);
        } catch (e) {
          new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then((b) => ok(new Uint8Array(b)), fail);
          return;
        }
        jobs[job] = { ok, fail, url };
        w.busy += 1;
      });
    });
  }

  // src/fetching.js
  function gunzipJson(response) {
    return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).json();
  }
  function fetchAppJson(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new HttpError(r.status);
      }
      return /\.gz$/.test(String(url).split("?")[0]) ? gunzipJson(r) : r.json();
    });
  }
  function idsUrlOf(url) {
    const [path, query] = String(url).split("?");
    return path.slice(0, path.length - DRAW_FILE.length) + IDS_FILE + (query === void 0 ? "" : "?" + query);
  }
  function isDrawFile(url) {
    const path = String(url).split("?")[0];
    return path === DRAW_FILE || path.endsWith("/" + DRAW_FILE);
  }
  function fetchDrawPayload(url, waits) {
    const again = (once) => waits ? retryMissing(once, waits) : once();
    if (!isDrawFile(url)) {
      return again(() => fetchAppJson(url));
    }
    return Promise.all([again(() => gunzipUrl(url)), again(() => gunzipUrl(idsUrlOf(url)))]).then(([bytes, ids]) => {
      const payload = readPayload(bytes.byteOffset ? bytes.slice() : bytes);
      payload.ids = ids;
      return payload;
    });
  }
  var EARLY = "IncidentMapEarly";
  function putEarly(win, url, promise) {
    const early = win[EARLY] || (win[EARLY] = {});
    early[url] = promise;
  }

  // src/frame.js
  var API_VERSION = 1;
  var COMPONENT_READY = "streamlit:componentReady";
  var RENDER = "streamlit:render";
  var SET_COMPONENT_VALUE = "streamlit:setComponentValue";
  var SET_FRAME_HEIGHT = "streamlit:setFrameHeight";
  var FrameProtocol = class {
    /**
     * ``win``: the frame's window (``win.parent`` is Streamlit's page);
     * ``onRender(args)`` is called with each render's arguments (JSON).
     */
    constructor(win, onRender) {
      this.win = win;
      this.onRender = onRender;
      this.height = null;
      this.listener = (event) => {
        this.receive(event);
      };
    }
    /** Listen for renders and tell Streamlit the frame is ready (it shows the frame then). */
    start() {
      this.win.addEventListener("message", this.listener);
      this.send(COMPONENT_READY, { apiVersion: API_VERSION });
    }
    /** Post one message of ``type`` with ``fields`` to Streamlit. */
    send(type, fields) {
      this.win.parent.postMessage(Object.assign({ isStreamlitMessage: true, type }, fields), "*");
    }
    /** The frame's height in pixels (sent only when it changes). */
    setHeight(height) {
      if (height === this.height) {
        return;
      }
      this.height = height;
      this.send(SET_FRAME_HEIGHT, { height });
    }
    /** The component's value, as JSON: the script reruns with it. */
    setValue(value) {
      this.send(SET_COMPONENT_VALUE, { value, dataType: "json" });
    }
    /** Handle one message event; true when it was a render from Streamlit. */
    receive(event) {
      if (!event || event.source !== this.win.parent) {
        return false;
      }
      const data = event.data;
      if (!data || data.type !== RENDER || !data.args || typeof data.args !== "object") {
        return false;
      }
      this.onRender(data.args);
      return true;
    }
  };

  // src/framemap.js
  function plan(last, args) {
    const group = typeof args.group === "string" ? args.group : "";
    const center = Array.isArray(args.center) && args.center.length === 2 ? args.center : null;
    const zoom = typeof args.zoom === "number" ? args.zoom : null;
    const centerKey = center ? JSON.stringify(center) : null;
    const movedCenter = centerKey !== null && centerKey !== last.center;
    const movedZoom = zoom !== null && zoom !== last.zoom;
    return {
      swap: group !== last.group,
      move: movedCenter || movedZoom ? { center: movedCenter ? center : null, zoom } : null,
      next: { group, center: centerKey !== null ? centerKey : last.center, zoom: zoom !== null ? zoom : last.zoom }
    };
  }
  function clickReport(e, count, frame) {
    const layer = e && e.layer;
    const feature = layer && typeof layer.toGeoJSON === "function" ? layer.toGeoJSON() : null;
    const props = feature && feature.properties;
    const raw = props ? props.id : null;
    const id = raw === null || raw === void 0 || typeof raw === "object" || typeof raw === "boolean" ? null : String(raw);
    const at = e && e.latlng;
    return { id, lat: at ? at.lat : null, lng: at ? at.lng : null, count, frame, drawn: true };
  }
  function drawnReport(count, frame) {
    return { id: null, lat: null, lng: null, count, frame, drawn: true };
  }
  var DRAWN_SELECTOR = '.im-summary-count[data-state="drawn"]';
  var DRAWN_AT_MOST = 15e3;
  function globalRun(win, text) {
    (0, win.eval)(text);
  }
  var MapFrame = class {
    /**
     * ``win``, ``doc``: the frame's window and document; ``run(text)`` runs a
     * script globally (a test's stub); ``fetchDraw(url)``: the payload's
     * promise (by default fetched, asked again while it is written).
     */
    constructor(win, doc, options) {
      const hooks = options || {};
      this.hooks = hooks;
      this.win = win;
      this.doc = doc;
      this.run = hooks.run || ((text) => globalRun(win, text));
      this.fetchDraw = hooks.fetchDraw || ((url) => fetchDrawPayload(url, DRAW_WAITS));
      this.protocol = new FrameProtocol(win, (args) => this.render(args));
      this.state = { group: null, center: null, zoom: null };
      this.map = null;
      this.group = null;
      this.pending = null;
      this.asked = {};
      this.clicks = 0;
      this.id = Math.random().toString(36).slice(2, 12);
      this.onClick = (e) => {
        this.clicks += 1;
        this.protocol.setValue(clickReport(e, this.clicks, this.id));
      };
      this.told = false;
    }
    /** Say ready at once; make the map when the page's scripts have run. */
    start() {
      if (!this.hooks.fetchDraw) {
        warmWorkers();
      }
      this.protocol.start();
      if (this.doc.readyState === "loading") {
        this.doc.addEventListener("DOMContentLoaded", () => this.flush(), { once: true });
      }
      this.watchDrawn();
    }
    /**
     * Tell the page, once, that the map has drawn its first view (the page
     * then adds its heavier panels): when the summary line says "drawn", when
     * the map could not be made, or after DRAWN_AT_MOST at the latest.
     */
    watchDrawn() {
      const Observer = this.win.MutationObserver;
      if (typeof Observer !== "function" || !this.doc.documentElement) {
        return;
      }
      const observer = new Observer(() => {
        if (this.doc.querySelector(DRAWN_SELECTOR)) {
          observer.disconnect();
          this.tellDrawn();
        }
      });
      observer.observe(
        this.doc.documentElement,
        { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] }
      );
      const timer = this.win.setTimeout(() => {
        observer.disconnect();
        this.tellDrawn();
      }, DRAWN_AT_MOST);
      this.stopWatching = () => {
        observer.disconnect();
        this.win.clearTimeout(timer);
      };
    }
    tellDrawn() {
      if (this.told) {
        return;
      }
      this.told = true;
      if (this.stopWatching) {
        this.stopWatching();
      }
      if (this.clicks === 0) {
        this.protocol.setValue(drawnReport(this.clicks, this.id));
      }
    }
    /** One render from Streamlit: the payload asked for at once, the map made or updated when it can be. */
    render(args) {
      this.prefetch(args.data_url);
      this.pending = args;
      if (this.doc.readyState !== "loading") {
        this.flush();
      }
    }
    prefetch(url) {
      if (typeof url !== "string" || !url || this.asked[url]) {
        return;
      }
      this.asked[url] = true;
      const promise = this.fetchDraw(url);
      promise.catch(() => {
      });
      putEarly(this.win, url, promise);
    }
    flush() {
      const args = this.pending;
      if (!args) {
        return;
      }
      this.pending = null;
      try {
        if (!this.map) {
          this.make(args);
        }
        this.apply(args);
      } catch (err) {
        this.fail(err);
      }
    }
    make(args) {
      const height = typeof args.height === "number" ? args.height : 600;
      const div = this.doc.getElementById(args.map_var);
      if (div) {
        div.style.height = height + "px";
      }
      this.protocol.setHeight(height);
      this.run(String(args.script || ""));
      this.map = this.win[args.map_var];
      if (!this.map) {
        throw new Error("the map script made no map " + args.map_var);
      }
    }
    apply(args) {
      const p = plan(this.state, args);
      this.state = p.next;
      if (p.swap) {
        if (this.group) {
          this.group.off("click", this.onClick);
          this.map.removeLayer(this.group);
          this.group = null;
        }
        if (p.next.group) {
          this.run(p.next.group);
          this.group = this.win[args.group_var] || null;
          if (this.group) {
            this.group.on("click", this.onClick);
          }
        }
      }
      if (p.move) {
        this.map.setView(
          p.move.center || this.map.getCenter(),
          p.move.zoom !== null ? p.move.zoom : this.map.getZoom(),
          { animate: false }
        );
      }
    }
    fail(err) {
      this.tellDrawn();
      const note = this.doc.createElement("div");
      note.className = "im-frame-error";
      note.setAttribute("role", "alert");
      note.textContent = "The map could not be made: " + String(err && err.message || err);
      this.doc.body.appendChild(note);
      if (this.win.console) {
        this.win.console.error(err);
      }
    }
  };

  // src/frameindex.js
  window.IncidentMapFrame = new MapFrame(window, document);
  window.IncidentMapFrame.start();
})();
