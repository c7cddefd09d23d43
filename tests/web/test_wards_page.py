"""The wards page and its API on a counted copy of the example: Hyndburn's ward boundaries,
the map and the ranked table for every role, figures against plain SQL, and what a
workspace without (or with broken) boundaries, or without the count by ward, shows."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from tests.web.test_foundation import sign_in
from tests.workspaces import EXAMPLE, counted_example
from totalplace.money import round_half_up
from totalplace.web import Settings, create_app
from totalplace.web.boundaries import BoundaryError, normalise, ward_boundaries
from totalplace.workspace import Workspace, open_workspace

ACCOUNTS = {
    "public": None,
    "administrator": "admin@example.org",
    "analyst": "analyst@hyndburn.example.org",
    "other partner's analyst": "analyst@police.example.org",
    "board": "board@example.org",
}


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return workspaces: "counted" (count by ward made), "no_ward_count" (counted only)."""
    from totalplace.needs.wards import count_by_ward

    root = tmp_path_factory.mktemp("wards")
    ws = counted_example(root / "counted")
    shutil.copytree(ws.root, root / "no_ward_count")
    count_by_ward(ws)
    return {"counted": ws.root, "no_ward_count": root / "no_ward_count"}


@pytest.fixture(scope="module")
def ws(places: dict[str, Path]) -> Workspace:
    return open_workspace(places["counted"])


def client(root: Path, role: str = "public") -> TestClient:
    found = TestClient(create_app(Settings(workspace=root, demo=True)))
    if ACCOUNTS[role]:
        assert sign_in(found, ACCOUNTS[role]).status_code == 303
    return found


def variant(places: dict[str, Path], tmp_path: Path) -> Path:
    """Return a copy of the counted workspace, to change its boundaries file."""
    return Path(shutil.copytree(places["counted"], tmp_path / "copy"))


def sql(ws: Workspace, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.sql(query).fetchall()
    finally:
        con.close()


def per_head_by_sql(ws: Workspace, year: int = 2024) -> dict[str, Decimal]:
    rows = sql(
        ws,
        "SELECT ward_code, sum(counted_amount), max(population) FROM count_by_ward "
        f"WHERE fy_start_year = {year} GROUP BY ward_code",
    )
    return {code: round_half_up(Fraction(amount) / people) for code, amount, people in rows}


def table_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" data-ward="(E\d{8})">', html)


def test_the_example_ships_hyndburns_16_wards_with_the_codes_the_count_uses(ws: Workspace) -> None:
    shapes = ward_boundaries(ws)
    assert shapes is not None and len(shapes["features"]) == 16
    codes = {f["properties"]["code"] for f in shapes["features"]}
    assert codes == {c for (c,) in sql(ws, "SELECT DISTINCT ward_code FROM count_by_ward")}
    names = {f["properties"]["name"] for f in shapes["features"]}
    assert {"Altham", "Church", "St Oswald's", "Spring Hill"} <= names
    assert all(set(f["properties"]) == {"code", "name"} for f in shapes["features"])
    text = (EXAMPLE / "wards.geojson").read_text()
    decimals = {len(d) for d in re.findall(r"-?\d+\.(\d+)", text)}
    assert max(decimals) <= 5  # rounded to about a metre
    assert "007680b5c3e7" in (EXAMPLE / "SOURCES.md").read_text()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_role_and_the_public_see_the_map_and_the_table(
    places: dict[str, Path], role: str
) -> None:
    page = client(places["counted"], role).get("/wards")
    assert page.status_code == 200
    assert "<svg" in page.text and 'data-chart-for="chart-' in page.text
    assert len(table_rows(page.text)) == 16
    assert 'href="/wards"' in page.text  # in the menu for everyone
    assert "Differences in spend per head between wards come only from those drivers" in page.text
    assert "not-on-map" not in page.text


def test_the_tables_per_head_figures_are_plain_sql_on_count_by_ward(ws: Workspace) -> None:
    page = client(ws.root).get("/wards").text
    shown = dict(re.findall(r'data-ward="(E\d{8})">.*?data-per-head="([\d.]+)"', page, re.S))
    expected = per_head_by_sql(ws)
    assert {c: Decimal(v) for c, v in shown.items()} == expected
    top = max(expected, key=lambda c: expected[c])
    assert table_rows(page)[0] == top  # ranked by spend per head, most first
    assert f"£{expected[top]:,.2f}" in page


def test_the_table_sorts_by_a_get_parameter(ws: Workspace) -> None:
    site = client(ws.root)
    by_name = table_rows(site.get("/wards?sort=name").text)
    names = dict(sql(ws, "SELECT DISTINCT ward_code, ward_name FROM count_by_ward"))
    assert [names[c] for c in by_name] == sorted(names.values())
    need = site.get("/api/v1/wards").json()["wards"]
    by_need = sorted((w for w in need if w["need_rank"] is not None), key=lambda w: w["need_rank"])
    assert table_rows(site.get("/wards?sort=need_rank").text)[: len(by_need)] == [
        w["ward_code"] for w in by_need
    ]
    assert site.get("/wards?sort=anything-else").status_code == 422
    assert 'aria-sort="ascending"' in site.get("/wards?sort=name").text


def test_the_api_returns_the_same_figures_as_decimal_strings(ws: Workspace) -> None:
    site = client(ws.root)
    doc = site.get("/api/v1/wards?year=2024-25").json()
    assert doc["financial_year"] == "2024-25" and len(doc["wards"]) == 16
    assert {w["ward_code"]: Decimal(w["per_head"]) for w in doc["wards"]} == per_head_by_sql(ws)
    assert all(isinstance(w["amount"], str) for w in doc["wards"])
    assert {d["theme"] for d in doc["drivers"]} and doc["notes"]
    shapes = site.get("/api/v1/wards/boundaries").json()
    assert shapes["type"] == "FeatureCollection" and len(shapes["features"]) == 16
    paths = site.get("/openapi.json").json()["paths"]
    assert "/api/v1/wards" in paths and "/api/v1/wards/boundaries" in paths


def test_without_boundaries_the_table_stands_alone_with_how_to_add_them(
    places: dict[str, Path], tmp_path: Path
) -> None:
    root = variant(places, tmp_path)
    (root / "wards.geojson").unlink()
    site = client(root)
    page = site.get("/wards")
    assert page.status_code == 200 and len(table_rows(page.text)) == 16
    assert 'id="no-boundaries"' in page.text and "How to add ward boundaries" in page.text
    assert "data-chart-for" not in page.text
    assert site.get("/api/v1/wards/boundaries").status_code == 404


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "Feature"}', "FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "no features"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"code": "E05005206"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]}',
            "Polygon or MultiPolygon",
        ),
    ],
)
def test_a_malformed_boundaries_file_gives_a_clear_message_not_a_server_error(
    places: dict[str, Path], tmp_path: Path, text: str, says: str
) -> None:
    root = variant(places, tmp_path)
    (root / "wards.geojson").write_text(text)
    site = client(root)
    page = site.get("/wards")
    assert page.status_code == 200 and "The map cannot be drawn" in page.text and says in page.text
    assert len(table_rows(page.text)) == 16
    answer = site.get("/api/v1/wards/boundaries")
    assert answer.status_code == 409 and says in answer.json()["error"]


