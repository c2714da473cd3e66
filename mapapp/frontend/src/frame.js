// Streamlit's component protocol in plain JavaScript, for the page's map
// frame (what streamlit-component-lib does, without React): the frame says
// it is ready at once, Streamlit sends each render's arguments, the frame
// sends back its value (a click) and its height. Only messages from the
// parent window (Streamlit's page) are read.

/** The protocol's version this frame speaks. */
export const API_VERSION = 1;
export const COMPONENT_READY = 'streamlit:componentReady';
export const RENDER = 'streamlit:render';
export const SET_COMPONENT_VALUE = 'streamlit:setComponentValue';
export const SET_FRAME_HEIGHT = 'streamlit:setFrameHeight';

export class FrameProtocol {
  /**
   * ``win``: the frame's window (``win.parent`` is Streamlit's page);
   * ``onRender(args)`` is called with each render's arguments (JSON).
   */
  constructor(win, onRender) {
    this.win = win;
    this.onRender = onRender;
    this.height = null;
    this.listener = (event) => { this.receive(event); };
  }

  /** Listen for renders and tell Streamlit the frame is ready (it shows the frame then). */
  start() {
    this.win.addEventListener('message', this.listener);
    this.send(COMPONENT_READY, { apiVersion: API_VERSION });
  }

  /** Post one message of ``type`` with ``fields`` to Streamlit. */
  send(type, fields) {
    this.win.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, fields), '*');
  }

  /** The frame's height in pixels (sent only when it changes). */
  setHeight(height) {
    if (height === this.height) { return; }
    this.height = height;
    this.send(SET_FRAME_HEIGHT, { height: height });
  }

  /** The component's value, as JSON: the script reruns with it. */
  setValue(value) {
    this.send(SET_COMPONENT_VALUE, { value: value, dataType: 'json' });
  }

  /** Handle one message event; true when it was a render from Streamlit. */
  receive(event) {
    if (!event || event.source !== this.win.parent) { return false; }
    const data = event.data;
    if (!data || data.type !== RENDER || !data.args || typeof data.args !== 'object') { return false; }
    this.onRender(data.args);
    return true;
  }
}
