"""The ``mapapp`` command line: validate, info, export, serve, import, geocode, gazetteer, story.

``validate``, ``info`` and ``export`` open files through :func:`geodata.load`,
so they read every format the page reads (GeoJSON, GeoParquet, ACLED, UCDP
and plain CSV).

Every error a user can cause (a bad file, a bad filter, a filter that
matches nothing) ends in one clear message on stderr and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import geodata
from geodata.errors import GeodataError, ValidationError
from geodata.importers import FORMATS
from geodata.io import same_file
from geodata.schema import ATTRIBUTION_STATUSES, ROLES

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

#: ``validate`` lists every problem up to this many, then summarises them.
LIST_PROBLEMS_MAX = 20


class CliError(Exception):
    """A user-facing error with its exit code."""

    def __init__(self, message: str, code: int = EXIT_INVALID):
        super().__init__(message)
        self.code = code


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _progress() -> bool:
    """Show a long load's progress on stderr: only when it is a terminal (never in a pipe)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _read(path: str, lenient: bool):
    loaded = geodata.load(path, lenient=lenient, progress=_progress())
    report = loaded.report
    if not report.ok:
        for line in _problem_lines(loaded, every=False):
            _err(line)
        _err(report.summary())
    return loaded.gdf


_VALUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|(?<!ISO )(?<![\w.])-?\d+(?:\.\d+)?")


def _kind(problem: geodata.Problem) -> tuple[str, str]:
    """(field, message with its values blanked): problems that differ only in values."""
    return problem.field or "-", _VALUE.sub("…", problem.message)


def _problem_lines(loaded: geodata.Loaded, *, every: bool) -> list[str]:
    """One line per problem, or (over LIST_PROBLEMS_MAX, unless ``every``) a summary.

    The summary counts the problems per field and kind of message, gives an
    example of each, and for a CSV file the ``mapapp import`` command that
    converts the good rows and writes the bad ones to a file.
    """
    report, name = loaded.report, loaded.name
    if every or len(report.problems) <= LIST_PROBLEMS_MAX:
        return [f"{name}: {p}" for p in report.problems]
    kinds: Counter = Counter()
    example: dict[tuple[str, str], geodata.Problem] = {}
    for p in report.problems:
        key = _kind(p)
        kinds[key] += 1
        example.setdefault(key, p)
    n = len(report.problems)
    lines = [f"{name}: {n} problems of {len(kinds)} kinds (most frequent first):"]
    for key, count in kinds.most_common(LIST_PROBLEMS_MAX):
        lines.append(f"  {count:>7}  field {key[0]}: {key[1]}")
        lines.append(f"           e.g. {example[key]}")
    if len(kinds) > LIST_PROBLEMS_MAX:
        lines.append(f"  ... and {len(kinds) - LIST_PROBLEMS_MAX} more kinds")
    lines.append(f"list every problem with: mapapp validate --all {_quote(name)}")
    if loaded.format in FORMATS:
        stem = Path(name).with_suffix("")
        lines.append(
            f"convert the good rows and keep the bad ones with: mapapp import {_quote(name)} "
            f"-o {_quote(f'{stem}.geojson')} --rejects {_quote(f'{stem}-rejects.csv')}"
        )
    return lines


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(str(text))


# ---------------------------------------------------------------- commands


def cmd_validate(args) -> int:
    loaded = geodata.load(args.file, lenient=True, progress=_progress())
    report = loaded.report
    for line in _problem_lines(loaded, every=args.all):
        _out(line)
    _out(report.summary())
    if report.ok:
        return EXIT_OK
    if args.lenient and report.n_valid > 0:
        return EXIT_OK
    return EXIT_INVALID


def _fmt_date(ts) -> str:
    return "-" if ts is None else f"{ts:%Y-%m-%d}"


