import test from 'node:test';
import assert from 'node:assert/strict';
import { COMPONENT_READY, FrameProtocol, RENDER, SET_COMPONENT_VALUE, SET_FRAME_HEIGHT } from '../src/frame.js';
import { clickReport, DRAWN_AT_MOST, DRAWN_SELECTOR, drawnReport, MapFrame, plan } from '../src/framemap.js';
import { takeEarly } from '../src/fetching.js';

// A frame's window whose parent records what is posted to it.
function fakeWindow() {
  const sent = [], listeners = {};
  const parent = { postMessage: (msg, origin) => { sent.push({ msg, origin }); } };
  return {
    parent, sent, listeners,
    addEventListener: (type, fn) => { (listeners[type] = listeners[type] || []).push(fn); },
    deliver(data, source = parent) { for (const fn of listeners.message || []) { fn({ data, source }); } }
  };
}

function fakeDocument(readyState = 'complete') {
  const loaded = [];
  const div = { style: {} };
  return {
    readyState, loaded, div,
    getElementById: (id) => (id === 'map_div' ? div : null),
    addEventListener: (type, fn) => { if (type === 'DOMContentLoaded') { loaded.push(fn); } },
    createElement: () => ({ setAttribute() {} }),
    body: { appendChild() {} }
  };
}

test('the frame says it is ready at once, in the protocol version Streamlit knows', () => {
  const win = fakeWindow();
  new FrameProtocol(win, () => {}).start();
  assert.deepEqual(win.sent, [{ msg: { isStreamlitMessage: true, type: COMPONENT_READY, apiVersion: 1 }, origin: '*' }]);
});

test('renders from the parent reach the frame; other messages do not', () => {
  const win = fakeWindow(), got = [];
  new FrameProtocol(win, (args) => got.push(args)).start();
  win.deliver({ type: RENDER, args: { a: 1 }, dfs: [], disabled: false, theme: {} });
  win.deliver({ type: RENDER, args: { a: 2 } }, { other: true });  // (not Streamlit's page)
  win.deliver({ type: 'something else', args: { a: 3 } });
  win.deliver({ type: RENDER });
  win.deliver(null);
  assert.deepEqual(got, [{ a: 1 }]);
});

test('the value is sent as JSON and the height only when it changes', () => {
  const win = fakeWindow();
  const proto = new FrameProtocol(win, () => {});
  proto.setValue({ id: 'a' });
  proto.setHeight(620);
  proto.setHeight(620);
  assert.deepEqual(win.sent.map((s) => s.msg), [
    { isStreamlitMessage: true, type: SET_COMPONENT_VALUE, value: { id: 'a' }, dataType: 'json' },
    { isStreamlitMessage: true, type: SET_FRAME_HEIGHT, height: 620 }
  ]);
});

test('a render plans a group swap when the group changes and a move when the centre does', () => {
  const first = plan({ group: null, center: null, zoom: null }, { group: 'g1', center: null, zoom: null });
  assert.equal(first.swap, true);
  assert.equal(first.move, null);
  const same = plan(first.next, { group: 'g1', center: null, zoom: null });
  assert.equal(same.swap, false);
  assert.equal(same.move, null);
  const moved = plan(same.next, { group: 'g1', center: [10, 20], zoom: 7 });
  assert.deepEqual(moved.move, { center: [10, 20], zoom: 7 });
  assert.equal(plan(moved.next, { group: 'g2', center: [10, 20], zoom: 7 }).move, null);  // (a filter change keeps the view)
  assert.deepEqual(plan(moved.next, { group: 'g1', center: [11, 20], zoom: 7 }).move, { center: [11, 20], zoom: 7 });
});

test('a click reports its incident as an id, never its properties', () => {
  const layer = { toGeoJSON: () => ({ type: 'Feature', properties: { id: 42 } }) };
  assert.deepEqual(clickReport({ layer, latlng: { lat: 1.5, lng: 2.5 } }, 3, 'f'),
    { id: '42', lat: 1.5, lng: 2.5, count: 3, frame: 'f', drawn: true });
  const odd = (id) => clickReport({ layer: { toGeoJSON: () => ({ properties: { id } }) } }, 1, 'f').id;
  assert.equal(odd(null), null);
  assert.equal(odd({ x: 1 }), null);
  assert.equal(odd(true), null);
  assert.equal(odd('<b>x</b>'), '<b>x</b>');
  assert.equal(clickReport({}, 1, 'f').id, null);
});

// A map frame whose "scripts" are stubs: the base map's makes a map, the group's a group.
function fakeFrame(readyState = 'complete') {
  const win = fakeWindow(), doc = fakeDocument(readyState), ran = [], asked = [];
  const map = {
    removed: [], views: [],
    removeLayer(l) { this.removed.push(l); }, setView(c, z, o) { this.views.push([c, z, o]); },
    getCenter: () => [0, 0], getZoom: () => 4
  };
  const run = (text) => {
    ran.push(text);
    if (text === 'BASE') { win.map_div = map; }
    if (text.startsWith('GROUP')) {
      win.feature_group_view = { name: text, handlers: {}, on(t, fn) { this.handlers[t] = fn; }, off(t) { delete this.handlers[t]; } };
    }
  };
  const frame = new MapFrame(win, doc, { run, fetchDraw: (url) => { asked.push(url); return Promise.resolve({ n: 0 }); } });
  return { win, doc, ran, asked, map, frame };
}

const ARGS = { script: 'BASE', map_var: 'map_div', group: 'GROUP 1', group_var: 'feature_group_view',
  data_url: '/d/draw.bin.gz', height: 620, center: null, zoom: null };

