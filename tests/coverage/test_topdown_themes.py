"""Themes of the top-down lines: the shipped mapping, checked against the published workbooks."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest

from totalplace.classify import THEMES
from totalplace.coverage.estimates import TopdownEstimates
from totalplace.coverage.themes import (
    UNTHEMED,
    WORKSPACE_MAPPING_FILE,
    ThemeMapError,
    load_theme_map,
    shipped_theme_map,
)
from totalplace.coverage.topdown import estimate
from totalplace.workspace import Workspace, init_workspace, open_workspace

# Columns of the CRA 2018 database sheet (index 0 = column A).
DEPT, SEGMENT, COFOG1, SECTOR, REGION, Y2017 = 0, 3, 6, 10, 12, 18
OLDER = "Older people"


def pounds(cell: Any) -> Decimal:
    """Return a £-thousands cell in exact pounds, as the published figure reads."""
    return (Decimal(repr(cell)) * 1000).quantize(Decimal("0.01"), ROUND_HALF_UP)


def cra_rows(sheets: dict[str, list[list[Any]]]) -> list[tuple[int, list[Any]]]:
    """Return (sheet row, cells) of the CRA rows the estimates use: English regions, not local government."""
    return [
        (i, r)
        for i, r in enumerate(sheets["cra"], start=1)
        if i > 1
        and str(r[REGION]).startswith("ENGLAND_")
        and r[SECTOR] != "LG"
        and not str(r[DEPT]).startswith("Local Government")
    ]


def as_row(cells: list[Any]) -> dict[str, Any]:
    """Return a CRA sheet row in the shape the mapping matches (source, line, detail)."""
    segment = str(cells[SEGMENT])
    return {
        "source": "HM Treasury CRA 2018",
        "line": str(cells[COFOG1]),
        "detail": f"{cells[DEPT]} / {cells[1]} / {segment}",
    }


def is_older_by_hand(cells: list[Any]) -> bool:
    """Return whether a CRA row is 'Older people' by the rules' own words, read straight off the sheet."""
    cofog, dept, segment = str(cells[COFOG1]), str(cells[DEPT]), str(cells[SEGMENT])
    if cofog == "10.2 Old age":
        return True
    if cofog == "10.3 Survivors":
        return dept != "Department for Work and Pensions"
    return cofog == "10.1 Sickness and disability" and "ATTENDANCE ALLOWANCE" in segment


@pytest.fixture(scope="module")
def estimated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, TopdownEstimates]:
    root = tmp_path_factory.mktemp("themes") / "ws"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    return ws, estimate(ws, 2024)


def test_every_rule_gives_themes_of_the_fixed_list_and_whole_lines():
    mapping = shipped_theme_map()
    assert len(mapping.rules) > 30
    for rule in mapping.rules:
        for theme, _ in rule.parts:
            assert theme in THEMES or theme == UNTHEMED, rule.id
        assert sum(share for _, share in rule.parts) == 1, rule.id
        assert all(t in THEMES for t in rule.partly), rule.id
        assert rule.note, f"{rule.id} has no note"


def test_every_published_cra_line_and_rs_line_has_a_rule_and_every_rule_is_used(sheets):
    mapping = shipped_theme_map()
    used: set[str] = set()
    rows = cra_rows(sheets)
    for (i, cells), rule in zip(rows, mapping.rules_for([as_row(c) for _, c in rows]), strict=True):
        assert rule is not None, f"CRA row {i} ({cells[COFOG1]}, {cells[SEGMENT]}) has no rule"
        used.add(rule.id)
    header = sheets["rs17"][5]  # row 6: the RS line codes 190, 290, ...
    codes = [str(int(c)) for c in header if isinstance(c, float) and 190 <= c <= 714]
    names = {"711", "712", "713", "714"}
    for code in codes:
        if int(code) > 698 and code not in names:
            continue  # 699 (the total) and 7xx lines other than housing benefit are not estimated
        rule = mapping.rule_for({"source": "MHCLG RS", "line": f"{code} x", "detail": ""})
        assert rule is not None and rule.source == "RS", code
        used.add(rule.id)
    assert {r.id for r in mapping.rules} == used  # no rule claims lines that do not exist


