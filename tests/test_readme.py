"""The README is tested: every command it shows exists with the options it shows, the main
ones run on the bundled example, and every table it names is written by the pipeline."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from totalplace.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = CliRunner()
CLICK = typer.main.get_command(app)

# Commands of the "Using it" block that need files the example does not have; each is
# still checked to exist with its options.
NEEDS_OTHER_FILES = ("partner add", "import --partner")


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def _command_lines() -> list[str]:
    """Return every ``totalplace ...`` command the README shows, in code blocks and inline."""
    lines: list[str] = []
    for block in _shell_blocks():
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            for part in line.split("#")[0].split("&&"):
                if part.strip().startswith("totalplace "):
                    lines.append(part.strip())
    lines += [m.strip() for m in re.findall(r"`(totalplace [^`]+)`", README)]
    # "totalplace COMMAND --help" is a pattern, not a command
    return [line for line in lines if not line.split()[1].isupper()]


def _resolve(args: list[str]) -> tuple[list[str], object]:
    """Return the command path and Click command the arguments name."""
    command, path = CLICK, []
    for word in args:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command, path = sub, [*path, word]
    return path, command


COMMANDS = sorted(set(_command_lines()))


def test_the_readme_shows_the_commands():
    shown = {" ".join(_resolve(shlex.split(c)[1:])[0]) for c in COMMANDS}
    assert {"init", "import", "classify", "count", "coverage", "compare", "link"} <= shown
    assert {"opportunities", "check", "link-review", "reference load", "wards"} <= shown


@pytest.mark.parametrize("line", COMMANDS)
def test_every_command_the_readme_shows_exists_with_its_options(line: str):
    args = shlex.split(line)[1:]
    path, command = _resolve(args)
    assert path, f"{line!r}: no such command"
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}  # type: ignore[attr-defined]
    for word in args[len(path) :]:
        if word.startswith("--"):
            assert word.split("=")[0] in options, f"{line!r}: no option {word}"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a copy of the bundled example workspace (Hyndburn)."""
    target = tmp_path_factory.mktemp("readme") / "hyndburn"
    shutil.copytree(ROOT / "examples" / "hyndburn", target)
    return target


def _using_it() -> list[str]:
    """Return the commands of the "Using it" block after ``init`` and ``cd``, in order."""
    block = next(b for b in _shell_blocks() if "totalplace init" in b)
    lines = [line.split("#")[0].strip() for line in block.replace("\\\n", " ").splitlines()]
    return [
        line
        for line in lines
        if line.startswith("totalplace ")
        and not line.startswith("totalplace init")
        and not any(line.startswith(f"totalplace {n}") for n in NEEDS_OTHER_FILES)
    ]


def test_the_main_commands_run_on_the_example_and_write_every_table_named(
    example: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(example)
    ran = []
    for line in _using_it():
        result = runner.invoke(app, shlex.split(line)[1:])
        assert result.exit_code == 0, f"{line}:\n{result.output}"
        ran.append(" ".join(_resolve(shlex.split(line)[1:])[0]))
    assert {"import", "classify", "count", "coverage", "compare", "link", "opportunities"} <= set(
        ran
    )
    assert (example / "count.xlsx").stat().st_size > 0
    assert (example / "opportunities.xlsx").stat().st_size > 0

    import totalplace as tp

    written = set(tp.open_place(example).tables())
    stages = re.search(r"The stages, in order,(.*?)\n\n", README, flags=re.S)
    assert stages is not None
    named = {
        name.strip()
        for _, tables in re.findall(r"`(\w+)` \(([^)]*)\)", stages.group(1).replace("\n", " "))
        for name in tables.split(",")
        if re.fullmatch(r"[a-z_]+(\* tables)?", name.strip())
    }
    named |= set(re.findall(r"`(opp_\w+)`", stages.group(1)))
    assert len(named) >= 10
    for name in sorted(named):
        if name.endswith("* tables"):
            prefix = name.split("*")[0]
            assert any(t.startswith(prefix) for t in written), name
        else:
            assert name in written, (
                f"the README names table {name!r}; the pipeline wrote {sorted(written)}"
            )


def test_init_as_the_readme_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    line = next(c for c in COMMANDS if c.startswith("totalplace init"))
    result = runner.invoke(app, shlex.split(line)[1:])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "my-place" / "place.toml").exists()
