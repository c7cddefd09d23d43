"""place.toml is read by one schema: a typo is an error naming the file, line and key, never a total.

Issue 13, finding 6: a police area one digit short counted the police at 100%, a pasted
partner block counted it twice, ``fy_start_month = 13`` moved April into the year before,
``sources = "data/*.csv"`` globbed each character, and other typos ended in tracebacks.
Each broken variant below must raise WorkspaceError whose message says ``line N:`` (the
line of the faulty key), names the key, and says what to write instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from totalplace import reference
from totalplace.cli import app
from totalplace.workspace import WorkspaceError, open_workspace

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hyndburn"

BASE = """\
# A Hyndburn workspace, as a partnership would keep it.
[place]
code = "E07000120"   # Hyndburn
name = "Hyndburn"
population_year = 2024
financial_year_start = 4

[[partners]]
name = "Hyndburn Borough Council"
sector = "district_council"
areas = ["E07000120"]
fy_start_month = 4
sources = ["data/hbc/*.csv"]
aliases = ["Hyndburn BC"]

[[partners]]
name = "Lancashire Fire and Rescue Service"
sector = "fire"
areas = ["E31000023"]
sources = ["data/fire/*.xlsx"]

[[partners]]
name = "Lancashire PCC"
sector = "police"
areas = ["E23000003"]
fy_start_month = 4
sources = ["data/pcc/*.xlsx"]
"""

PCC_BLOCK = BASE[BASE.index('[[partners]]\nname = "Lancashire PCC"') :]
PLACE_TABLE = BASE[BASE.index("[place]") : BASE.index("[[partners]]")]


def edit(old: str, new: str, text: str = BASE) -> str:
    """Return ``text`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def pcc(old: str, new: str) -> str:
    """Return BASE with ``old`` replaced by ``new`` inside the police partner's block only."""
    start = BASE.index('name = "Lancashire PCC"')
    return BASE[:start] + edit(old, new, BASE[start:])


def write(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    (root / "place.toml").write_text(text, encoding="utf-8")
    return root


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """Return the 1-based line number of the ``occurrence``-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


# (id, place.toml text, (text of the faulty line, occurrence), words the message must hold)
BROKEN: list[tuple[str, str, tuple[str, int], tuple[str, ...]]] = [
    # ---- the variants quoted in finding 6
    (
        "police_area_one_digit_short",
        pcc('areas = ["E23000003"]', 'areas = ["E2300003"]'),
        ("E2300003", 1),
        ("areas", "'E2300003' is not a known ONS area code", "use E23000003 (Lancashire)"),
    ),
    (
        "partner_block_pasted_twice",
        BASE + "\n" + PCC_BLOCK,
        ('name = "Lancashire PCC"', 2),
        ("'Lancashire PCC'", "must appear once", "remove the repeated [[partners]] block"),
    ),
    (
        "fy_start_month_13",
        pcc("fy_start_month = 4", "fy_start_month = 13"),
        ("fy_start_month = 13", 1),
        ("fy_start_month = 13", "from 1 to 12", "4 for April"),
    ),
    (
        "sources_as_a_string",
        pcc('sources = ["data/pcc/*.xlsx"]', 'sources = "data/*.csv"'),
        ('sources = "data/*.csv"', 1),
        ('sources must be a list, e.g. sources = ["data/*.csv"]',),
    ),
    (
        "population_year_in_words",
        edit("population_year = 2024", 'population_year = "twenty"'),
        ("population_year", 1),
        ("population_year must be a whole number", "'twenty'", "2010 to 2024"),
    ),
    (
        "partners_written_as_a_table",
        PLACE_TABLE
        + '[partners]\nname = "Hyndburn Borough Council"\nsector = "district_council"\n',
        ("[partners]", 1),
        ("[partners] is written as one table", "write [[partners]]"),
    ),
    (
        "columns_as_a_string",
        edit('aliases = ["Hyndburn BC"]', 'aliases = ["Hyndburn BC"]\ncolumns = "x"'),
        ('columns = "x"', 1),
        ("columns is the text 'x'", "must be a table", 'amount = "Amount Paid"'),
    ),
    # ---- numbers of the wrong type or out of range
    (
        "population_year_a_float",
        edit("population_year = 2024", "population_year = 2024.0"),
        ("population_year", 1),
        ("population_year must be a whole number", "2024.0"),
    ),
    (
        "population_year_a_boolean",
        edit("population_year = 2024", "population_year = true"),
        ("population_year", 1),
        ("population_year must be a whole number", "boolean true"),
    ),
    (
        "population_year_in_quotes",
        edit("population_year = 2024", 'population_year = "2024"'),
        ("population_year", 1),
        ("population_year", "write 2024 without quotes"),
    ),
    (
        "population_year_before_the_estimates",
        edit("population_year = 2024", "population_year = 1999"),
        ("population_year", 1),
        ("population_year = 1999 is out of range", "2010 to 2024"),
    ),
    (
        "population_year_after_the_estimates",
        edit("population_year = 2024", "population_year = 2031"),
        ("population_year", 1),
        ("population_year = 2031 is out of range", "2010 to 2024"),
    ),
    (
        "financial_year_start_zero",
        edit("financial_year_start = 4", "financial_year_start = 0"),
        ("financial_year_start", 1),
        ("financial_year_start = 0 is out of range", "from 1 to 12"),
    ),
    (
        "financial_year_start_a_month_name",
        edit("financial_year_start = 4", 'financial_year_start = "April"'),
        ("financial_year_start", 1),
        ("financial_year_start must be a whole number", "4 for April"),
    ),
    (
        "fy_start_month_zero",
        pcc("fy_start_month = 4", "fy_start_month = 0"),
        ("fy_start_month = 0", 1),
        ("'Lancashire PCC'", "fy_start_month = 0 is out of range"),
    ),
    (
        "fy_start_month_negative",
        pcc("fy_start_month = 4", "fy_start_month = -4"),
        ("fy_start_month = -4", 1),
        ("fy_start_month = -4 is out of range",),
    ),
    (
        "fy_start_month_a_boolean",
        pcc("fy_start_month = 4", "fy_start_month = true"),
        ("fy_start_month = true", 1),
        ("fy_start_month must be a whole number", "boolean"),
    ),
    (
        "fy_start_month_a_fraction",
        pcc("fy_start_month = 4", "fy_start_month = 4.5"),
        ("fy_start_month = 4.5", 1),
        ("fy_start_month must be a whole number",),
    ),
    # ---- lists of the wrong shape
    (
        "areas_as_a_string",
        pcc('areas = ["E23000003"]', 'areas = "E23000003"'),
        ('areas = "E23000003"', 1),
        ("areas must be a list", 'areas = ["E23000003"]'),
    ),
    (
        "areas_holding_a_number",
        pcc('areas = ["E23000003"]', "areas = [23000003]"),
        ("areas = [23000003]", 1),
        ("item 1 of", "areas", "not text"),
    ),
    (
        "aliases_as_a_string",
        edit('aliases = ["Hyndburn BC"]', 'aliases = "Hyndburn BC"'),
        ('aliases = "Hyndburn BC"', 1),
        ("aliases must be a list",),
    ),
    (
        "empty_source_pattern",
        pcc('sources = ["data/pcc/*.xlsx"]', 'sources = ["data/pcc/*.xlsx", ""]'),
        ("sources = [", 3),
        ("item 2 of", "sources is empty"),
    ),
    (
        "sources_a_number",
        pcc('sources = ["data/pcc/*.xlsx"]', "sources = 5"),
        ("sources = 5", 1),
        ("sources must be a list", "not the number 5"),
    ),
    (
        "partners_a_list_of_names",
        'partners = ["Hyndburn Borough Council"]\n' + PLACE_TABLE,
        ("partners = ", 1),
        ("partner number 1 is the text", "[[partners]] block"),
    ),
    (
        "partners_key_inside_place",
        PLACE_TABLE + 'partners = ["Hyndburn Borough Council"]\n',
        ("partners = ", 1),
        ("unknown key 'partners' in [place]", "its own [[partners]] block"),
    ),
    # ---- names and required keys
    (
        "partner_name_empty",
        pcc('name = "Lancashire PCC"', 'name = ""'),
        ('name = ""', 1),
        ("name of partner number 3 is empty", "write it in quotes"),
    ),
    (
        "partner_name_a_number",
        pcc('name = "Lancashire PCC"', "name = 42"),
        ("name = 42", 1),
        ("name of partner number 3", "not text"),
    ),
    (
        "partner_without_a_name",
        pcc('name = "Lancashire PCC"\n', ""),
        ("[[partners]]", 3),
        ("partner number 3 has no name", 'name = "'),
    ),
    (
        "partner_name_without_letters",
        pcc('name = "Lancashire PCC"', 'name = "!!!"'),
        ('name = "!!!"', 1),
        ("'!!!' has no letters or digits",),
    ),
    (
        "place_without_a_name",
        edit('name = "Hyndburn"\n', ""),
        ("[place]", 1),
        ("[place] has no name", 'name = "Hyndburn"'),
    ),
    (
        "place_without_a_code",
        edit('code = "E07000120"   # Hyndburn\n', ""),
        ("[place]", 1),
        ("[place] has no code", 'code = "E07000120"'),
    ),
    (
        "place_name_empty",
        edit('name = "Hyndburn"', 'name = "  "'),
        ('name = "  "', 1),
        ("[place] name is empty",),
    ),
    (
        "place_written_as_a_key",
        'place = "Hyndburn"\n' + BASE[BASE.index("[[partners]]") :],
        ('place = "Hyndburn"', 1),
        ("place is the text 'Hyndburn'", "write [place]"),
    ),
    (
        "place_in_double_brackets",
        edit("[place]", "[[place]]"),
        ("[[place]]", 1),
        ("place is a list", "write [place] (single brackets)"),
    ),
    # ---- unknown keys, with the nearest known key
    (
        "fy_start_month_misspelt",
        pcc("fy_start_month = 4", "fy_start_mnth = 4"),
        ("fy_start_mnth", 1),
        (
            "unknown key 'fy_start_mnth' in partner 'Lancashire PCC'; did you mean 'fy_start_month'?",
        ),
    ),
    (
        "population_year_misspelt",
        edit("population_year = 2024", "populaton_year = 2024"),
        ("populaton_year", 1),
        ("unknown key 'populaton_year' in [place]; did you mean 'population_year'?",),
    ),
    (
        "partner_singular_table",
        BASE + '\n[partner]\nname = "Lancashire County Council"\n',
        ("[partner]", 1),
        ("unknown key or table 'partner'", "did you mean 'partners'?"),
    ),
    (
        "area_for_areas",
        pcc('areas = ["E23000003"]', 'area = ["E23000003"]'),
        ("area = [", 1),
        ("unknown key 'area'", "did you mean 'areas'?"),
    ),
    (
        "unrelated_partner_key",
        pcc("fy_start_month = 4", 'website = "x"\nfy_start_month = 4'),
        ("website", 1),
        ("unknown key 'website'", "the keys allowed there are name, sector, areas"),
    ),
    # ---- sectors
    (
        "sector_misspelt",
        pcc('sector = "police"', 'sector = "polise"'),
        ('sector = "polise"', 1),
        ("sector 'polise' is not a sector", "did you mean 'police'?"),
    ),
    (
        "sector_capitalised",
        pcc('sector = "police"', 'sector = "Police"'),
        ('sector = "Police"', 1),
        ("sector 'Police' is not a sector", "did you mean 'police'?"),
    ),
    (
        "sector_empty",
        pcc('sector = "police"', 'sector = ""'),
        ('sector = ""', 1),
        ("sector is empty",),
    ),
    (
        "sector_a_list",
        pcc('sector = "police"', 'sector = ["police"]'),
        ('sector = ["police"]', 1),
        ("sector is a list, not text",),
    ),
    # ---- ONS codes of the wrong kind, or unknown
    (
        "police_given_the_county",
        pcc('areas = ["E23000003"]', 'areas = ["E10000017"]'),
        ('areas = ["E10000017"]', 1),
        ("'E10000017' is a county (Lancashire)", "police force areas", "use E23000003"),
    ),
    (
        "police_given_the_district",
        pcc('areas = ["E23000003"]', 'areas = ["E07000120"]'),
        ('areas = ["E07000120"]', 2),
        ("'E07000120' is a district (Hyndburn)", "police force areas", "use E23000003"),
    ),
    (
        "police_given_the_fire_area",
        pcc('areas = ["E23000003"]', 'areas = ["E31000023"]'),
        ('areas = ["E31000023"]', 2),
        ("fire and rescue authority area", "police force areas (E23 or W15) are expected"),
    ),
    (
        "fire_given_the_police_area",
        edit('areas = ["E31000023"]', 'areas = ["E23000003"]'),
        ('areas = ["E23000003"]', 1),
        ("'E23000003' is a police force area", "use E31000023 (Lancashire)"),
    ),
    (
        "fire_area_one_digit_short",
        edit('areas = ["E31000023"]', 'areas = ["E3100023"]'),
        ("E3100023", 1),
        ("'E3100023' is not a known ONS area code", "E31000023"),
    ),
    (
        "district_code_one_digit_short",
        edit('areas = ["E07000120"]', 'areas = ["E0700120"]'),
        ("E0700120", 1),
        ("'E0700120' is not a known ONS area code", "E07000120"),
    ),
    (
        "district_council_given_the_police_area",
        edit('areas = ["E07000120"]', 'areas = ["E23000003"]'),
        ('areas = ["E23000003"]', 1),
        ("'E23000003' is a police force area", "local authority districts"),
    ),
    (
        "district_council_given_a_ward",
        edit('areas = ["E07000120"]', 'areas = ["E05015239"]'),
        ("E05015239", 1),
        ("'E05015239' is a ward", "local authority districts"),
    ),
    (
        "place_code_unknown",
        edit('code = "E07000120"', 'code = "E99999999"'),
        ("E99999999", 1),
        ("[place] code 'E99999999' is not a known ONS area code", "E07000120 for Hyndburn"),
    ),
    (
        "place_code_one_digit_short",
        edit('code = "E07000120"', 'code = "E0700012"'),
        ("E0700012", 1),
        ("[place] code 'E0700012' is not a known ONS area code", "E11000001 for Greater"),
    ),
    (
        "place_areas_with_a_bad_code",
        edit(
            "financial_year_start = 4",
            'financial_year_start = 4\nareas = ["E08000003", "E0800009"]',
        ),
        ("E0800009", 1),
        ("[place] areas", "'E0800009' is not a known ONS area code"),
    ),
    (
        "place_areas_as_a_string",
        edit("financial_year_start = 4", 'financial_year_start = 4\nareas = "E08000003"'),
        ('areas = "E08000003"', 1),
        ("[place] areas must be a list",),
    ),
    # ---- the same partner twice under other spellings
    (
        "duplicate_slug_spelt_differently",
        pcc('name = "Lancashire PCC"', 'name = "lancashire-pcc"') + "\n" + PCC_BLOCK,
        ('name = "Lancashire PCC"', 1),
        ("'Lancashire PCC' is the same partner as 'lancashire-pcc'", "'lancashire-pcc'"),
    ),
    (
        "duplicate_name_other_case",
        BASE + '\n[[partners]]\nname = "HYNDBURN borough council"\nsector = "district_council"\n',
        ("HYNDBURN borough council", 1),
        ("same partner as 'Hyndburn Borough Council'",),
    ),
    # ---- pinned columns
    (
        "column_field_misspelt",
        pcc(
            'sources = ["data/pcc/*.xlsx"]',
            'sources = ["data/pcc/*.xlsx"]\n[partners.columns]\namout = "Net"',
        ),
        ('amout = "Net"', 1),
        ("unknown field 'amout'", "did you mean 'amount'?"),
    ),
    (
        "column_number_negative",
        pcc(
            'sources = ["data/pcc/*.xlsx"]',
            'sources = ["data/pcc/*.xlsx"]\n[partners.columns]\namount = -1',
        ),
        ("amount = -1", 1),
        ("columns amount = -1 is negative", "count from 0"),
    ),
    (
        "column_a_boolean",
        pcc(
            'sources = ["data/pcc/*.xlsx"]',
            'sources = ["data/pcc/*.xlsx"]\ncolumns = { amount = true }',
        ),
        ("columns = {", 1),
        ("columns amount is the boolean true", "column number from 0"),
    ),
    (
        "two_fields_in_one_column",
        pcc(
            'sources = ["data/pcc/*.xlsx"]',
            'sources = ["data/pcc/*.xlsx"]\n[partners.columns]\namount = 3\ndate = 3',
        ),
        ("date = 3", 1),
        ("columns date and amount both name 3", "own column"),
    ),
    (
        "columns_a_list",
        pcc('sources = ["data/pcc/*.xlsx"]', 'sources = ["data/pcc/*.xlsx"]\ncolumns = ["amount"]'),
        ("columns = [", 1),
        ("columns is a list", "must be a table"),
    ),
    # ---- [limits]
    (
        "limit_negative",
        BASE + "\n[limits]\nmax_file_mb = -5\n",
        ("max_file_mb", 1),
        ("[limits] max_file_mb = -5 is out of range", "1 or more", "default is 2048"),
    ),
    (
        "limit_zero",
        BASE + "\n[limits]\nmax_zip_depth = 0\n",
        ("max_zip_depth", 1),
        ("[limits] max_zip_depth = 0 is out of range",),
    ),
    (
        "limit_misspelt",
        BASE + "\n[limits]\nmax_filemb = 4096\n",
        ("max_filemb", 1),
        ("unknown key 'max_filemb' in [limits]; did you mean 'max_file_mb'?",),
    ),
    (
        "limit_unknown",
        BASE + "\n[limits]\nmax_patience = 3\n",
        ("max_patience", 1),
        ("unknown key 'max_patience' in [limits]", "max_file_mb"),
    ),
    (
        "limit_in_quotes",
        BASE + '\n[limits]\nmax_zip_depth = "3"\n',
        ("max_zip_depth", 1),
        ("max_zip_depth must be a whole number", "without quotes"),
    ),
    (
        "limit_a_fraction",
        BASE + "\n[limits]\nmax_columns = 2.5\n",
        ("max_columns", 1),
        ("max_columns must be a whole number",),
    ),
    (
        "limits_not_a_table",
        BASE.replace("[place]", "limits = 5\n[place]"),
        ("limits = 5", 1),
        ("limits is the number 5", "[limits]"),
    ),
    # ---- [wards]
    (
        "ward_drivers_not_a_table",
        BASE + '\n[wards]\ndrivers = "older"\n',
        ('drivers = "older"', 1),
        ("[wards] drivers must be a table",),
    ),
    (
        "wards_key_misspelt",
        BASE + '\n[wards]\ndefualt = "population"\n',
        ("defualt", 1),
        ("unknown key 'defualt' in [wards]; did you mean 'default'?",),
    ),
    # ---- not TOML at all
    (
        "text_without_quotes",
        edit('name = "Hyndburn"', "name = Hyndburn"),
        ("name = Hyndburn", 1),
        ("not valid TOML", "text goes in quotes"),
    ),
    (
        "list_not_closed",
        pcc('areas = ["E23000003"]', 'areas = ["E23000003"'),
        ("fy_start_month = 4", 2),  # tomllib finds the open list on the next line
        ("not valid TOML", "Unclosed array", "the one above it"),
    ),
    (
        "key_given_twice",
        edit("population_year = 2024", "population_year = 2024\npopulation_year = 2023"),
        ("population_year = 2023", 1),
        ("not valid TOML",),
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [pytest.param(text, where, words, id=name) for name, text, where, words in BROKEN],
)
def test_a_broken_place_file_is_an_error_naming_its_line_and_key(
    tmp_path: Path, text: str, where: tuple[str, int], words: tuple[str, ...]
) -> None:
    root = write(tmp_path, text)
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(root)
    message = str(caught.value)
    assert str(root / "place.toml") in message
    assert f"line {line_of(text, *where)}: " in message, message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "[bold" not in message and "[/" not in message  # plain text, no Rich markup


def test_there_are_at_least_45_broken_variants() -> None:
    assert len(BROKEN) >= 45 and len({name for name, *_ in BROKEN}) == len(BROKEN)


def test_every_fault_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    text = pcc("fy_start_month = 4", "fy_start_month = 13")
    text = edit('sector = "fire"', 'sector = "fyre"', text)
    text = edit("population_year = 2024", "population_year = 1900", text)
    root = write(tmp_path, text)
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(root)
    from totalplace.workspace import PlaceFileProblem

    problems = caught.value.problems
    assert all(isinstance(p, PlaceFileProblem) for p in problems)
    assert [p.line for p in problems] == [
        line_of(text, "population_year"),
        line_of(text, 'sector = "fyre"'),
        line_of(text, "fy_start_month = 13"),
    ]
    assert [p.key for p in problems] == [
        "place.population_year",
        "partners.sector",
        "partners.fy_start_month",
    ]
    assert str(caught.value).startswith(f"{root / 'place.toml'} has 3 problems:")


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    root = write(tmp_path, BASE)
    (root / "place.toml").write_bytes(BASE.replace("Hyndburn", "Hyndb\xfcrn").encode("latin-1"))
    with pytest.raises(WorkspaceError, match="UTF-8"):
        open_workspace(root)


def test_lines_are_found_past_multiline_lists_and_strings(tmp_path: Path) -> None:
    text = pcc(
        'sources = ["data/pcc/*.xlsx"]',
        'sources = [\n  "data/pcc/*.xlsx",\n  "data/pcc/old/*.xlsx",\n]\naliases = [\n  "x = 1",\n]\nfy_start_mnth = 4',
    )
    root = write(tmp_path, text)
    with pytest.raises(
        WorkspaceError, match=rf"line {line_of(text, 'fy_start_mnth')}: unknown key"
    ):
        open_workspace(root)


# ----------------------------------------------------------------------------- valid files


def test_the_base_file_gives_the_place_partners_and_default_limits(tmp_path: Path) -> None:
    from totalplace.limits import DEFAULT_LIMITS

    ws = open_workspace(write(tmp_path, BASE))
    assert (ws.place.code, ws.place.name, ws.place.population_year) == (
        "E07000120",
        "Hyndburn",
        2024,
    )
    assert ws.place.areas == () and ws.place.area_codes() == ("E07000120",)
    assert [p.slug for p in ws.partners] == [
        "hyndburn-borough-council",
        "lancashire-fire-and-rescue-service",
        "lancashire-pcc",
    ]
    police = ws.partner("Lancashire PCC")
    assert police is not None and police.areas == ("E23000003",) and len(police.districts()) == 14
    assert ws.limits == DEFAULT_LIMITS


def test_partners_take_the_place_financial_year_unless_they_say(tmp_path: Path) -> None:
    ws = open_workspace(
        write(tmp_path, edit("financial_year_start = 4", "financial_year_start = 1"))
    )
    fire = ws.partner("Lancashire Fire and Rescue Service")
    police = ws.partner("Lancashire PCC")
    assert fire is not None and fire.fy_start_month == 1
    assert police is not None and police.fy_start_month == 4


def test_codes_are_read_in_any_case_and_stored_in_capitals(tmp_path: Path) -> None:
    ws = open_workspace(write(tmp_path, edit('code = "E07000120"', 'code = "e07000120"')))
    assert ws.place.code == "E07000120"
    ws = open_workspace(write(tmp_path, pcc('areas = ["E23000003"]', 'areas = ["e23000003"]')))
    police = ws.partner("Lancashire PCC")
    assert police is not None and police.areas == ("E23000003",)


def test_limits_override_only_what_they_name(tmp_path: Path) -> None:
    from totalplace.limits import Limits

    ws = open_workspace(
        write(tmp_path, BASE + "\n[limits]\nmax_file_mb = 4096\nmax_zip_depth = 5\n")
    )
    assert ws.limits == Limits(max_file_mb=4096, max_zip_depth=5)


def test_pinned_columns_by_header_and_number(tmp_path: Path) -> None:
    text = pcc(
        'sources = ["data/pcc/*.xlsx"]',
        'sources = ["data/pcc/*.xlsx"]\n[partners.columns]\namount = "Net Amount"\ndate = 0',
    )
    police = open_workspace(write(tmp_path, text)).partner("Lancashire PCC")
    assert police is not None and police.columns == {"amount": "Net Amount", "date": 0}
    inline = edit('aliases = ["Hyndburn BC"]', 'columns = { amount = 7, supplier_name = "Payee" }')
    council = open_workspace(write(tmp_path, inline)).partner("Hyndburn Borough Council")
    assert council is not None and council.columns == {"amount": 7, "supplier_name": "Payee"}


@pytest.mark.parametrize(
    ("sector", "code"),
    [
        ("fire", "E10000017"),  # a county fire authority named by its county
        ("fire", "E07000120"),
        ("police", "W15000001"),  # North Wales police force area
        ("nhs_icb", "E10000017"),
        ("combined_authority", "E11000001"),
        ("unknown", "E23000003"),
    ],
)
def test_areas_of_the_kinds_a_sector_covers_are_accepted(
    tmp_path: Path, sector: str, code: str
) -> None:
    text = (
        BASE + f'\n[[partners]]\nname = "Another body"\nsector = "{sector}"\nareas = ["{code}"]\n'
    )
    partner = open_workspace(write(tmp_path, text)).partner("Another body")
    assert partner is not None and partner.areas == (code,)


@pytest.mark.parametrize(
    ("code", "areas"),
    [
        ("E11000001", ()),  # Greater Manchester
        ("E10000017", ()),  # Lancashire county
        ("E08000003", ("E08000003", "E08000009")),  # two districts
        ("E08000009", ("E05015239", "E05015240", "E05015241")),  # three Trafford wards
    ],
)
def test_a_place_may_be_any_known_area_or_a_union_of_areas(
    tmp_path: Path, code: str, areas: tuple[str, ...]
) -> None:
    text = edit('code = "E07000120"   # Hyndburn', f'code = "{code}"', PLACE_TABLE)
    if areas:
        text += "areas = [" + ", ".join(f'"{a}"' for a in areas) + "]\n"
    ws = open_workspace(write(tmp_path, text))
    assert ws.place.code == code and ws.place.areas == areas and ws.partners == []
    assert ws.place.area_codes() == (areas or (code,))


def test_a_wards_table_and_a_partner_with_only_a_name_are_valid(tmp_path: Path) -> None:
    text = (
        BASE
        + '\n[[partners]]\nname = "Hyndburn Leisure"\n\n[wards]\ndefault = "population"\ndrivers = { "Older people" = "older" }\n'
    )
    partner = open_workspace(write(tmp_path, text)).partner("Hyndburn Leisure")
    assert partner is not None and (partner.sector, partner.areas, partner.sources) == (
        "unknown",
        (),
        (),
    )


def test_the_bundled_example_and_a_fresh_workspace_open(tmp_path: Path) -> None:
    from totalplace.workspace import init_workspace

    example = open_workspace(EXAMPLE)
    assert [p.sector for p in example.partners] == ["district_council", "fire", "police"]
    init_workspace(tmp_path / "fresh", "E07000120")
    assert open_workspace(tmp_path / "fresh").place.name == "Hyndburn"


# ----------------------------------------------------------------------------- init


def test_init_refuses_an_unknown_code_even_with_a_name(tmp_path: Path) -> None:
    from totalplace.workspace import init_workspace

    with pytest.raises(WorkspaceError) as caught:
        init_workspace(tmp_path / "ws", "E99999999", name="Nowhere")
    assert "not a known ONS area code" in str(caught.value)
    assert (
        "E07000120 for Hyndburn, E10000017 for Lancashire, E11000001 for Greater Manchester"
        in str(caught.value)
    )
    assert not (tmp_path / "ws" / "place.toml").exists()


def test_init_refuses_a_population_year_without_estimates(tmp_path: Path) -> None:
    from totalplace.workspace import init_workspace

    with pytest.raises(WorkspaceError, match="2010 to 2024"):
        init_workspace(tmp_path / "ws", "E07000120", population_year=2031)


def test_init_suggests_the_code_for_a_place_name(tmp_path: Path) -> None:
    from totalplace.workspace import init_workspace

    with pytest.raises(WorkspaceError, match=re.escape("by that name: E07000120 (Hyndburn)")):
        init_workspace(tmp_path / "ws", "Hyndburn")


runner = CliRunner()


def test_init_without_a_place_outside_a_terminal_says_to_pass_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "ws"), "--json"])
    assert result.exit_code == 2  # usage: pass --place
    assert "pass --place CODE" in json.loads(result.stdout)["error"]
    assert not (tmp_path / "ws" / "place.toml").exists()


def test_init_in_a_terminal_asks_for_the_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import totalplace.cli.support

    monkeypatch.setattr(totalplace.cli.support, "asks_in_terminal", lambda: True)
    result = runner.invoke(app, ["init", str(tmp_path / "ws")], input="E10000017\n")
    assert result.exit_code == 0, result.output
    assert open_workspace(tmp_path / "ws").place.name == "Lancashire"


def test_init_says_what_the_place_resolved_to(tmp_path: Path) -> None:
    districts = reference.expand_area("E11000001")
    people = sum(reference.population(code, 2024)[0] for code in districts)
    result = runner.invoke(app, ["init", str(tmp_path / "gm"), "--place", "E11000001"])
    assert result.exit_code == 0
    assert (
        f"Greater Manchester (E11000001), a metropolitan county: {len(districts)} districts, "
        f"population {people:,} (mid-2024)"
    ) in " ".join(result.stdout.split())
    doc = json.loads(
        runner.invoke(app, ["init", str(tmp_path / "h"), "--place", "E07000120", "--json"]).stdout
    )
    assert doc["place"]["districts"] == ["E07000120"]
    assert doc["place"]["population"] == reference.population("E07000120", 2024)[0]


def test_init_refuses_an_unknown_code_on_the_command_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "ws"), "--place", "E99999999", "--json"])
    error = json.loads(result.stdout)["error"]
    assert result.exit_code == 6 and "not a known ONS area code" in error and "E11000001" in error


# ----------------------------------------------------------------------------- partner add


def _hyndburn(tmp_path: Path) -> Path:
    runner.invoke(app, ["init", str(tmp_path / "ws"), "--place", "E07000120"])
    return tmp_path / "ws"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["Lancs PCC", "--sector", "police", "--area", "E2300003"],
            ("'E2300003' is not a known", "E23000003"),
        ),
        (
            ["Lancs PCC", "--sector", "police", "--area", "E07000120"],
            ("is a district", "police force areas"),
        ),
        (["Lancs PCC", "--sector", "polise"], ("did you mean 'police'?",)),
        (["Lancs PCC", "--fy-start-month", "13"], ("fy_start_month = 13", "from 1 to 12")),
        (["  "], ("empty",)),
    ],
)
def test_partner_add_checks_like_place_toml_and_changes_nothing(
    tmp_path: Path, args: list[str], words: tuple[str, ...]
) -> None:
    root = _hyndburn(tmp_path)
    before = (root / "place.toml").read_text()
    result = runner.invoke(app, ["partner", "add", *args, "--workspace", str(root), "--json"])
    assert result.exit_code == 6
    error = json.loads(result.stdout)["error"]
    for word in words:
        assert word in error, error
    assert (root / "place.toml").read_text() == before


def test_partner_add_refuses_the_same_partner_under_another_spelling(tmp_path: Path) -> None:
    root = _hyndburn(tmp_path)
    args = ["--sector", "police", "--area", "E23000003", "--workspace", str(root), "--json"]
    assert runner.invoke(app, ["partner", "add", "Lancs PCC", *args]).exit_code == 0
    result = runner.invoke(app, ["partner", "add", "lancs-pcc", *args])
    assert (
        result.exit_code == 6
        and "already in place.toml (as 'Lancs PCC')" in json.loads(result.stdout)["error"]
    )
    assert len(open_workspace(root).partners) == 1


def test_a_command_on_a_broken_place_file_stops_before_counting(tmp_path: Path) -> None:
    text = pcc('areas = ["E23000003"]', 'areas = ["E2300003"]')
    root = write(tmp_path, text)
    result = runner.invoke(app, ["count", "--workspace", str(root), "--json"])
    error = json.loads(result.stdout)["error"]
    assert result.exit_code == 6 and f"line {line_of(text, 'E2300003')}: " in error
    assert "E23000003 (Lancashire)" in error