def cmd_info(args) -> int:
    filters_from_args(args)  # a bad date is answered before the file is read
    gdf = _read(args.file, args.lenient)
    filters = filters_from_args(args, gdf)
    if not filters.is_empty():
        gdf = filters.apply(gdf)
        _out(f"view:        {'; '.join(filters.describe())}")
    ov = geodata.overview(gdf)
    _out(f"file:        {args.file}")
    _out(f"incidents:   {ov['incidents']}")
    fat = geodata.format_count(ov["fatalities"], ov["fatalities_low"], ov["fatalities_high"])
    _out(f"fatalities:  {fat}")
    _out(f"date span:   {_fmt_date(ov['start'])} to {_fmt_date(ov['end'])}")
    for title, column in (
        ("actors", "actor"),
        ("targets", "target"),
        ("event types", "event_type"),
        ("countries", "country"),
        ("attribution", "attribution_status"),
    ):
        if column not in gdf.columns or not len(gdf):
            continue
        table = geodata.count_by(gdf, column)
        table = table[table["incidents"] > 0]
        _out(f"\n{title} ({len(table)}):")
        for name, row in table.iterrows():
            _out(f"  {row['incidents']:>7}  {name}")
    return EXIT_OK


def filters_from_args(args, gdf=None) -> geodata.Filters:
    """Build the view's filters from parsed ``export``/``info`` arguments.

    With ``gdf``, actors, countries and event types are matched forgivingly
    against its values (:func:`geodata.resolve`): case and accents ignored,
    unique prefixes, countries by code or name.
    """
    names = {"actors": args.actor or (), "countries": args.country or (),
             "event_types": args.event_type or ()}
    if gdf is not None and any(names.values()):
        names = geodata.resolve(gdf, **names)
    return geodata.Filters(start=args.start, end=args.end, role=args.role,
                           statuses=args.status or (), **names)


def _export_view(args):
    """What an export draws: the data, its filters, the view, the story (checked), the title."""
    if args.step is not None and not args.story:
        raise CliError("--step needs --story", EXIT_USAGE)
    filters_from_args(args)  # a bad date is answered before the file is read
    gdf = _read(args.input, args.lenient)
    filters = filters_from_args(args, gdf)
    view = _view_or_fail(args, gdf, filters)
    story = _checked_story(args.story, gdf, view) if args.story else None
    title = args.title or (story.title if story else f"Incidents: {Path(args.input).name}")
    return gdf, filters, view, story, title


def cmd_export(args) -> int:
    from .export import export_html  # folium is only imported when needed

    if same_file(args.input, args.output):
        raise CliError(f"{args.output}: refusing to overwrite the input file", EXIT_USAGE)
    if args.output.lower().endswith(STILL_SUFFIXES):
        return cmd_export_still(args)
    if not args.output.lower().endswith((".html", ".htm")):
        raise CliError(f"{args.output}: the output must be an .html, .png, .svg or .pdf "
                       "file", EXIT_USAGE)
    gdf, filters, view, story, title = _export_view(args)
    played = None
    if story is not None:
        from .contract import story_options

        if args.step is not None and not 1 <= args.step <= len(story.steps):
            raise CliError(f"{story.name}: no step {args.step}; the story has steps 1 to "
                           f"{len(story.steps)}", EXIT_USAGE)
        played = story_options(story, step=args.step or 1)
    from .exportguard import size_problem

    problem = size_problem(view, args.max_mb)
    if problem is not None:  # (before anything is built or written)
        raise CliError(f"{args.output}: not written: {problem}", EXIT_USAGE)
    export_html(view, args.output, title=title, filters=filters, total=len(gdf),
                basemap=args.basemap, story=played)
    what = f", a story of {len(story.steps)} steps" if story else ""
    _out(f"wrote {args.output}: {len(view)} of {len(gdf)} incidents{what}")
    return EXIT_OK


def cmd_serve(args) -> int:
    from .serve import run_streamlit

    return run_streamlit(args.file, port=args.port, headless=args.headless, host=args.host)


def cmd_import(args) -> int:
    from geodata.importers import import_file

    if same_file(args.input, args.output):
        raise CliError(f"{args.output}: refusing to overwrite the input file", EXIT_USAGE)
    mapping = {}
    for item in args.map or ():
        column, sep, field = item.partition("=")
        if not sep or not column or not field:
            raise CliError(f"--map takes COLUMN=FIELD, got {item!r}", EXIT_USAGE)
        mapping[column] = field
    result = import_file(
        args.input,
        args.output,
        fmt=args.format,
        rejects=args.rejects,
        mapping=mapping,
        progress=sys.stderr.isatty(),
        gazetteer=getattr(args, "gazetteer", None),
    )
    _out(result.summary())
    if result.rejected and not args.rejects:
        for line in result.reject_lines()[:20]:
            _err(line)
        if result.rejected > 20:
            _err(f"... and {result.rejected - 20} more (write them all with --rejects FILE)")
    return EXIT_OK if result.imported else EXIT_INVALID


