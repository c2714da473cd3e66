// The page's draw files (mapapp.contract.DRAW_FILE and IDS_FILE): fetched at
// once, each asked for again while the server still writes it, read into
// the payload the map draws from (here, with no Worker: node's).
import test from 'node:test';
import assert from 'node:assert/strict';
import { fetchDrawPayload, idsUrlOf, isDrawFile } from '../src/fetching.js';
import { idsOf } from '../src/decode.js';

async function gzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// What mapapp.exportdata.payload_bytes writes: 'IMP1', the header's length,
// the header (JSON), then each column's bytes at a multiple of 8.
function container(header, columns) {
  const buffers = [];
  let offset = 0;
  for (const [key, bytes] of columns) { buffers.push([key, offset, bytes.length]); offset += Math.ceil(bytes.length / 8) * 8; }
  const head = new TextEncoder().encode(JSON.stringify({ ...header, buffers }));
  const base = Math.ceil((8 + head.length) / 8) * 8;
  const out = new Uint8Array(base + offset).fill(32, 8 + head.length, base);
  out.set(new TextEncoder().encode('IMP1'));
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  buffers.forEach(([, at], k) => out.set(columns[k][1], base + at));
  return out;
}

// A fetch of the given files (URL -> bytes, or a list of answers in turn: a number is a status).
function fakeFetch(files) {
  const asked = [];
  const fetch = async (url) => {
    asked.push(url);
    let answer = files[url];
    if (Array.isArray(answer)) { answer = answer.length > 1 ? answer.shift() : answer[0]; }
    if (answer === undefined || typeof answer === 'number') { return new Response('', { status: answer || 404 }); }
    return new Response(answer, { status: 200 });
  };
  return { fetch, asked };
}

async function withFetch(files, body) {
  const saved = globalThis.fetch;
  const fake = fakeFetch(files);
  globalThis.fetch = fake.fetch;
  try {
    return await body(fake.asked);
  } finally {
    globalThis.fetch = saved;
  }
}

const XY = new Int32Array([515000000, 355000000, -1, 7]);
const HEADER = { n: 2, xy_scale: 10000000, palette: ['#8c8c8c'], types: ['Battles'], dates: ['2020-01-03'], links: [] };
const IDS = ['2020-01-03-baghdad', 'é "quoted"'];

async function drawFiles(prefix) {
  return {
    [prefix + 'draw.bin.gz']: await gzip(container(HEADER, [['xy', new Uint8Array(XY.buffer)], ['color', new Uint8Array([0, 0])]])),
    [prefix + 'ids.json.gz']: await gzip(new TextEncoder().encode(JSON.stringify(IDS)))
  };
}

test('the ids are beside the draw file, under the same link', () => {
  assert.equal(idsUrlOf('/component/d/s/tok/draw.bin.gz'), '/component/d/s/tok/ids.json.gz');
  assert.equal(idsUrlOf('/s/tok/draw.bin.gz?v=2'), '/s/tok/ids.json.gz?v=2');
  assert.ok(isDrawFile('/s/tok/draw.bin.gz?v=2') && isDrawFile('draw.bin.gz'));
  assert.ok(!isDrawFile('/s/tok/draw.json.gz') && !isDrawFile('/s/tok/xdraw.bin.gz'));
});

test('the draw file and its ids are fetched at once and read into the payload', async () => {
  const payload = await withFetch(await drawFiles('/s/t/'), async (asked) => {
    const p = await fetchDrawPayload('/s/t/draw.bin.gz');
    assert.deepEqual(asked, ['/s/t/draw.bin.gz', '/s/t/ids.json.gz']);
    return p;
  });
  assert.equal(payload.n, 2);
  assert.deepEqual(payload.types, ['Battles']);
  assert.deepEqual([...new Int32Array(payload.xy.buffer, payload.xy.byteOffset, 4)], [...XY]);
  assert.deepEqual([...payload.color], [0, 0]);
  assert.deepEqual(idsOf(payload.ids, 2), IDS);  // (bytes until first needed)
});

test('a file not written yet is asked for again, alone; another failure is said', async () => {
  const ready = await drawFiles('/s/t/');
  const later = { '/s/t/draw.bin.gz': [404, 404, ready['/s/t/draw.bin.gz']], '/s/t/ids.json.gz': ready['/s/t/ids.json.gz'] };
  await withFetch(later, async (asked) => {
    const p = await fetchDrawPayload('/s/t/draw.bin.gz', [0, 0, 0]);
    assert.equal(p.n, 2);
    assert.equal(asked.filter((u) => u.endsWith('ids.json.gz')).length, 1);  // (the ids were there)
    assert.equal(asked.filter((u) => u.endsWith('draw.bin.gz')).length, 3);
  });
  await withFetch({ '/s/t/draw.bin.gz': 404, '/s/t/ids.json.gz': ready['/s/t/ids.json.gz'] }, async () => {
    await assert.rejects(fetchDrawPayload('/s/t/draw.bin.gz', [0]), (err) => err.status === 404);
  });
  await withFetch({ '/s/t/draw.bin.gz': ready['/s/t/draw.bin.gz'], '/s/t/ids.json.gz': 403 }, async () => {
    await assert.rejects(fetchDrawPayload('/s/t/draw.bin.gz', [0, 0]), (err) => err.status === 403);
  });
});

test('another name is JSON, as before (gzip\'d when it ends in .gz)', async () => {
  const text = new TextEncoder().encode(JSON.stringify({ n: 0 }));
  await withFetch({ '/d/old.json.gz': await gzip(text), '/d/plain.json': text }, async () => {
    assert.deepEqual(await fetchDrawPayload('/d/old.json.gz'), { n: 0 });
    assert.deepEqual(await fetchDrawPayload('/d/plain.json', [0]), { n: 0 });
  });
});
