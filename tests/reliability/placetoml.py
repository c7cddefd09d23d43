"""Experiment 4: broken and odd ``place.toml`` variants of the bundled example.

Each variant is written into a copy of the imported example, then ``totalplace import``
and ``totalplace count --json`` run. A variant must give a clear error (non-zero exit, a
message, no traceback) or, where it is harmless, the same count as the valid file. A
changed total with exit 0 is a failure; so is an invalid variant accepted in silence.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.reliability.harness import EXAMPLE, Outcome, Result, run_cli

ERROR, SAME, EITHER = "error", "same", "error or same"


@dataclass
class Variant:
    """One edit of the example's place.toml and what a correct tool does with it."""

    name: str
    edit: Callable[[str], str]
    expect: str
    flag: str | None = None  # with exit 0, the output must mention this (e.g. a misspelt key)
    # Also run 'totalplace import' under it (the variant is about what gets imported).
    imports: bool = False


def _sub(pattern: str, repl: str, count: int = 1) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, repl, text, count=count, flags=re.M)


def _partner_block(text: str, n: int) -> str:
    blocks = text.split("[[partners]]")
    return "[[partners]]" + blocks[n]


def variants() -> list[Variant]:
    """Return the variants: the nine of finding 6 first, then the rest (48 in all)."""
    fire_block = lambda t: _partner_block(t, 2)  # noqa: E731
    return [
        # Finding 6, as reported.
        Variant("police area one digit short", _sub(r'"E23000003"', '"E2300003"'), ERROR),
        Variant("partner block pasted twice", lambda t: t + "\n" + fire_block(t), ERROR),
        Variant("fy_start_month = 13", _sub(r"^fy_start_month = 4", "fy_start_month = 13"), ERROR),
        Variant(
            "sources as a string",
            _sub(r'^sources = \["(.*?)"\]', r'sources = "\1"'),
            ERROR,
            imports=True,
        ),
        Variant(
            'population_year = "twenty"',
            _sub(r"^population_year = 2024", 'population_year = "twenty"'),
            ERROR,
        ),
        Variant("[partners] as a table", _sub(r"^\[\[partners\]\]", "[partners]"), ERROR),
        Variant(
            'columns = "x"', _sub(r"^(sources = .*)$", '\\1\ncolumns = "x"'), ERROR, imports=True
        ),
        Variant(
            "[partners] as a table, alone",
            lambda t: t.split("[[partners]]")[0] + '[partners]\nname = "X"\n',
            ERROR,
            imports=True,
        ),
        Variant(
            "a partner's areas as a string",
            _sub(r'^areas = \["E07000120"\]', 'areas = "E07000120"'),
            ERROR,
        ),
        # Types and ranges.
        Variant("fy_start_month = 0", _sub(r"^fy_start_month = 4", "fy_start_month = 0"), ERROR),
        Variant("fy_start_month = -4", _sub(r"^fy_start_month = 4", "fy_start_month = -4"), ERROR),
        Variant(
            'fy_start_month = "4"', _sub(r"^fy_start_month = 4", 'fy_start_month = "4"'), ERROR
        ),
        Variant(
            "fy_start_month = 4.5", _sub(r"^fy_start_month = 4", "fy_start_month = 4.5"), ERROR
        ),
        Variant(
            "financial_year_start = 13",
            _sub(r"^financial_year_start = 4", "financial_year_start = 13"),
            ERROR,
        ),
        Variant(
            "population_year = 1850",
            _sub(r"^population_year = 2024", "population_year = 1850"),
            ERROR,
        ),
        Variant(
            "population_year = 2024.0",
            _sub(r"^population_year = 2024", "population_year = 2024.0"),
            ERROR,
        ),
        Variant(
            "place code one digit short", _sub(r'^code = "E07000120"', 'code = "E0700012"'), ERROR
        ),
        Variant("place code not ONS", _sub(r'^code = "E07000120"', 'code = "X99999999"'), ERROR),
        Variant("place code missing", _sub(r'^code = "E07000120".*$', ""), ERROR),
        Variant(
            "[place] missing",
            lambda t: re.sub(r"\[place\].*?(?=\[\[partners\]\])", "", t, flags=re.S),
            ERROR,
        ),
        Variant("police area is a fire authority", _sub(r'"E23000003"', '"E31000023"'), ERROR),
        Variant("police area that does not exist", _sub(r'"E23000003"', '"E23000099"'), ERROR),
        Variant("sector misspelt", _sub(r'^sector = "police"', 'sector = "polce"'), ERROR),
        Variant("sector a number", _sub(r'^sector = "police"', "sector = 5"), ERROR),
        Variant(
            "partner name empty",
            _sub(r'^name = "Lancashire Fire and Rescue Service"', 'name = ""'),
            ERROR,
        ),
        Variant(
            "partner name a number",
            _sub(r'^name = "Lancashire Fire and Rescue Service"', "name = 42"),
            ERROR,
        ),
        Variant(
            "duplicate partner name, other case",
            _sub(
                r'^name = "Lancashire Fire and Rescue Service"', 'name = "hyndburn borough council"'
            ),
            ERROR,
        ),
        Variant(
            "aliases as a string",
            _sub(r'^aliases = \["Hyndburn BC"\]', 'aliases = "Hyndburn BC"'),
            ERROR,
        ),
        Variant(
            "aliases numbers", _sub(r'^aliases = \["Hyndburn BC"\]', "aliases = [1, 2]"), ERROR
        ),
        Variant(
            "columns: negative column number",
            _sub(r"^(sources = \[\"data/hyndburn_bc.*)$", "\\1\ncolumns = { amount = -1 }"),
            ERROR,
            imports=True,
        ),
        Variant(
            "columns: header not in the files",
            _sub(r"^(sources = \[\"data/hyndburn_bc.*)$", '\\1\ncolumns = { amount = "Nope" }'),
            ERROR,
            imports=True,
        ),
        Variant(
            "[limits] not a number",
            lambda t: t.replace("[[partners]]", '[limits]\nmax_file_mb = "big"\n\n[[partners]]', 1),
            ERROR,
            imports=True,
        ),
        Variant(
            "[limits] zero",
            lambda t: t.replace("[[partners]]", "[limits]\nmax_columns = 0\n\n[[partners]]", 1),
            ERROR,
            imports=True,
        ),
        # Bad TOML.
        Variant("unclosed quote", _sub(r'^name = "Hyndburn"', 'name = "Hyndburn'), ERROR),
        Variant(
            "key given twice", _sub(r"^(fy_start_month = 4)", "\\1\nfy_start_month = 4"), ERROR
        ),
        Variant("empty file", lambda t: "", ERROR),
        Variant("binary garbage", lambda t: "\x00\x01\x02garbage\x7f", ERROR),
        # Misspelt keys: an error, or the default kept and the key flagged.
        Variant(
            "misspelt fy_strat_month",
            _sub(r"^fy_start_month = 4", "fy_strat_month = 4"),
            EITHER,
            "fy_strat_month",
        ),
        Variant(
            "misspelt populaton_year",
            _sub(r"^population_year = 2024", "populaton_year = 2024"),
            EITHER,
            "populaton_year",
        ),
        Variant(
            "misspelt sorces",
            lambda t: t.replace(
                'sources = ["data/lancashire_fire', 'sorces = ["data/lancashire_fire'
            ),
            EITHER,
            "sorces",
            imports=True,
        ),
        Variant(
            "unknown table [plaec]",
            lambda t: t + '\n[plaec]\ncode = "E07000120"\n',
            EITHER,
            "plaec",
        ),
        Variant(
            "columns: misspelt field",
            _sub(
                r"^(sources = \[\"data/hyndburn_bc.*)$", '\\1\ncolumns = { amont = "Amount Paid" }'
            ),
            EITHER,
            "amont",
            imports=True,
        ),
        Variant(
            "sources empty",
            lambda t: t.replace('sources = ["data/lancashire_fire/*.xlsx"]', "sources = []"),
            EITHER,
            imports=True,
        ),
        # Harmless edits: the same count.
        Variant(
            "comments and blank lines",
            lambda t: "# edited\n\n" + t.replace("\n[[", "\n\n# next\n[[") + "\n# end\n",
            SAME,
        ),
        Variant("CRLF line endings", lambda t: t.replace("\n", "\r\n"), SAME),
        Variant(
            "keys reordered",
            lambda t: t.replace('name = "Hyndburn"\n', "").replace(
                "[place]\n", '[place]\nname = "Hyndburn"\n'
            ),
            SAME,
        ),
        Variant(
            "an alias no payee uses",
            _sub(r'^aliases = \["Hyndburn BC"\]', 'aliases = ["Hyndburn BC", "Zzyzx Unused Body"]'),
            SAME,
        ),
        Variant(
            "[limits] raised",
            lambda t: t.replace("[[partners]]", "[limits]\nmax_file_mb = 4096\n\n[[partners]]", 1),
            SAME,
            imports=True,
        ),
    ]