def cmd_geocode(args) -> int:
    from geodata.geocode import geocode, lookup

    gazetteer = getattr(args, "gazetteer", None)
    candidates = lookup(args.name, country=args.country, admin1=args.admin1,
                        gazetteer=gazetteer)
    if not candidates:
        geocode(args.name, args.country, args.admin1, gazetteer=gazetteer)  # raises the reason
        hint = f" in {args.country}" if args.country else ""
        raise CliError(f"unknown place {args.name!r}{hint}")
    _out(f"{len(candidates)} candidate(s) for {args.name!r}:")
    for c in candidates:
        where = ", ".join(x for x in (c.admin1, c.country) if x)
        _out(
            f"  {c.name} ({where})  lat {c.lat:.5f}, lon {c.lon:.5f}  "
            f"precision {c.precision} (±{c.radius_km:g} km)  source: {c.source}"
        )
    return EXIT_OK


def cmd_gazetteer_build(args) -> int:
    from geodata.geocode import build_gazetteer

    if same_file(args.input, args.output):
        raise CliError(f"{args.output}: refusing to overwrite the input file", EXIT_USAGE)
    _out(build_gazetteer(args.input, args.output).summary())
    return EXIT_OK


# ------------------------------------------------- stories and still pictures

#: Outputs of ``export`` drawn as still pictures by :mod:`mapapp.still`.
STILL_SUFFIXES = (".png", ".svg", ".pdf")
#: Their page sizes (``mapapp.still.SIZES``; matplotlib is not imported to parse arguments).
STILL_SIZES = ("a4", "slide")


def _view_or_fail(args, gdf, filters):
    view = filters.apply(gdf)
    if len(view) == 0:
        raise CliError(f"{args.input}: nothing to export: {geodata.empty_reason(gdf, filters)}")
    return view


def _checked_story(path: str, gdf, view):
    """The story at ``path``, valid against ``gdf``, every step's incidents in ``view``."""
    from geodata.story import StoryError, StoryProblem, read_story, validate_story

    story = read_story(path)
    problems = validate_story(story, gdf)
    if not problems:
        kept = set(view["id"].astype(str))
        for step in story.steps:
            for i in step.incidents:
                if i not in kept:
                    problems.append(StoryProblem(
                        story.name, step.lines.get("incidents", step.line), step.number,
                        step.heading, "incidents",
                        f"incident {i!r} is left out by the filters; drop the filter or the id"))
    if problems:
        raise StoryError(problems, story.name)
    return story


def cmd_export_still(args) -> int:
    from .still import render_still  # matplotlib is only imported when needed

    gdf, filters, view, story, title = _export_view(args)
    written = render_still(view, args.output, title=title, story=story, size=args.size,
                           tiles=args.tiles, filters=filters, total=len(gdf),
                           source_name=Path(args.input).name, step=args.step)
    what = (f"step {args.step} of {len(story.steps)}" if story and args.step else
            f"{len(story.steps)} steps" if story else f"{len(view)} of {len(gdf)} incidents")
    _out(f"wrote {', '.join(str(p) for p in written)}: {what}")
    return EXIT_OK


def _ids_of(args, gdf) -> list[str]:
    """``--ids`` as given (a token that is no id may be a comma-separated list)."""
    from geodata.story import suggest_id

    known = set(gdf["id"].astype(str)) if len(gdf) else set()
    ids: list[str] = []
    for token in args.ids:
        ids += [token] if token in known else [t.strip() for t in token.split(",") if t.strip()]
    for i in ids:
        if i not in known:
            close = suggest_id(i, known)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise CliError(f"{args.input}: unknown id {i!r}{hint}")
    return list(dict.fromkeys(ids))


