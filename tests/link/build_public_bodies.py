"""Rebuild ``src/totalplace/link/data/public_bodies.csv`` from official lists.

Sources (both Open Government Licence v3.0):

* ``src/totalplace/data/reference/lad_areas.csv`` (shipped; ONS lookups): district,
  county, police force area and fire and rescue authority names, from which the
  councils, police forces, police and crime commissioners and fire authorities are named;
* ``../shared/realdata/nhs/``: ``ods_etr_nhs_trusts.csv`` (NHS trusts, ODS),
  ``ods_eccg_ccgs_subicb.csv`` (CCGs and sub-ICB locations, ODS) and
  ``icb_names_codes_dec_2024.csv`` (integrated care boards, ONS).

Run from the project root: ``.venv/bin/python tests/link/build_public_bodies.py``.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REALDATA = Path(os.environ.get("TOTALPLACE_REALDATA", ROOT.parent / "shared" / "realdata"))
OUT = ROOT / "src" / "totalplace" / "link" / "data" / "public_bodies.csv"


_ACRONYMS = {"NHS", "ICB", "CCG", "UK", "HMP", "CIC", "NW", "NE", "SW", "SE"}
_SMALL = {"AND", "OF", "THE", "FOR", "IN", "ON"}


def _title(name: str) -> str:
    words = []
    for i, word in enumerate(name.split()):
        if word in _ACRONYMS:
            words.append(word)
        elif word in _SMALL and i > 0:
            words.append(word.lower())
        else:
            words.append(word.capitalize())
    return " ".join(words)


def main() -> int:
    """Write the reference list; return a process exit code."""
    rows: set[tuple[str, str, str]] = set()
    with (ROOT / "src/totalplace/data/reference/lad_areas.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            lad = r["lad_name"]
            rows.add((f"{lad} Council", "council", r["lad_code"]))
            if r["county_name"] and r["county_code"].startswith("E10"):
                rows.add((f"{r['county_name']} County Council", "council", r["county_code"]))
            police = r["police_force_name"]
            if police and not police.startswith("E23"):
                code = r["police_force_code"]
                force = police if police.startswith("Metropolitan") else f"{police} Police"
                rows.add((force, "police", code))
                rows.add((f"{police} Constabulary", "police", code))
                rows.add((f"Police and Crime Commissioner for {police}", "police", code))
                rows.add((f"{police} Police and Crime Commissioner", "police", code))
            fire = r["fire_authority_name"]
            if fire and not fire.startswith("E31"):
                code = r["fire_authority_code"]
                if "Authority" in fire:
                    rows.add((fire, "fire", code))
                else:
                    rows.add((f"{fire} Fire and Rescue Service", "fire", code))
                    rows.add((f"{fire} Fire and Rescue Authority", "fire", code))
                    rows.add((f"{fire} Fire Authority", "fire", code))
    nhs = REALDATA / "nhs"
    for file, kind in (("ods_etr_nhs_trusts.csv", "nhs"), ("ods_eccg_ccgs_subicb.csv", "nhs")):
        with (nhs / file).open(encoding="utf-8") as f:
            for r in csv.reader(f):
                rows.add((_title(r[1]), kind, r[0]))
    with (nhs / "icb_names_codes_dec_2024.csv").open(encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            rows.add((r["ICB24NM"], "nhs", r["ICB24CD"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "body_type", "code"])
        writer.writerows(sorted(rows))
    print(f"wrote {len(rows)} public bodies to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
