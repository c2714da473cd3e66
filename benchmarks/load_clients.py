"""The clients of benchmarks/bench_load.py: a browser user and a websocket session.

Both follow a :class:`Plan` (an actor from the page's link, and the count
each role must show) and report to a :class:`Recorder`: every timing, and
every answer that is not the one this client asked for.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from conftest import is_local_url

from mapapp.mapdata import DRAW_FILE, IDS_FILE
from mapapp.serving import MAP_FRAME_PATH

#: What an older checkout's map frame (streamlit-folium's) has in its URL.
OLD_MAP_FRAME = "streamlit_folium.st_folium/"


def is_map_frame_url(url: str) -> bool:
    """Whether a frame's URL is the page's map: ours (``MAP_FRAME_PATH``) or an older checkout's."""
    return MAP_FRAME_PATH in url or OLD_MAP_FRAME in url

ROLES = ("perpetrator", "target", "any")
#: The role radio's labels (mapapp.page.sidebar).
ROLE_LABELS = {"perpetrator": "perpetrator", "target": "target", "any": "either"}
DATA_PATH = "/component/mapapp.serving.data/"
COUNT = """() => { const e = document.querySelector('.im-summary-count');
  return e ? [e.dataset.state || null, e.dataset.count || null] : null; }"""


# ---------------------------------------------------------------- plans


@dataclass
class Plan:
    """What one client asks for: its actor, and the count each role must show."""

    name: str
    kind: str  # "browser" or "ws"
    actor: str
    counts: dict  # role -> incidents
    uploads: list = field(default_factory=list)  # [(path, {role: count})]

    @property
    def query(self) -> str:
        return urllib.parse.urlencode({"actor": self.actor})


# ---------------------------------------------------------------- recording


class Recorder:
    """Timings and errors of every client, tagged with the phase."""

    def __init__(self):
        self.events: list[dict] = []
        self.errors: list[str] = []
        self.phase = "warm-up"

    def time(self, plan: Plan, what: str, seconds: float, first: bool = False) -> None:
        self.events.append({"phase": self.phase, "kind": plan.kind, "what": what,
                            "seconds": seconds, "first_round": first, "client": plan.name})

    def error(self, plan: Plan | None, message: str) -> None:
        self.errors.append(f"[{self.phase}] {plan.name if plan else 'server'}: {message}")
        print("error:", self.errors[-1], file=sys.stderr, flush=True)


