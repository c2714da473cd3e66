// window.IncidentMap: what the map builder's page calls (see the header in
// build.mjs for the contract).

import { basemap } from './basemap.js';
import { IncidentCanvas } from './canvas.js';
import { cellsState } from './cellsdraw.js';
import { checkLeaflet } from './compat.js';
import { CONTRACT_VERSION } from './contract.js';
import { decodeMask } from './decode.js';
import { IncidentMarker } from './markers.js';
import { popupContent } from './popup.js';
import { escapeHtml, safeUrl } from './safe.js';
import { showStep, storyState } from './story.js';
import { attach, drawn, focus, openIncident, readData, readEarly, select } from './views.js';

window.IncidentMap = {
  version: CONTRACT_VERSION,
  basemap,
  attach,
  readData,
  readEarly,
  focus,
  openIncident,
  select,
  drawn,
  cells: cellsState,
  storyState,
  showStep,
  popupContent,
  decodeMask,
  safeUrl,
  escapeHtml,
  IncidentMarker,
  IncidentCanvas,
  checkLeaflet
};
