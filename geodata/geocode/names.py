"""Place-name normalisation: the comparison keys of the geocoder.

:func:`normalize` turns a name in any spelling or script into the key that
the gazetteers are searched by; ``_light_key`` is its first, lighter stage
(case, diacritics, punctuation). ``_admin1_key`` compares first-level
division names ignoring words such as "Governorate".

Examples
--------
>>> from geodata.geocode import normalize
>>> normalize("Ayn al-Asad")
'ain asad'
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

import pandas as pd
from anyascii import anyascii

__all__ = ["normalize"]

# Apostrophe-like marks (ASCII ', `, ´, modifier letters for ayn/hamza, curly
# quotes, prime) and dots are deleted, so "Ma'rib" == "Marib" and
# "U.S." == "US"; every other non-alphanumeric character separates words.
_DELETED = "'`´ʹʻʼʽʾʿˈ‘’‛′\u02b9."
_DELETE_TABLE = str.maketrans(dict.fromkeys(_DELETED))
_ASCII_TABLE: dict[int, str | None] = {
    i: (chr(i).lower() if chr(i).isalnum() else " ") for i in range(128)
}
_ASCII_TABLE.update(dict.fromkeys(map(ord, "'`."), None))
_UNICODE_SEPARATORS = re.compile(r"[\W_]+")
_DOUBLED = re.compile(r"([a-z])\1+")
# Arabic and Hebrew script: kept as is (transliteration without vowels would
# make unrelated names collide); other scripts are transliterated.
_KEEP_SCRIPT = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
                          "\ufb1d-\ufdff\ufe70-\ufeff]")
# GeoNames alternate names in any other script than Latin, Arabic or Hebrew
# are not indexed (GeoNames also lists Latin forms of those names).
_OTHER_SCRIPT = re.compile("[^\x00-\u036f\u1d00-\u1eff\u2000-\u206f\u2c60-\u2c7f\ua720-\ua7ff"
                           "\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
                           "\ufb1d-\ufdff\ufe70-\ufeff]")
_ARABIC_ARTICLE = "\u0627\u0644"  # "al" glued to an Arabic-script word

# Arabic article written as a separate word ("al-Asad", "el Arish").
_ARTICLES = frozenset({"al", "el"})
# Assimilated article before a "sun letter" ("ar-Ramadi", "as-Sulaymaniyah",
# "deir ez-Zor"): dropped only when the next word starts with the consonant.
_SUN_ARTICLES = {
    "ad": "d", "adh": "dh", "an": "n", "ar": "r", "as": "s", "ash": "sh", "at": "t",
    "ath": "th", "az": "z", "ed": "d", "en": "n", "er": "r", "es": "s", "esh": "sh",
    "et": "t", "ez": "z",
}
# Whole-word variants.
_WORD_VARIANTS = {
    "ayn": "ain", "ein": "ain", "airbase": "air base", "intl": "international", "mt": "mount",
}
# Spelling variants inside words, applied in this order.
_LETTER_VARIANTS = (
    ("q", "k"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("gh", "g"), ("kh", "k"),
    ("dj", "j"), ("ay", "ai"),
)
# Cheap test for "folding may change this name" (a superset of the rules).
_FOLD_TRIGGER = re.compile(
    "(?:^| )(?:al|el|ad|adh|an|ar|as|ash|at|ath|az|ed|en|er|es|esh|et|ez) "
    "|(?:^| )(?:ayn|ein|airbase|intl|mt)(?: |$)"
    "|q|ou|oo|ee|gh|kh|dj|ay|ah(?: |$)|([a-z])\\1|(?:^| )\u0627\u0644"
)
# Generic words ignored when comparing admin1 names ("Anbar Governorate").
_ADMIN1_GENERIC = frozenset({
    "governorate", "province", "state", "region", "emirate", "district", "muhafazah",
    "muhafazat", "wilayah", "wilayat", "ostan", "county", "of", "the",
})


@lru_cache(maxsize=1)
def _combining_table() -> dict[int, None]:
    return {cp: None for cp in range(0x300, 0x10000) if unicodedata.combining(chr(cp))}


def _ascii_words(s: str) -> str:
    return " ".join(s.translate(_ASCII_TABLE).split())


# Arabic-script letters with several written forms, mapped to one (after NFKD
# has split hamza and madda off alef, waw and yeh): alef wasla -> alef, taa
# marbuta -> heh, alef maqsura and Persian yeh -> yeh, Persian keheh -> kaf,
# a lone hamza is dropped, tatweel (kashida) is dropped, Arabic-Indic digits
# become ASCII digits.
_ARABIC_TABLE = str.maketrans({
    "\u0671": "\u0627", "\u0672": "\u0627", "\u0673": "\u0627", "\u0675": "\u0627",
    "\u0629": "\u0647", "\u06c0": "\u0647", "\u06c1": "\u0647", "\u06d5": "\u0647",
    "\u0649": "\u064a", "\u06cc": "\u064a", "\u06d2": "\u064a",
    "\u06a9": "\u0643", "\u06aa": "\u0643",
    "\u0621": None, "\u0640": None,
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
})


def _light_key(name: str) -> str:
    """Case-fold, drop diacritics/apostrophes/dots, transliterate, split words."""
    if name.isascii():
        return _ascii_words(name)
    s = unicodedata.normalize("NFKC", name).casefold().translate(_DELETE_TABLE)
    s = unicodedata.normalize("NFKD", s).translate(_combining_table())
    if s.isascii():
        return _ascii_words(s)
    if _KEEP_SCRIPT.search(s):
        s = s.translate(_ARABIC_TABLE)
        return " ".join(_UNICODE_SEPARATORS.sub(" ", s).split())
    return _ascii_words(anyascii(s))


@lru_cache(maxsize=262144)
def _fold_word(word: str) -> str:
    if not word.isascii():
        if word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
            return word[2:]
        return word
    for old, new in _LETTER_VARIANTS:
        word = word.replace(old, new)
    if len(word) > 3 and word.endswith("ah"):
        word = word[:-1]
    return _DOUBLED.sub(r"\1", word)


def _fold_once(light: str) -> str:
    words = light.split()
    kept: list[str] = []
    last = len(words) - 1
    for i, word in enumerate(words):
        if i < last and (word in _ARTICLES or (
                word in _SUN_ARTICLES and words[i + 1].startswith(_SUN_ARTICLES[word]))):
            continue
        kept.extend(_WORD_VARIANTS.get(word, word).split())
    return " ".join([_fold_word(word) for word in kept])


def _fold_key(light: str) -> str:
    """Full normalisation of an already light-normalised name (a fixpoint)."""
    if not _FOLD_TRIGGER.search(light):
        return light
    folded = _fold_once(light)
    while folded != light:  # repeat until stable, so that _fold(_fold(x)) == _fold(x)
        light, folded = folded, _fold_once(folded)
    return folded


# Cached versions for lookups; building the index calls the plain functions
# (most of its million names occur once, so a cache would only cost time).
_light = lru_cache(maxsize=65536)(_light_key)
_fold = lru_cache(maxsize=65536)(_fold_key)


def normalize(name: str) -> str:
    """Return the comparison key of a place name.

    Two names match when their keys are equal. The rules, applied in order:

    1. Unicode NFKC, then case folding.
    2. Apostrophe-like marks (``' ` ´ ʿ ʾ ʻ ’ ‘``) and dots are deleted
       (``Ma'rib`` = ``Marib``, ``U.S.`` = ``US``).
    3. Diacritics are stripped (NFKD, combining marks removed; this also
       removes Arabic tashkeel and splits hamza and madda off alef, waw and
       yeh, so ``أ إ آ`` become ``ا``, ``ؤ`` ``و`` and ``ئ`` ``ي``). Arabic- and
       Hebrew-script names are then kept in their script (GeoNames lists
       them, and vowel-less transliteration would merge unrelated names),
       with ``ٱ`` -> ``ا``, taa marbuta ``ة`` -> ``ه``, alef maqsura ``ى`` and
       Persian ``ی`` -> ``ي``, ``ک`` -> ``ك``, a lone hamza ``ء`` and tatweel
       ``ـ`` dropped, Arabic-Indic digits made ASCII; anything else still
       not ASCII (``ł``, ``ø``, Cyrillic, Greek, ...) is transliterated with
       ``anyascii``.
    4. Every other non-alphanumeric character (hyphen, comma, slash, ...)
       separates words; whitespace is collapsed.
    5. Arabic articles written as separate words are dropped: ``al``/``el``
       before another word, and the assimilated forms (``ad ar as ash at az``
       and ``ed er es et ez``, ``an``/``en``) when the next word starts with
       the same consonant (``ar Ramadi`` → ``ramadi``, ``deir ez Zor`` →
       ``deir zor``). A final or lone ``al`` is kept.
    6. Word variants: ``ayn``/``ein`` → ``ain``, ``airbase`` → ``air base``,
       ``intl`` → ``international``, ``mt`` → ``mount``.
    7. Letter variants inside words: ``q``→``k``, ``ou``→``u``, ``oo``→``u``,
       ``ee``→``i``, ``gh``→``g``, ``kh``→``k``, ``dj``→``j``, ``ay``→``ai``;
       a final ``ah`` becomes ``a`` (``Fallujah`` = ``Falluja``); doubled
       letters are collapsed (``Assad`` = ``Asad``). In Arabic script, a
       glued article ``ال`` is dropped from words of four letters or more.
       Rules 5-7 are repeated until nothing changes, so
       ``normalize(normalize(x)) == normalize(x)``.

    The function is pure and deterministic. Vowel changes such as
    Erbil/Arbil/Irbil are not folded: GeoNames lists those spellings as
    alternate names, and sites list theirs in ``sites.csv``.

    Parameters
    ----------
    name : str
        A place name in any script.

    Returns
    -------
    str
        Lower-case words separated by single spaces (ASCII except for Arabic
        and Hebrew script); may be empty.

    Examples
    --------
    >>> normalize("Ayn al-Asad")
    'ain asad'
    >>> normalize("ʿAin al Assad") == normalize("Ayn al-Asad")
    True
    >>> normalize("Abqaiq") == normalize("Abqayq")
    True
    """
    return _fold(_light(str(name)))


def _admin1_key(name: str) -> str:
    words = normalize(name).split()
    kept = [w for w in words if w not in _ADMIN1_GENERIC]
    return " ".join(kept or words)


def _clean(value) -> str | None:
    """A table cell as stripped text, or None when it is missing or blank."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None