def http_status(url: str) -> tuple[int, int]:
    """Status and body size of a GET on loopback."""
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, len(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, 0
    except OSError:
        return 0, 0


# ---------------------------------------------------------------- websocket sessions


class WsSession:
    """One Streamlit session over the page's websocket, no browser."""

    def __init__(self, url: str, plan: Plan, rec: Recorder, timeout: float):
        self.url, self.plan, self.rec, self.timeout = url, plan, rec, timeout
        self.ws = None
        self.radio = None
        self.draw_url: str | None = None

    async def rerun(self, role: str | None = None) -> int | None:
        """Run the script (with the role radio set); the count its metric shows."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = self.plan.query
        msg.rerun_script.page_script_hash = ""
        if role is not None and self.radio is not None:
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = self.radio.id
            widget.string_value = ROLE_LABELS[role]
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._read_run(), self.timeout)

    async def _read_run(self) -> int | None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        shown = None
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await self.ws.recv())
            kind = fm.WhichOneof("type")
            if kind == "script_finished":
                return shown
            if kind != "delta" or fm.delta.WhichOneof("type") != "new_element":
                continue
            el = fm.delta.new_element
            what = el.WhichOneof("type")
            if what == "metric" and el.metric.label == "Incidents shown":
                shown = int(el.metric.body.split(" of ")[0].replace(",", ""))
            elif what == "radio" and el.radio.label == "Actor's role":
                self.radio = el.radio
            elif what == "component_instance":
                found = re.search(re.escape(DATA_PATH) + r"s/[\w-]+/" + re.escape(DRAW_FILE),
                                  el.component_instance.json_args)
                self.draw_url = self.url + found.group(0) if found else self.draw_url
            elif what == "exception":
                self.rec.error(self.plan, f"the page raised {el.exception.type}: "
                                          f"{el.exception.message[:200]}")

    async def open(self, first: bool) -> None:
        from websockets.asyncio.client import connect

        t0 = time.perf_counter()
        self.ws = await connect(self.url.replace("http", "ws", 1) + "/_stcore/stream",
                                subprotocols=["streamlit"], max_size=None)
        await self.rerun()  # (the first run: the map, whose frame asks for the next once drawn)
        shown = await self.rerun()  # (as the drawn map's report does: the filters, the panels)
        await self._check(shown, "any", "open")
        draw = self.draw_url or self.url + "/x"
        for url in (draw, draw[: len(draw) - len(DRAW_FILE)] + IDS_FILE):  # (as the map does)
            status, _size = await asyncio.to_thread(http_status, url)
            if status != 200:
                self.rec.error(self.plan, f"its map's {url.rsplit('/', 1)[-1]} answered HTTP "
                                          f"{status}")
        self.rec.time(self.plan, "open", time.perf_counter() - t0, first)

    async def change(self, role: str, first: bool) -> None:
        t0 = time.perf_counter()
        shown = await self.rerun(role)
        await self._check(shown, role, "change")
        self.rec.time(self.plan, "change", time.perf_counter() - t0, first)

    async def _check(self, shown, role: str, what: str) -> None:
        if shown != self.plan.counts[role]:
            self.rec.error(self.plan, f"{what} to role {role}: the page showed {shown} "
                                      f"incidents, this session asked for "
                                      f"{self.plan.counts[role]}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


# ---------------------------------------------------------------- browser users


class BrowserUser:
    """One visitor in a browser context of its own (cookies, storage, session)."""

    def __init__(self, browser, url: str, plan: Plan, rec: Recorder, timeout: float):
        self.browser, self.url, self.plan, self.rec = browser, url, plan, rec
        self.timeout = timeout
        self.counts = dict(plan.counts)
        self.role = "any"
        self.context = self.page = None
        self.draw_urls: list[str] = []

    async def _route(self, route) -> None:
        if is_local_url(route.request.url):
            await route.continue_()
        else:
            await route.abort()

    def _response(self, response) -> None:
        if DATA_PATH not in response.url:
            return
        if response.url.endswith("/" + DRAW_FILE):
            self.draw_urls.append(response.url)
        if response.status >= 400:
            self.rec.error(self.plan, f"HTTP {response.status} for {response.url}")

    async def open(self, first: bool) -> None:
        self.context = await self.browser.new_context(viewport={"width": 1280, "height": 1000})
        await self.context.route("**/*", self._route)
        self.context.set_default_timeout(self.timeout * 1000)
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda exc: self.rec.error(self.plan, f"page error: {exc}"))
        self.page.on("response", self._response)
        t0 = time.perf_counter()
        await self.page.goto(f"{self.url}/?{self.plan.query}", wait_until="commit")
        if await self._wait(self.counts["any"], "open"):
            self.rec.time(self.plan, "open", time.perf_counter() - t0, first)

    async def _wait(self, expected: int, what: str) -> bool:
        """Wait for the map to have drawn ``expected`` incidents; an error if it never does."""
        deadline = time.perf_counter() + self.timeout
        seen = None
        while time.perf_counter() < deadline:
            for frame in self.page.frames:
                if not is_map_frame_url(frame.url):
                    continue
                try:
                    seen = await frame.evaluate(COUNT)
                except Exception:  # (the frame is being replaced)
                    continue
                if seen == ["drawn", str(expected)]:
                    return await self._no_exception(what)
            await asyncio.sleep(0.1)
        self.rec.error(self.plan, f"{what}: the map showed {seen} (state, count) after "
                                  f"{self.timeout:.0f} s; this user asked for {expected}")
        return False

    async def _no_exception(self, what: str) -> bool:
        """True unless the page shows an exception (Streamlit's error box)."""
        shown = await self.page.locator('[data-testid="stException"]').all_inner_texts()
        if shown:
            self.rec.error(self.plan, f"{what}: the page shows an exception: {shown[0][:200]}")
        return not shown

    async def change(self, role: str, first: bool) -> None:
        radio = self.page.locator('[data-testid="stSidebar"]').get_by_text(
            ROLE_LABELS[role], exact=True).first
        t0 = time.perf_counter()
        await radio.click()
        self.role = role
        if await self._wait(self.counts[role], f"change to role {role}"):
            self.rec.time(self.plan, "change", time.perf_counter() - t0, first)

    async def upload(self, path: Path, counts: dict) -> None:
        """Upload a file; the link's actor and the role picked apply to it too."""
        role = self.role
        t0 = time.perf_counter()
        await self.page.locator('input[type="file"]').set_input_files(str(path))
        self.counts = counts
        if await self._wait(counts[role], f"upload of {path.name}"):
            self.rec.time(self.plan, "upload", time.perf_counter() - t0)

    async def final_status(self) -> int:
        if not self.draw_urls:
            return 0
        response = await self.context.request.get(self.draw_urls[-1])
        return response.status

    async def close(self) -> None:
        if self.context is not None:
            await self.context.close()