test('the first render asks for the draw payload and makes the map, then adds the view', async () => {
  const { win, doc, ran, asked, frame } = fakeFrame();
  frame.start();
  win.deliver({ type: RENDER, args: ARGS });
  assert.deepEqual(asked, ['/d/draw.bin.gz']);
  assert.deepEqual(ran, ['BASE', 'GROUP 1']);
  assert.equal(doc.div.style.height, '620px');
  assert.deepEqual(win.sent.map((s) => s.msg.type), [COMPONENT_READY, SET_FRAME_HEIGHT]);
  assert.deepEqual(await takeEarly(win, '/d/draw.bin.gz'), { n: 0 });  // (for the map script)
  assert.equal(takeEarly(win, '/d/draw.bin.gz'), null);  // (once)
});

test('a render before the page has loaded its scripts waits for them, the payload does not', () => {
  const { win, doc, ran, asked, frame } = fakeFrame('loading');
  frame.start();
  win.deliver({ type: RENDER, args: ARGS });
  assert.deepEqual(asked, ['/d/draw.bin.gz']);
  assert.deepEqual(ran, []);
  doc.loaded.forEach((fn) => fn());
  assert.deepEqual(ran, ['BASE', 'GROUP 1']);
});

test('a filter change swaps only the group; the same render changes nothing; a centre moves', () => {
  const { win, ran, map, frame } = fakeFrame();
  frame.start();
  win.deliver({ type: RENDER, args: ARGS });
  const first = win.feature_group_view;
  win.deliver({ type: RENDER, args: ARGS });
  win.deliver({ type: RENDER, args: { ...ARGS, group: 'GROUP 2' } });
  assert.deepEqual(ran, ['BASE', 'GROUP 1', 'GROUP 2']);  // (the map is made once)
  assert.deepEqual(map.removed, [first]);
  assert.equal(first.handlers.click, undefined);
  assert.equal(typeof win.feature_group_view.handlers.click, 'function');
  win.deliver({ type: RENDER, args: { ...ARGS, group: 'GROUP 2', center: [33, 44], zoom: 7 } });
  // (at once: an animated zoom would end by moving the map under a popup opened meanwhile)
  assert.deepEqual(map.views, [[[33, 44], 7, { animate: false }]]);
});

test('a click on the view sends its incident, counted, with the frame it came from', () => {
  const { win, frame } = fakeFrame();
  frame.start();
  win.deliver({ type: RENDER, args: ARGS });
  const layer = { toGeoJSON: () => ({ properties: { id: 'a-1' } }) };
  win.feature_group_view.handlers.click({ layer, latlng: { lat: 1, lng: 2 } });
  win.feature_group_view.handlers.click({ layer, latlng: { lat: 1, lng: 2 } });
  const values = win.sent.filter((s) => s.msg.type === SET_COMPONENT_VALUE).map((s) => s.msg.value);
  assert.deepEqual(values.map((v) => [v.id, v.count]), [['a-1', 1], ['a-1', 2]]);
  assert.equal(values[0].frame, frame.id);
});

test('the click report has the keys mapapp.contract.MapClick names', async () => {
  const { CLICK_KEYS } = await import('../src/contract.js');
  assert.deepEqual(Object.keys(clickReport({}, 1, 'f')).sort(), CLICK_KEYS);
});

// A browser's MutationObserver and timers, driven by the test.
function watching(win, doc) {
  const observers = [], timers = [];
  win.MutationObserver = class {
    constructor(fn) { this.fn = fn; this.on = false; observers.push(this); }
    observe() { this.on = true; }
    disconnect() { this.on = false; }
  };
  win.setTimeout = (fn, ms) => { timers.push({ fn, ms, on: true }); return timers.length - 1; };
  win.clearTimeout = (i) => { if (timers[i]) { timers[i].on = false; } };
  doc.documentElement = {};
  let drawn = false;
  doc.querySelector = (sel) => (sel === DRAWN_SELECTOR && drawn ? {} : null);
  return {
    mutate(nowDrawn) { drawn = nowDrawn; for (const o of observers) { if (o.on) { o.fn([]); } } },
    fire() { for (const t of timers) { if (t.on) { t.on = false; t.fn(); } } },
    timers
  };
}

function sentValues(win) {
  return win.sent.filter((s) => s.msg.type === SET_COMPONENT_VALUE).map((s) => s.msg.value);
}

test('the frame tells the page once, with no click, when its map says its view is drawn', () => {
  const win = fakeWindow(), doc = fakeDocument();
  const page = watching(win, doc);
  const frame = new MapFrame(win, doc, { run: () => {}, fetchDraw: () => Promise.resolve({}) });
  frame.start();
  page.mutate(false);  // (the summary still loading)
  assert.deepEqual(sentValues(win), []);
  page.mutate(true);
  page.mutate(true);
  page.fire();
  assert.deepEqual(sentValues(win), [drawnReport(0, frame.id)]);
  assert.deepEqual(sentValues(win)[0], { id: null, lat: null, lng: null, count: 0, frame: frame.id, drawn: true });
});

test('a map that never says drawn still lets the page go on, after DRAWN_AT_MOST', () => {
  const win = fakeWindow(), doc = fakeDocument();
  const page = watching(win, doc);
  const frame = new MapFrame(win, doc, { run: () => {}, fetchDraw: () => Promise.resolve({}) });
  frame.start();
  assert.equal(page.timers[0].ms, DRAWN_AT_MOST);
  page.fire();
  assert.deepEqual(sentValues(win).map((v) => v.drawn), [true]);
});