def cmd_story_new(args) -> int:
    from geodata.io import atomic_write
    from geodata.story_new import new_story

    if same_file(args.input, args.output):
        raise CliError(f"{args.output}: refusing to overwrite the input file", EXIT_USAGE)
    if Path(args.output).exists() and not args.force:
        raise CliError(f"{args.output}: already exists; choose another name or pass --force "
                       "to replace it", EXIT_USAGE)
    filters = filters_from_args(args)
    if args.ids and not filters.is_empty():
        raise CliError("mapapp story new: give either --ids or filters, not both", EXIT_USAGE)
    gdf = _read(args.input, args.lenient)
    if args.ids:
        view = gdf[gdf["id"].astype(str).isin(_ids_of(args, gdf))]
    else:
        view = _view_or_fail(args, gdf, filters_from_args(args, gdf))
    text = new_story(view, title=args.title or f"A story of {Path(args.input).name}")
    atomic_write(args.output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    _out(f"wrote {args.output}: {len(view)} steps, one per incident in date order; "
         f"check it with: mapapp story check {_quote(args.output)} {_quote(args.input)}")
    return EXIT_OK


def cmd_story_check(args) -> int:
    from geodata.story import read_story, validate_story

    story = read_story(args.story)
    gdf = _read(args.data, args.lenient)
    problems = validate_story(story, gdf)
    for p in problems:
        _err(str(p))
    steps = f"{len(story.steps)} step{'s' if len(story.steps) != 1 else ''}"
    if problems:
        n = len(problems)
        _out(f"{story.name}: {steps}, {n} problem{'s' if n != 1 else ''}")
        return EXIT_INVALID
    _out(f"{story.name}: {steps}, {len(story.incident_ids)} incidents, no problems")
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")
    p.add_argument("--lenient", action="store_true",
                   help="exit 0 when some incidents are usable, listing the bad ones")
    p.add_argument("--all", action="store_true",
                   help=f"list every problem (default: a summary above {LIST_PROBLEMS_MAX})")
    p.set_defaults(func=cmd_validate)


def _info_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")
    p.add_argument("--lenient", action="store_true", help="skip bad incidents (listed on stderr)")
    _filter_args(p)
    p.set_defaults(func=cmd_info)


def _filter_args(p: argparse.ArgumentParser) -> None:
    """The view's filters; names match ignoring case and accents (see geodata.resolve)."""
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first day (inclusive)")
    p.add_argument("--end", metavar="YYYY-MM-DD", help="last day (inclusive)")
    p.add_argument("--actor", action="append", metavar="NAME",
                   help="keep incidents of this party: any case, a unique prefix will do "
                        "(repeatable)")
    p.add_argument("--role", choices=ROLES, default="any",
                   help="match --actor as perpetrator, target or either (default)")
    p.add_argument("--event-type", action="append", metavar="TYPE",
                   help="any case, a unique prefix will do (repeatable)")
    p.add_argument("--country", action="append", metavar="ISO3|NAME",
                   help="ISO3 code or name, e.g. irq or Iraq (repeatable)")
    p.add_argument("--status", action="append", choices=ATTRIBUTION_STATUSES,
                   help="attribution status (repeatable)")


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input")
    p.add_argument("-o", "--output", required=True,
                   help="the .html map, or a still picture: .png, .svg or .pdf")
    _filter_args(p)
    p.add_argument("--title", help="the map's title")
    p.add_argument("--basemap", choices=("tiles", "outlines", "satellite"), default="tiles",
                   help="tiles (OpenStreetMap), satellite (Esri World Imagery), or outlines: "
                        "country outlines and place names only, no network request at all")
    p.add_argument("--lenient", action="store_true", help="skip bad incidents (listed on stderr)")
    p.add_argument("--max-mb", type=float, metavar="MB", default=None,
                   help="refuse an .html map estimated over this size, naming filters that "
                        "would fit (default 250, or $INCIDENT_MAP_EXPORT_MAX_MB)")
    p.set_defaults(func=cmd_export)
    _still_args(p)


def _still_args(p: argparse.ArgumentParser) -> None:
    """``export``'s options for a still picture (``-o`` ending in .png, .svg or .pdf)."""
    g = p.add_argument_group("stories and still pictures (-o map.png, map.svg or map.pdf)")
    g.add_argument("--story", metavar="STORY.md",
                   help="an .html map plays the story (steps, arrow keys, #step=N); a still "
                        "picture has one page (PDF) or one image per step: map-01.png, ...")
    g.add_argument("--step", type=int, metavar="N",
                   help="with --story: only step N, written to the output itself (an .html "
                        "map: the step it opens on)")
    g.add_argument("--size", choices=STILL_SIZES, default="a4",
                   help="a4 (landscape) or slide (16:9); default a4")
    g.add_argument("--tiles", action="store_true",
                   help="draw web map tiles under the map (needs contextily and the network; "
                        "default: the offline country outlines)")


def _story_args(p: argparse.ArgumentParser) -> None:
    ssub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    n = ssub.add_parser("new", help="write a starting story: one step per incident, by date")
    n.add_argument("input", help="the dataset")
    n.add_argument("--ids", nargs="+", metavar="ID", help="the incidents (else: the filters)")
    _filter_args(n)
    n.add_argument("-o", "--output", required=True, help="the story (.md) to write")
    n.add_argument("--title", help="the story's title")
    n.add_argument("--force", action="store_true", help="replace an existing story file")
    n.add_argument("--lenient", action="store_true", help="skip bad incidents")
    n.set_defaults(func=cmd_story_new)
    c = ssub.add_parser("check", help="validate a story against its dataset")
    c.add_argument("story", help="the story (.md)")
    c.add_argument("data", help="the dataset it tells of")
    c.add_argument("--lenient", action="store_true", help="skip bad incidents")
    c.set_defaults(func=cmd_story_check)


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default=None, help="dataset (default: the built-in one)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; "
                        "0.0.0.0 opens the page, unauthenticated, to the network)")
    p.set_defaults(func=cmd_serve)


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input")
    p.add_argument("-o", "--output", required=True, help=".geojson or .parquet")
    p.add_argument("--format", choices=("auto", "acled", "ucdp", "csv"), default="auto")
    p.add_argument("--rejects", metavar="CSV", help="write rejected rows with reasons here")
    p.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                   help="map a CSV column to a schema field (repeatable)")
    p.add_argument("--gazetteer", metavar="CSV",
                   help="your own places (name, admin1, country, lat, lon, precision), "
                        "searched before the built-in gazetteer")
    p.set_defaults(func=cmd_import)


