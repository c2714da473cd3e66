"""The incident schema: field names, vocabularies and column types.

One GeoJSON Feature per incident (RFC 7946: WGS84, longitude first). The
fields are documented in ``docs/schema.md``; this module is the one place in
code that names them.
"""

from __future__ import annotations

#: Allowed values of ``date_precision``.
DATE_PRECISIONS = ("day", "week", "month", "year")

#: Allowed values of ``geo_precision``, finest first.
GEO_PRECISIONS = ("site", "town", "region", "country")

#: Default radius in km for each ``geo_precision`` when a source gives none.
GEO_PRECISION_DEFAULT_KM = {"site": 1.0, "town": 10.0, "region": 100.0, "country": 500.0}

#: Allowed values of ``attribution.status``.
ATTRIBUTION_STATUSES = ("confirmed", "claimed", "alleged", "disputed", "unknown")

#: Roles an actor filter can match.
ROLES = ("perpetrator", "target", "any")

#: ACLED's event types (sub-event types are free text within them).
EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)

#: Properties every incident must carry.
REQUIRED = ("id", "title", "date", "event_type", "actor", "country")

#: Integer count properties (never negative).
COUNT_FIELDS = ("fatalities", "fatalities_low", "fatalities_high", "injuries")

#: The largest count a file may give (a sum over millions of incidents still fits
#: in 64 bits, and every count is exact in JavaScript).
MAX_COUNT = 10**12

#: The largest ``geo_precision_km``: about half the Earth's circumference.
MAX_RADIUS_KM = 20_000.0

#: How deeply lists and objects may nest inside a property (the JSON writers
#: stop at a few hundred levels).
MAX_NESTING = 64

#: Properties that hold lists or objects in GeoJSON. In a GeoDataFrame they are
#: kept as Python objects; in GeoParquet they are stored as JSON text.
NESTED_FIELDS = ("attribution", "sources", "related")

#: Column order of a frame returned by :func:`geodata.read`; other properties
#: follow in file order.
KNOWN_FIELDS = (
    "id",
    "title",
    "date",
    "end_date",
    "date_precision",
    "event_type",
    "sub_event_type",
    "actor",
    "target",
    "attribution",
    "attribution_status",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "injuries",
    "place",
    "admin1",
    "country",
    "geo_precision",
    "geo_precision_km",
    "sources",
    "notes",
    "related",
)

#: Columns derived on read (not stored in files).
DERIVED_FIELDS = ("attribution_status",)

#: Categorical columns in a frame.
CATEGORICAL_FIELDS = (
    "event_type",
    "sub_event_type",
    "actor",
    "target",
    "attribution_status",
    "country",
    "date_precision",
    "geo_precision",
)

#: Source URL schemes that may become links.
URL_SCHEMES = ("http", "https")