def _signature(doc: Any) -> Any:
    if not isinstance(doc, dict) or "totals_by_year" not in doc:
        return None
    return sorted(
        (str(t.get("financial_year")), str(t.get("counted_amount"))) for t in doc["totals_by_year"]
    )


def prepare_base(work: Path) -> tuple[Path, Any, str]:
    """Copy the example, import it and count it; return (folder, count signature, problem)."""
    base = work / "placetoml-base"
    if base.exists():
        shutil.rmtree(base)
    shutil.copytree(EXAMPLE, base)
    for step in (["import", "--json"], ["classify", "--json"]):
        run = run_cli(step, cwd=base, timeout=600)
        if run.returncode != 0:
            return base, None, f"{' '.join(step)} failed on the valid example: {run.brief()}"
    run = run_cli(["count", "--json"], cwd=base, timeout=600)
    signature = _signature(run.json())
    if run.returncode != 0 or not signature:
        return base, None, f"count failed on the valid example: {run.brief()}"
    return base, signature, ""


def variant_trial(variant: Variant, base: Path, valid: Any, work: Path, n: int) -> Outcome:
    """Run import and count under one variant; classify clear error / same / changed."""
    ws = work / f"placetoml-{n:02d}"
    if ws.exists():
        shutil.rmtree(ws)
    shutil.copytree(base, ws)
    text = (base / "place.toml").read_text()
    edited = variant.edit(text)
    if edited == text:
        return Outcome(variant.name, "harness error", True, "the edit did not apply")
    (ws / "place.toml").write_bytes(edited.encode("utf-8"))
    outputs = ""
    outcome = ""
    detail = ""
    steps = [["count", "--json"]]
    if variant.imports:
        steps = [["import", "--json"], *steps]
    for step in steps:
        run = run_cli(step, cwd=ws, timeout=300)
        outputs += run.stdout + run.stderr
        if run.traceback:
            tail = [line for line in run.stderr.splitlines() if line.strip()][-1:] or [""]
            outcome, detail = "traceback", f"{step[0]}: {tail[0][:160]}"
            break
        if run.timed_out:
            outcome, detail = "hang", step[0]
            break
        if run.returncode != 0:
            message = (run.stderr.strip() or run.stdout.strip()).splitlines()
            outcome = "clear error" if message else "error without a message"
            detail = f"{step[0]} exit {run.returncode}: {message[-1][:160] if message else ''}"
            break
        if step[0] == "count":
            signature = _signature(run.json())
            outcome = "same count" if signature == valid else "changed count, exit 0"
            if outcome != "same count":
                detail = f"{signature} instead of {valid}"
    failed = outcome in ("traceback", "hang", "error without a message", "changed count, exit 0")
    if outcome == "clear error" and variant.expect == SAME:
        failed, detail = True, f"a harmless edit refused: {detail}"
    if outcome == "same count" and variant.expect == ERROR:
        failed, outcome, detail = True, "accepted in silence", "an invalid place.toml gave exit 0"
    if outcome == "same count" and variant.flag and variant.flag not in outputs:
        failed, outcome, detail = True, "accepted in silence", f"'{variant.flag}' not flagged"
    if not failed:
        shutil.rmtree(ws, ignore_errors=True)
    return Outcome(f"{variant.name} (expect {variant.expect})", outcome, failed, detail)


def run_placetoml(work: Path, count: int | None, jobs: int) -> Result:
    """Experiment 4: every variant (or the first ``count``) → a clear error or a correct result."""
    result = Result("place.toml variants")
    started = time.monotonic()
    base, valid, problem = prepare_base(work)
    if problem:
        result.add(Outcome("the valid example", "harness error", True, problem))
        return result
    chosen = variants()
    if count is not None:
        chosen = chosen[:count]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for outcome in pool.map(
            lambda item: variant_trial(item[1], base, valid, work, item[0]), enumerate(chosen)
        ):
            result.add(outcome)
    result.seconds = time.monotonic() - started
    return result