def test_wards_missing_from_the_boundaries_are_listed_not_dropped(
    places: dict[str, Path], tmp_path: Path
) -> None:
    root = variant(places, tmp_path)
    data = json.loads((root / "wards.geojson").read_text())
    data["features"] = [f for f in data["features"] if f["properties"]["name"] != "Altham"]
    (root / "wards.geojson").write_text(json.dumps(data))
    page = client(root).get("/wards").text
    assert "<svg" in page and len(table_rows(page)) == 16
    listed = page[page.index('id="not-on-map"') :]
    assert "Altham (E05005206)" in listed[: listed.index("</ul>")]


def test_the_page_says_to_run_the_count_by_ward_when_it_has_not_been_run(
    places: dict[str, Path], tmp_path: Path
) -> None:
    site = client(places["no_ward_count"])
    page = site.get("/wards")
    assert page.status_code == 409 and "totalplace count --by ward" in page.text
    answer = site.get("/api/v1/wards")
    assert answer.status_code == 409 and "totalplace count --by ward" in answer.json()["error"]
    shutil.copytree(EXAMPLE, tmp_path / "nothing")  # nothing imported at all
    page = client(tmp_path / "nothing").get("/wards")
    assert page.status_code == 409 and "totalplace import" in page.text


def test_a_year_without_figures_or_not_a_year_is_a_clear_page(ws: Workspace) -> None:
    site = client(ws.root)
    # 2015-16: no ledger of the example's is dated in it (its earliest are the police's of 2018-19)
    assert site.get("/wards?year=2015").status_code == 404
    assert "no ward figures" in site.get("/wards?year=2015").text
    assert site.get("/wards?year=not-a-year").status_code == 422
    assert site.get("/wards?year=" + "9" * 20).status_code == 422


def test_boundary_properties_are_normalised_from_ons_names_and_checked() -> None:
    ring = [[-2.3, 53.7], [-2.4, 53.7], [-2.4, 53.8], [-2.3, 53.7]]
    found = normalise(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"WD23CD": "E05000001", "WD23NM": "Somewhere", "extra": 1},
                    "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
                },
                {
                    "type": "Feature",
                    "properties": {"wd19cd": "E05000002"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                },
            ],
        }
    )
    assert [f["properties"] for f in found["features"]] == [
        {"code": "E05000001", "name": "Somewhere"},
        {"code": "E05000002", "name": "E05000002"},
    ]
    feature = found["features"][1]
    for bad in (
        {**feature, "properties": {"name": "no code"}},
        {**feature, "geometry": {"type": "Polygon", "coordinates": [ring[:2]]}},
        {**feature, "geometry": {"type": "Polygon", "coordinates": [[[500, 0]] * 4]}},
    ):
        with pytest.raises(BoundaryError):
            normalise({"type": "FeatureCollection", "features": [bad]})
    with pytest.raises(BoundaryError, match="more than once"):
        normalise({"type": "FeatureCollection", "features": [feature, feature]})


def test_a_boundaries_file_over_the_limit_is_refused_with_a_message(
    places: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("totalplace.web.boundaries.MAX_BYTES", 1000)
    root = variant(places, tmp_path)
    with pytest.raises(BoundaryError, match="the limit is"):
        ward_boundaries(open_workspace(root))
    page = client(root).get("/wards")
    assert page.status_code == 200 and "Simplify the boundaries" in page.text
