"""`totalplace link-review`: the uncertain pairs by money at stake, and the reviewer's answers.

Run on the bundled Hyndburn example (real files of the borough, Lancashire police and
fire), linked once; each decision goes to supplier_overrides.toml and is applied by the
next `totalplace link`.
"""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal

import pytest
from linkhelpers import supplier_of
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.link import link, read_overrides
from totalplace.link.review import review_queue
from totalplace.workspace import open_workspace

runner = CliRunner()


@pytest.fixture()
def linked(hyndburn, hyndburn_register, tmp_path):
    """Return a private copy of the linked Hyndburn workspace."""
    root = tmp_path / "ws"
    shutil.copytree(hyndburn.root, root)
    return open_workspace(root)


def _review(ws, *args):
    result = runner.invoke(app, ["link-review", "--workspace", str(ws.root), "--json", *args])
    assert "Traceback" not in result.output
    return result


def test_the_queue_lists_uncertain_pairs_most_money_at_stake_first(linked):
    queue = review_queue(linked).to_pylist()
    assert len(queue) >= 3
    stakes = [row["at_stake"] for row in queue]
    assert stakes == sorted(stakes, reverse=True)
    assert all(isinstance(s, Decimal) for s in stakes)
    # Each pair is there for a reason: a middling name match or rules that disagree.
    assert all(row["evidence"] for row in queue)
    assert len({row["pair"] for row in queue}) == len(queue)
    document = json.loads(_review(linked, "--top", "2").stdout)
    assert document["pairs"] == len(queue) and len(document["queue"]) == 2
    assert document["queue"][0]["at_stake"] == str(queue[0]["at_stake"])


def test_accepting_and_rejecting_are_recorded_in_the_overrides_and_applied_by_link(linked):
    queue = review_queue(linked).to_pylist()
    apart = next(r for r in queue if r["joined"])
    same = next(r for r in queue if not r["joined"])
    result = _review(linked, "--accept", same["pair"], "--reject", apart["pair"].lower())
    assert result.exit_code == 0, result.output
    assert [d["decision"] for d in json.loads(result.stdout)["decisions"]] == ["merge", "apart"]
    decisions = read_overrides(linked.root / "supplier_overrides.toml").decisions
    assert [d.action for d in decisions] == ["merge", "apart"]
    # Decided pairs leave the queue ...
    left = {r["pair"] for r in review_queue(linked).to_pylist()}
    assert same["pair"] not in left and apart["pair"] not in left
    # ... and the next link applies them.
    register = link(linked)
    assert supplier_of(register, same["partner_a"], same["name_a"]) == supplier_of(
        register, same["partner_b"], same["name_b"]
    )
    assert supplier_of(register, apart["partner_a"], apart["name_a"]) != supplier_of(
        register, apart["partner_b"], apart["name_b"]
    )


def test_an_unknown_pair_is_an_error_that_says_what_to_do(linked):
    result = _review(linked, "--accept", "P00000000")
    assert result.exit_code == 2  # a wrong value on the command line (EXIT_USAGE)
    assert "link-review" in json.loads(result.stdout)["error"]
    assert not (linked.root / "supplier_overrides.toml").read_text().count("[[merge]]\nnames")


def test_the_queue_exports_like_every_table(linked, tmp_path):
    target = tmp_path / "review.csv"
    result = runner.invoke(
        app, ["link-review", "--workspace", str(linked.root), "--export", str(target)]
    )
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:6] == ["pair", "partner_a", "name_a", "partner_b", "name_b", "evidence"]
    assert len(rows) == len(review_queue(linked)) + 1


def test_without_a_register_it_says_to_run_link_first(tmp_path):
    runner.invoke(app, ["init", str(tmp_path / "fresh"), "--place", "E07000120"])
    result = runner.invoke(app, ["link-review", "--workspace", str(tmp_path / "fresh")])
    assert result.exit_code == 6 and "totalplace link" in result.output
    assert "Traceback" not in result.output


def test_names_alike_held_back_as_two_organisations_wait_in_the_queue(linked):
    # Hyndburn's example: "LANGUAGE LINE LTD" / "LANGUAGE LINE TI LTD" (Lancashire PCC)
    # match by name, but their registered names differ by a word (TI): not joined, and
    # shown to the reviewer with the reason.
    queue = review_queue(linked).to_pylist()
    held = [r for r in queue if "different organisations" in r["evidence"]]
    language = [
        r
        for r in held
        if {r["name_a"], r["name_b"]} == {"LANGUAGE LINE LTD", "LANGUAGE LINE TI LTD"}
    ]
    assert language and not any(r["joined"] for r in language)
    # A pair the names hold back may still be joined by other evidence (the police's
    # seven years of ledgers give LOCAL PENSIONS PARTNERSHIP LIMITED and ... ADMINISTRATION
    # LTD one supplier id): the queue shows it joined, beside the names' objection, for
    # the reviewer to keep apart or accept.
