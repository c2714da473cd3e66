// The page's map frame (mapapp/templates/mapframe.js, inlined at the top of
// the frame's index.html by mapapp.assets.write_static): it speaks to
// Streamlit before Leaflet and the map script have loaded.

import { MapFrame } from './framemap.js';

window.IncidentMapFrame = new MapFrame(window, document);
window.IncidentMapFrame.start();
