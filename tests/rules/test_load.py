"""The one loader: merge over defaults, disable, provenance, and errors naming file and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from totalplace.classify import load_rules
from totalplace.coverage.outturn import service_rules
from totalplace.coverage.themes import (
    WORKSPACE_MAPPING_FILE,
    ThemeMapError,
    shipped_theme_map,
    theme_map_for,
)
from totalplace.opportunities import load_categories
from totalplace.rules import RulesError
from totalplace.workspace import init_workspace, open_workspace


def test_every_rule_says_the_file_and_line_it_came_from():
    rules = load_rules()
    first = rules.rules[0]
    path, line = first.where.rsplit(":", 1)
    text = Path(path).read_text(encoding="utf-8").splitlines()
    assert text[int(line) - 1].strip() == "[[rule]]"
    assert f'id = "{first.id}"' in "\n".join(text[int(line) : int(line) + 3])
    assert all(r.where.startswith(str(path)) for r in rules.rules)
    category = load_categories().rules[0]
    file, line = category.where.rsplit(":", 1)
    assert file.endswith("categories.toml") and line.isdigit()
    row = service_rules()[0]
    assert (
        row.id == "1" and row.where.endswith("service_map.csv:2") and row.field == "supplier_name"
    )


def test_every_rule_sets_error_is_a_rules_error_and_a_value_error():
    assert issubclass(ThemeMapError, RulesError) and issubclass(RulesError, ValueError)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("line = '(?=10)'\ntheme = \"Older people\"", ["look-arounds", "line"]),
        ("line = '^360 '\ntheme = \"Pensioners\"", ["not a theme"]),
        ('theme = "Older people"', ["needs line"]),
    ],
)
def test_a_broken_workspace_theme_mapping_names_the_file_and_rule(tmp_path, body, words):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    (root / WORKSPACE_MAPPING_FILE).write_text(
        f'[[rule]]\nid = "my.rule"\nsource = "RS"\n{body}\n', encoding="utf-8"
    )
    with pytest.raises(ThemeMapError) as caught:
        theme_map_for(ws)
    message = str(caught.value)
    for word in [WORKSPACE_MAPPING_FILE, "my.rule", *words]:
        assert word in message, message


def test_a_workspace_theme_mapping_may_hold_only_its_changes(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    shipped = shipped_theme_map()
    (root / WORKSPACE_MAPPING_FILE).write_text(
        "use_defaults = true\n"
        '[[rule]]\nid = "rs.adult_social_care"\nsource = "RS"\nline = \'^360 \'\n'
        'theme = "Older people"\n'
        f'[[rule]]\nid = "{shipped.rules[0].id}"\ndisabled = true\n',
        encoding="utf-8",
    )
    mine = theme_map_for(ws)
    assert [r.id for r in mine.rules] == [r.id for r in shipped.rules[1:]]
    changed = mine.rule("rs.adult_social_care")
    assert changed.parts[0][0] == "Older people" and changed.origin.startswith("workspace")
    row = {"source": "MHCLG RS", "line": "360 Adult social care", "detail": "Lancashire"}
    assert mine.rule_for(row) is changed
    with pytest.raises(RulesError):
        (root / WORKSPACE_MAPPING_FILE).write_text(
            'use_defaults = true\n[[rule]]\nid = "no.such"\ndisabled = true\n', encoding="utf-8"
        )
        theme_map_for(ws)