def _geocode_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--country", metavar="ISO3")
    p.add_argument("--admin1")
    p.add_argument("--gazetteer", metavar="CSV",
                   help="your own places, searched before the built-in gazetteer")
    p.set_defaults(func=cmd_geocode)


def _gazetteer_args(p: argparse.ArgumentParser) -> None:
    gsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    g = gsub.add_parser("build", help="learn places from a dataset with coordinates")
    g.add_argument("input", help="an imported dataset (.geojson or .parquet)")
    g.add_argument("-o", "--output", required=True, help="the gazetteer CSV to write")
    g.set_defaults(func=cmd_gazetteer_build)


#: Each subcommand: its help, and the function that adds its arguments.
_SUBCOMMANDS = (
    ("validate", "check a file against the incident schema", _validate_args),
    ("info", "counts, date span, actors and event types of a file", _info_args),
    ("export", "write a self-contained HTML map that works offline", _export_args),
    ("serve", "open the Streamlit page (same as streamlit run)", _serve_args),
    ("import", "convert ACLED, UCDP or plain CSV to the schema", _import_args),
    ("geocode", "look a place name up in the offline gazetteer", _geocode_args),
    ("gazetteer", "build a gazetteer of your own places", _gazetteer_args),
    ("story", "write a starting story or check one against its dataset", _story_args),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests).

    Returns
    -------
    argparse.ArgumentParser
        ``mapapp`` with one subcommand per entry of ``_SUBCOMMANDS``.
    """
    parser = argparse.ArgumentParser(
        prog="mapapp",
        description="Maps of geocoded incidents: validate, summarise, export, serve, import.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text, add_arguments in _SUBCOMMANDS:
        add_arguments(sub.add_parser(name, help=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as exc:
        _err(str(exc))
        return EXIT_INVALID
    except geodata.FilterError as exc:
        _err(f"mapapp {args.command}: {exc}")
        return EXIT_USAGE
    except (GeodataError, CliError) as exc:
        _err(str(exc))
        return getattr(exc, "code", EXIT_INVALID)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