def test_old_age_attendance_allowance_and_survivors_pensions_are_older_people(sheets, estimated):
    _, result = estimated
    north_west = [
        (i, c) for i, c in cra_rows(sheets) if c[REGION] == "ENGLAND_North West" and c[Y2017] != ""
    ]
    expected = {i for i, c in north_west if is_older_by_hand(c)}
    themed = {
        r["sheet_row"]
        for r in result.rows
        if r["source"].startswith("HM Treasury") and r["theme"] == OLDER
    }
    assert themed == expected
    allowance = next(
        r for r in result.rows if "ATTENDANCE ALLOWANCE" in r["detail"] and r["cap_cur"] == "CUR"
    )
    assert allowance["theme_rule"] == "cra.dwp.attendance_allowance"
    assert "aged 60 and over" in allowance["driver"]  # the beneficiaries: over pension age


def test_adult_social_care_is_unthemed_and_visible_as_partly_older_people(estimated):
    _, result = estimated
    rows = [r for r in result.rows if r["cell"] == "I56"]  # Lancashire, adult social care
    assert len(rows) == 1
    row = rows[0]
    assert row["theme"] == UNTHEMED and row["theme_rule"] == "rs.adult_social_care"
    assert OLDER in row["theme_partly"] and row["estimate"] == row["line_estimate"] > 0


def test_every_estimate_row_has_a_theme_and_a_rule_and_the_totals_are_unchanged(estimated):
    ws, result = estimated
    assert result.rows
    for row in result.rows:
        assert row["theme"] in THEMES or row["theme"] == UNTHEMED
        assert row["theme_rule"] is not None
        assert row["theme_share"] == 1 and row["estimate"] == row["line_estimate"]
    by_theme = sum((v for v in result.by_kind().values()), Decimal(0))
    assert by_theme == sum((r["line_estimate"] for r in result.rows), Decimal(0))
    import duckdb

    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        stored = con.execute(
            "SELECT count(*), count(theme_rule), sum(estimate) FROM topdown_estimates"
        ).fetchone()
    finally:
        con.close()
    assert stored == (len(result.rows), len(result.rows), by_theme)


def test_a_workspace_mapping_can_split_a_line_to_the_penny(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    shipped = open_text_of_shipped()  # the shipped file, with line 360 split below
    split = shipped.replace(
        'line = \'^360 \'\nunthemed = true\npartly = ["Older people", "Health and wellbeing"]',
        'line = \'^360 \'\nsplit = { "Older people" = 45.5, "Health and wellbeing" = 54.5 }\n'
        'split_source = "test figures, not a publication"',
    )
    assert split != shipped
    (root / WORKSPACE_MAPPING_FILE).write_text(split, encoding="utf-8")
    result = estimate(ws, 2024)
    parts = [r for r in result.rows if r["cell"] == "I56"]
    assert [p["theme"] for p in parts] == ["Health and wellbeing", OLDER]
    line = parts[0]["line_estimate"]
    assert sum(p["estimate"] for p in parts) == line
    for p in parts:
        exact = Fraction(line) * Fraction(p["theme_share"])
        assert abs(Fraction(p["estimate"]) - exact) < Fraction(1, 100)
    assert {p["theme_share"] for p in parts} == {Decimal("0.455"), Decimal("0.545")}
    assert any("workspace's own mapping" in n for n in result.notes)


def open_text_of_shipped() -> str:
    """Return the text of the shipped mapping file."""
    from importlib.resources import files

    return (
        files("totalplace")
        .joinpath("data")
        .joinpath("topdown")
        .joinpath("themes.toml")
        .read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('theme = "Pensioners"', "not a theme"),
        ('split = { "Older people" = 50, "Health and wellbeing" = 40 }\nsplit_source = "x"', "90"),
        ('split = { "Older people" = 50, "Health and wellbeing" = 50 }', "split_source"),
        ('theme = "Older people"\nunthemed = true', "exactly one"),
    ],
)
def test_a_mapping_that_is_wrong_is_refused_with_the_rule_named(tmp_path, body, message):
    path = tmp_path / "themes.toml"
    path.write_text(
        f'[[rule]]\nid = "my.rule"\nsource = "RS"\nline = "^360 "\n{body}\n', encoding="utf-8"
    )
    with pytest.raises(ThemeMapError, match=message) as info:
        load_theme_map(path)
    assert "my.rule" in str(info.value)


def test_a_copy_of_the_shipped_mapping_reads_the_same(tmp_path):
    copy = tmp_path / "themes.toml"
    copy.write_text(open_text_of_shipped(), encoding="utf-8")
    assert [r.id for r in load_theme_map(copy).rules] == [r.id for r in shipped_theme_map().rules]
