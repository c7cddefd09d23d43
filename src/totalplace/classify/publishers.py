"""The publishers of spending files in the shared realdata folder, as the evaluation reads them.

Each :class:`Publisher` names its sector, its family (the place or group it belongs
to) and the globs of its files; :data:`PUBLISHERS` lists every one, and
:data:`NOT_EVALUATED` the files none reads, with why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_realdata() -> Path:
    """Return the folder of real published files: $TOTALPLACE_REALDATA or ../shared/realdata."""
    here = Path(__file__).resolve().parents[3]
    return Path(os.environ.get("TOTALPLACE_REALDATA", here.parent / "shared" / "realdata"))


@dataclass(frozen=True)
class Publisher:
    """One publisher of spending files: its name, sector, family and files (globs under realdata)."""

    name: str
    sector: str
    family: str
    files: tuple[str, ...]
    #: Why its files cannot reach the aim, when that is known (e.g. no descriptions).
    limitation: str = ""


# Why a publisher stays under the aim, as a real run showed (see its largest unclassified lines).
_TRAFFORD = (
    "pay deductions paid once for all staff (PAYE, NI, pension funds) have no single "
    "theme, and capital schemes are booked to a 'Capital Schemes' cost centre that names "
    "no service"
)
_LEEDS = (
    "area offices ('West - North West') and trading services ('Leeds Building Services', "
    "'Commercial Services') under a 'Resources and Housing' directorate name no single service"
)
_NORTH_TYNESIDE = (
    "capital and repairs cost centres ('Capital', 'Repairs and Construction') name no service"
)
_HARROGATE = (
    "its 'Service Label' says only 'Community' or 'HCC', and its 'Service Code' (read as "
    "the department) names trading teams such as 'Repairs & Maintenance' and 'Building "
    "Maintenance - DEC' that serve several services"
)
_CENTRAL = (
    "central government: national programmes (grants-in-aid to arm's-length bodies, "
    "research, loans, head-office leases) that no Total Place theme describes"
)

#: Every publisher of spending transactions in ../shared/realdata (see its MANIFEST.md).
PUBLISHERS: tuple[Publisher, ...] = (
    Publisher(
        "Hyndburn Borough Council",
        "district_council",
        "Lancashire",
        ("lancashire/hyndburn_bc/*.csv",),
    ),
    Publisher(
        "Lancashire Fire and Rescue Service",
        "fire",
        "Lancashire",
        ("lancashire/lancashire_fire/*.xlsx",),
    ),
    Publisher(
        "Lancashire Police and Crime Commissioner",
        "police",
        "Lancashire",
        ("lancashire/lancashire_pcc/*.xlsx",),
    ),
    Publisher(
        "Trafford Council",
        "unitary_council",
        "Trafford",
        (
            "trafford_council/trafford-supplier-spend-*.zip",
            "trafford_council/government_procurement_card_*.csv",
        ),
        limitation=_TRAFFORD,
    ),
    Publisher(
        "Leeds City Council",
        "unitary_council",
        "Leeds",
        ("leeds_city_council_raw/leeds_20*.csv",),
        limitation=_LEEDS,
    ),
    Publisher(
        "Oxford City Council",
        "district_council",
        "Oxford",
        ("oxford_city_council/expenditure-over-500-*.csv",),
    ),
    Publisher(
        "Babergh District Council",
        "district_council",
        "Babergh",
        ("babergh_district_council/*.xlsx",),
    ),
    Publisher(
        "Gateshead Council",
        "unitary_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/gateshead/*.csv",),
    ),
    Publisher(
        "Newcastle City Council",
        "unitary_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/newcastle/*.csv",),
    ),
    Publisher(
        "North Tyneside Council",
        "unitary_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/north_tyneside/*.csv",),
        limitation=_NORTH_TYNESIDE,
    ),
    Publisher(
        "Manchester City Council",
        "unitary_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/manchester/*.csv",),
    ),
    Publisher(
        "Calderdale Council",
        "unitary_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/calderdale/*.csv",),
    ),
    Publisher(
        "City of Bradford MDC",
        "unitary_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/bradford/*.csv",),
    ),
    Publisher(
        "Darlington Borough Council",
        "unitary_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/darlington/*.csv",),
    ),
    Publisher(
        "Harrogate Borough Council",
        "district_council",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/harrogate/*.csv",),
        limitation=_HARROGATE,
    ),
    Publisher(
        "Greater London Authority",
        "combined_authority",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/gla/*.csv",),
    ),
    Publisher(
        "Transport for London", "other", "ODI Leeds cleaned", ("odileeds_cleaned/tfl/*.csv",)
    ),
    Publisher(
        "Network Rail",
        "central_government",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/network_rail/*.csv",),
    ),
    Publisher(
        "Cabinet Office",
        "central_government",
        "ODI Leeds cleaned",
        ("odileeds_cleaned/cabinet_office/*.csv",),
        limitation=_CENTRAL,
    ),
    Publisher(
        "Department for Business, Innovation and Skills",
        "central_government",
        "central government",
        ("central_government/BIS_*",),
        limitation=_CENTRAL,
    ),
    Publisher(
        "Biotechnology and Biological Sciences Research Council",
        "central_government",
        "central government",
        ("central_government/1011-bbsrc-*.csv",),
        limitation=_CENTRAL,
    ),
    Publisher(
        "NHS Gloucestershire and Somerset ICBs",
        "nhs_icb",
        "NHS",
        ("nhs/icb_spend_*.xlsx",),
    ),
)


#: Spending files in realdata that no publisher above reads, and why.
NOT_EVALUATED: dict[str, str] = {
    "oxford_city_council/SpendOver500_Oct_Dec_2014.csv": (
        "the same 3,978 transactions as expenditure-over-500-oct-dec-2014.csv, re-encoded"
    ),
    "leeds_city_council_raw/leeds_2018-10.csv": "an empty (0-byte) file",
}


def publisher_files(publisher: Publisher, realdata: Path) -> list[Path]:
    """Return the publisher's files under ``realdata`` (its globs expanded, sorted, non-empty)."""
    found = {p for pattern in publisher.files for p in realdata.glob(pattern)}
    return sorted(p for p in found if p.is_file() and p.stat().st_size > 0)
