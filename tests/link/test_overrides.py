"""A reviewer's decisions in supplier_overrides.toml: validated clearly, and kept on every re-run."""

from __future__ import annotations

import shutil

import pytest
from linkhelpers import supplier_of

from totalplace.link import OVERRIDES_FILE, OverridesError, link, parse_overrides
from totalplace.link.overrides import TEMPLATE
from totalplace.workspace import open_workspace


def test_the_commented_template_is_valid_and_empty():
    assert parse_overrides(TEMPLATE).decisions == ()


def test_each_decision_is_read_with_its_payees_and_note():
    overrides = parse_overrides(
        """
[[confirm]]
names = ["BT GLOBAL SERVICES", {name = "BT Global Servies", partner = "oxford"}]
note = "checked"

[[merge]]
names = ["London & Quadrant Housing Trust", "L&Q T/A London & Quadrant Housing T"]

[[split]]
name = "JOSLINS STONEMASONRY LTD"
partner = "oxford"
""",
        partners=["oxford", "trafford"],
    )
    actions = [
        (d.action, [(p.name, p.partner) for p in d.payees], d.note) for d in overrides.decisions
    ]
    assert actions == [
        ("split", [("JOSLINS STONEMASONRY LTD", "oxford")], ""),
        ("confirm", [("BT GLOBAL SERVICES", None), ("BT Global Servies", "oxford")], "checked"),
        (
            "merge",
            [
                ("London & Quadrant Housing Trust", None),
                ("L&Q T/A London & Quadrant Housing T", None),
            ],
            "",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[merge]]\nnames = 'A Ltd'\n", "[[merge]] number 1: names must be a list of at least 2"),
        ("[[merge]]\nnames = ['A Ltd']\n", "at least 2 payee names"),
        ("[[split]]\nnames = ['A Ltd']\n", "[[split]] number 1: unknown key(s) names"),
        (
            "[[apart]]\nnames = ['A Ltd', 'B Ltd', 'C Ltd']\n",
            "[[apart]] number 1: names must be exactly two",
        ),
        ("[[split]]\npartner = 'oxford'\n", 'a payee needs name = "published name"'),
        (
            "[[unsplit]]\nname = 'A'\n",
            "unknown table(s) unsplit; use [[confirm]], [[merge]], [[split]] or [[apart]]",
        ),
        (
            "[[split]]\nname = 'A'\npartner = 'leeds'\n",
            "no partner 'leeds'; use one of oxford, trafford",
        ),
        ("[[merge]]\nnames = ['A', 3]\n", "a payee is a name in quotes"),
        ("[[confirm]]\nnames = ['A']\nnote = 7\n", "note must be text in quotes"),
        ("[[merge]\nnames = ['A']\n", "is not valid TOML"),
    ],
)
def test_mistakes_in_the_file_are_reported_with_where_and_how_to_fix(text, message):
    with pytest.raises(OverridesError) as caught:
        parse_overrides(text, partners=["oxford", "trafford"])
    assert message in str(caught.value)


def test_link_writes_a_commented_overrides_file_once(hyndburn, hyndburn_register):
    path = hyndburn.root / OVERRIDES_FILE
    assert path.read_text(encoding="utf-8") == TEMPLATE


def test_decisions_are_kept_when_link_runs_again(hyndburn, hyndburn_register, tmp_path):
    # A copy of the linked example, so other tests keep the automatic register.
    root = tmp_path / "reviewed"
    shutil.copytree(hyndburn.root, root)
    ws = open_workspace(root)
    members = hyndburn_register.members.to_pylist()
    by_supplier: dict[str, list[dict]] = {}
    for m in members:
        by_supplier.setdefault(m["supplier_id"], []).append(m)
    # A supplier matched across partners, and two single-payee suppliers to merge.
    # (names are matched without regard to case, so pick a payee spelt unlike the rest)
    matched, split_out = next(
        (ms, m)
        for ms in by_supplier.values()
        if len({x["partner"] for x in ms}) == 3
        for m in ms
        if m["match_rule"] != "canonical"
        and sum(x["raw_name"].upper() == m["raw_name"].upper() for x in ms) == 1
    )
    singles = [ms[0] for ms in by_supplier.values() if len(ms) == 1 and ms[0]["role"] == "org"][:2]
    (root / OVERRIDES_FILE).write_text(
        f"""
[[split]]
name = {split_out["raw_name"]!r}
partner = {split_out["partner"]!r}
note = "a reviewer says this is another company"

[[merge]]
names = [{singles[0]["raw_name"]!r}, {singles[1]["raw_name"]!r}]

[[confirm]]
names = [{matched[0]["raw_name"]!r}]

[[merge]]
names = ["NO SUCH PAYEE LTD", {singles[0]["raw_name"]!r}]
""",
        encoding="utf-8",
    )
    for _ in range(2):  # the decisions hold on every run
        register = link(ws)
        assert supplier_of(register, split_out["partner"], split_out["raw_name"]) != supplier_of(
            register, matched[0]["partner"], matched[0]["raw_name"]
        )
        assert supplier_of(register, singles[0]["partner"], singles[0]["raw_name"]) == supplier_of(
            register, singles[1]["partner"], singles[1]["raw_name"]
        )
        confirmed = supplier_of(register, matched[0]["partner"], matched[0]["raw_name"])
        assert next(s for s in register.suppliers.to_pylist() if s["supplier_id"] == confirmed)[
            "reviewed"
        ]
        rules = {(x["rule"], x["applied"]) for x in register.links.to_pylist()}
        assert ("override_merge", True) in rules
        assert any("NO SUCH PAYEE LTD" in w for w in register.warnings)


def test_an_invalid_overrides_file_stops_link_before_anything_is_written(hyndburn, tmp_path):
    root = tmp_path / "broken"
    shutil.copytree(hyndburn.root, root)
    (root / OVERRIDES_FILE).write_text("[[merge]]\nnames = ['only one']\n", encoding="utf-8")
    with pytest.raises(OverridesError, match="at least 2"):
        link(open_workspace(root))
