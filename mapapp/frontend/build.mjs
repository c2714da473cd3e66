// Builds src/index.js into the one shipped script, mapapp/templates/incidentmap.js
// (or the file named on the command line): `npm run build`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

const HEADER = `/*
 * incidentmap.js: draws incidents on a Leaflet map.
 *
 * Part of the incident-map project (mapapp). Used by the map builder for both
 * the standalone HTML export and the Streamlit page. All text from the data
 * reaches the page through textContent / createTextNode only, never through
 * innerHTML, and a source becomes a link only when its URL is http(s).
 *
 * GENERATED FILE: edit mapapp/frontend/src/*.js, then run \`npm run build\`
 * in mapapp/frontend (tests/test_frontend.py fails when this file is stale).
 *
 * IncidentMap.basemap(map, options)      country outlines under the tiles, tile layers, layer control
 * IncidentMap.attach(group, data, opts)  incidents, chain, uncertainty, heat, clusters, legend,
 *                                        summary and time control; all removed with the group
 * IncidentMap.openIncident(map, id)      pan to an incident and open its popup (false: not shown)
 * IncidentMap.drawn(map)                 what the canvas drew: clusters, markers, the selected one
 * IncidentMap.cells(map)                 the counts per cell drawn instead of points (mode 'cells'),
 *                                        each with its bounds, count and actors/types breakdown
 * IncidentMap.storyState(map)           the story played (LayerOptions.story): step, count,
 *                                        highlighted ids, dates, state ("moving", then "shown")
 * IncidentMap.showStep(map, n)           go to step n of the story played
 * (data, opts and options: see mapapp/contract.py, the one definition of
 * what Python sends; IncidentMap.version is its CONTRACT_VERSION.)
 *
 * Public contracts other code relies on:
 * - each incident is a Leaflet layer with feature.properties.id (its id), on the
 *   map (map.eachLayer) while the map draws it as a point: not while its view is
 *   drawn as cells (data-mode "cells"), but openIncident puts one there;
 * - the summary's .im-summary-count element has data-count (the incidents the map
 *   represents: the view's count, or with cells the sum of the cells' counts),
 *   data-mode ("points" or "cells") and data-state: "loading" until the map shows
 *   them (again after a move of a map that can show cells), then "drawn";
 * - an incident's popup and tooltip root elements carry data-incident-id;
 * - a story's step panel .im-story carries data-step (1-based), data-step-count, data-state;
 * - a popup's .im-table rows are the incident card of mapapp/card.py (CARD_ROWS).
 *
 * Keep this file Latin-1 (the build writes other characters as \\u escapes).
 * One of them would make Python hold the whole exported page, data included,
 * at two or four bytes a character, which slows every step of the export.
 */`;

const FRAME_HEADER = `/*
 * mapframe.js: the page's map frame speaking Streamlit's component protocol
 * (ready at once, each render's arguments, a click's value, the height), the
 * draw payload asked for early, the map made once and the view's group swapped.
 *
 * Part of the incident-map project (mapapp): mapapp.assets.write_static inlines
 * it at the top of the frame's index.html, before Leaflet and incidentmap.js.
 *
 * GENERATED FILE: edit mapapp/frontend/src/*.js, then run \`npm run build\`
 * in mapapp/frontend (tests/test_frontend.py fails when this file is stale).
 */`;

// `node build.mjs [OUT]`: OUT is incidentmap.js's path; mapframe.js goes beside it.
const outfile = process.argv[2] ? path.resolve(process.argv[2])
  : path.join(here, '..', 'templates', 'incidentmap.js');

const common = {
  bundle: true,
  format: 'iife',
  target: 'es2017',
  charset: 'ascii',
  minify: false,
  legalComments: 'none',
  logLevel: 'warning'
};

await build({
  ...common,
  entryPoints: [path.join(here, 'src', 'index.js')],
  outfile,
  banner: { js: HEADER }
});

await build({
  ...common,
  entryPoints: [path.join(here, 'src', 'frameindex.js')],
  outfile: path.join(path.dirname(outfile), 'mapframe.js'),
  banner: { js: FRAME_HEADER }
});
