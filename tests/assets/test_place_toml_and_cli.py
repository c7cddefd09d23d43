"""[[assets]] in place.toml is checked like the rest of it; the command answers in JSON."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.assets.helpers import TC_HEADER, declare, write_csv
from totalplace.cli import app
from totalplace.errors import BadInputError
from totalplace.workspace import WorkspaceError, init_workspace, open_workspace

runner = CliRunner()


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            'body = "NHS GP practices"\nfile = ["gp.csv"]',
            r"unknown key 'file'.*did you mean 'files'",
        ),
        ('files = ["gp.csv"]', r"has no body"),
        ('body = "NHS"', r"has no files"),
        ('body = "NHS"\nfiles = "gp.csv"', r"files must be a list"),
        ('body = "NHS"\nfiles = ["gp.csv"]\nareas = ["E0700012"]', r"areas"),
    ],
)
def test_a_bad_assets_block_is_named_with_its_line(tmp_path, block, message):
    init_workspace(tmp_path / "ws", "E07000120")
    with (tmp_path / "ws" / "place.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[[assets]]\n{block}\n")
    with pytest.raises(WorkspaceError, match=message) as caught:
        open_workspace(tmp_path / "ws")
    assert "place.toml" in str(caught.value) and "line" in str(caught.value)


def test_a_register_file_that_is_not_there_is_a_clear_error(tmp_path):
    from totalplace.assets import assets

    init_workspace(tmp_path / "ws", "E07000120")
    declare(tmp_path / "ws", [("NHS GP practices", ["data/none.csv"], [])])
    with pytest.raises(BadInputError, match=r"place\.toml.*'data/none\.csv'.*matches no file"):
        assets(open_workspace(tmp_path / "ws"))


def test_without_registers_the_command_says_how_to_declare_one(tmp_path):
    init_workspace(tmp_path / "ws", "E07000120")
    result = runner.invoke(app, ["assets", "-w", str(tmp_path / "ws")])
    assert result.exit_code == 6
    assert "[[assets]]" in result.output


def test_the_command_prints_one_json_document(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    write_csv(
        root / "data" / "a.csv",
        TC_HEADER,
        [
            [
                "A",
                "1",
                "A1",
                "Library",
                "BB5 1AA",
                "OSGB36",
                "375000",
                "430000",
                "",
                "Buildings",
                "100",
            ],
            ["A", "2", "A2", "Depot", "", "", "", "", "", "Land", ""],
        ],
    )
    write_csv(
        root / "data" / "b.csv",
        TC_HEADER,
        [
            [
                "B",
                "3",
                "B1",
                "Clinic",
                "BB5 2BB",
                "OSGB36",
                "375180",
                "430240",
                "",
                "Buildings",
                "50",
            ]
        ],
    )
    declare(
        root,
        [("Body A", ["data/a.csv"], ["E07000120"]), ("Body B", ["data/b.csv"], ["E07000120"])],
    )
    result = runner.invoke(app, ["assets", "-w", str(root), "--json", "--radius", "400"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["radius_m"] == 400.0
    assert [r["not_located"] for r in document["registers"]] == [1, 0]
    (cluster,) = document["clusters"]
    assert cluster["span_m"] == 300.0  # sqrt(180^2 + 240^2)
    assert {m["asset_id"] for m in document["members"]} == {"A1", "B1"}
    assert document["tables"]["assets"] == 3
