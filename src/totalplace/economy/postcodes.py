"""Postcodes to districts, with what the evidence allows and a confidence label per method.

There is no full postcode directory in the package (ONSPD is large and licensed per
release). A postcode is placed, in order:

1. by a postcode directory the user gives (ONSPD / NSPL layout: ``pcds`` or ``pcd`` and
   a ``lad..`` / ``oslaua`` column): method ``postcode directory``, confidence high;
2. by the GP practice postcodes shipped with totalplace (NHS England's allocation
   file, each practice with its LAD21 district): ``GP practice postcode``, high;
3. by its outward code ("BB5"), when every postcode of that outward code in those two
   sources lies in one district: ``outward code``, low -- the evidence is a handful
   of addresses, not the whole outward code;
4. otherwise not placed (the district stays unknown, never guessed).

Everything here is vectorised over Arrow arrays (pyarrow.compute and hash joins).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from totalplace.errors import BadInputError

__all__ = [
    "METHOD_DIRECTORY",
    "METHOD_GP",
    "METHOD_OUTWARD",
    "PostcodeDirectoryError",
    "lookup_table",
    "normalise_postcode",
    "normalise_postcodes",
    "outward_codes",
    "place_postcodes",
    "read_directory",
]

METHOD_DIRECTORY = "postcode directory"
METHOD_GP = "GP practice postcode"
METHOD_OUTWARD = "outward code"
CONFIDENCE = {METHOD_DIRECTORY: "high", METHOD_GP: "high", METHOD_OUTWARD: "low"}
GP_SOURCE = (
    "NHS England AIF allocation tool 2024-25: GP practice postcodes with LAD21 "
    "(totalplace/data/economy/gp_practice_postcodes.csv)"
)

# A full UK postcode without its space: outward (area, district) then inward (sector, unit).
_FULL = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"


class PostcodeDirectoryError(BadInputError):
    """A postcode directory file that cannot be read; the message names the file and column."""


def normalise_postcodes(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Return each postcode as ``AA9A 9AA`` (upper case, one space), or null if it is not a full postcode.

    Spaces anywhere, lower case and no space at all are all read ('bb5 1rt', 'BB51RT',
    ' BB5  1RT ' -> 'BB5 1RT').
    """
    text = pc.cast(values, pa.string())
    squeezed = pc.replace_substring_regex(pc.utf8_upper(text), r"\s+", "")
    valid = pc.match_substring_regex(squeezed, _FULL)
    spaced = pc.replace_substring_regex(squeezed, r"^(.+)(...)$", r"\1 \2")
    return pc.if_else(valid, spaced, pa.scalar(None, pa.string()))


def normalise_postcode(value: str | None) -> str | None:
    """Return one postcode normalised as :func:`normalise_postcodes` does, or None."""
    result: str | None = normalise_postcodes(pa.array([value], pa.string()))[0].as_py()
    return result


def outward_codes(postcodes: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Return the outward code ('BB5') of each normalised postcode (null stays null)."""
    return pc.replace_substring_regex(postcodes, r" .*$", "")


def _gp_table() -> pa.Table:
    path = resources.files("totalplace") / "data" / "economy" / "gp_practice_postcodes.csv"
    with resources.as_file(path) as real:
        return pacsv.read_csv(
            real,
            convert_options=pacsv.ConvertOptions(
                column_types={"postcode": pa.string(), "lad_code": pa.string()}
            ),
        )


def read_directory(path: Path) -> pa.Table:
    """Return (postcode, lad_code) from an ONSPD/NSPL-style CSV: normalised, terminated ones kept.

    Raises PostcodeDirectoryError naming the file if it is missing or has no postcode or
    district column.
    """
    if not path.is_file():
        raise PostcodeDirectoryError(
            f"{path}: no such postcode directory; fix [lookups] postcode_directory in "
            "economy.toml or remove it"
        )
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    except (pa.ArrowInvalid, OSError) as exc:
        raise PostcodeDirectoryError(f"{path}: cannot be read as CSV ({exc})") from exc
    names = {n.lower().strip(): n for n in table.column_names}
    postcode = next((names[k] for k in ("pcds", "pcd", "pcd2", "postcode") if k in names), None)
    lad = next(
        (names[k] for k in sorted(names) if k.startswith("lad") and k.endswith("cd")), None
    ) or next((names[k] for k in ("oslaua", "lad", "laua") if k in names), None)
    if postcode is None or lad is None:
        raise PostcodeDirectoryError(
            f"{path}: needs a postcode column (pcds or pcd) and a district column (ladNNcd, "
            f"oslaua or lad); its columns are {', '.join(table.column_names[:12])}"
        )
    out = pa.table(
        {
            "postcode": normalise_postcodes(table.column(postcode)),
            "lad_code": pc.utf8_upper(pc.cast(table.column(lad), pa.string())),
        }
    )
    return out.filter(pc.is_valid(out.column("postcode")) & pc.is_valid(out.column("lad_code")))


def lookup_table(directory: pa.Table | None = None, directory_source: str = "") -> pa.Table:
    """Return every known postcode with its district, method, confidence and source.

    The user's ``directory`` (from :func:`read_directory`) wins over the shipped GP
    practice postcodes where both hold a postcode.
    """
    gp = _gp_table()
    gp = pa.table(
        {
            "postcode": normalise_postcodes(gp.column("postcode")),
            "lad_code": gp.column("lad_code"),
        }
    )
    parts = []
    if directory is not None and directory.num_rows:
        parts.append(_labelled(directory, METHOD_DIRECTORY, directory_source))
        gp = gp.filter(pc.invert(pc.is_in(gp.column("postcode"), directory.column("postcode"))))
    parts.append(_labelled(gp, METHOD_GP, GP_SOURCE))
    return pa.concat_tables(parts)


def _labelled(table: pa.Table, method: str, source: str) -> pa.Table:
    n = table.num_rows
    return pa.table(
        {
            "postcode": table.column("postcode"),
            "lad_code": table.column("lad_code"),
            "method": pa.array([method] * n, pa.string()),
            "confidence": pa.array([CONFIDENCE[method]] * n, pa.string()),
            "source": pa.array([source] * n, pa.string()),
        }
    )


def _outward_table(known: pa.Table) -> pa.Table:
    """Return the outward codes whose every known postcode lies in one district, with how many."""
    t = pa.table(
        {"outward": outward_codes(known.column("postcode")), "lad": known.column("lad_code")}
    )
    grouped = t.group_by("outward").aggregate(
        [("lad", "count_distinct"), ("lad", "min"), ("lad", "count")]
    )
    one = grouped.filter(pc.equal(grouped.column("lad_count_distinct"), 1))
    return pa.table(
        {
            "outward": one.column("outward"),
            "outward_lad": one.column("lad_min"),
            "outward_evidence": one.column("lad_count"),
        }
    )


def place_postcodes(postcodes: pa.Array | pa.ChunkedArray, known: pa.Table) -> pa.Table:
    """Return, per postcode given (normalised or null), its district, method, confidence and source.

    ``known`` is :func:`lookup_table`. Columns: postcode, lad_code, method, confidence,
    source; a postcode placed by no method has null district and method.
    """
    given = pa.table({"postcode": postcodes, "_order": pa.array(range(len(postcodes)), pa.int64())})
    exact = given.join(known, "postcode", join_type="left outer")
    outward = _outward_table(known)
    exact = exact.append_column("outward", outward_codes(exact.column("postcode")))
    both = exact.join(outward, "outward", join_type="left outer").sort_by("_order")
    placed = pc.is_valid(both.column("lad_code"))
    by_outward = pc.and_(pc.invert(placed), pc.is_valid(both.column("outward_lad")))
    evidence = pc.binary_join_element_wise(
        "every one of the ",
        pc.cast(both.column("outward_evidence"), pa.string()),
        " known postcodes (directory and GP practices) of this outward code is in that district",
        "",
    )
    return pa.table(
        {
            "postcode": both.column("postcode"),
            "lad_code": pc.if_else(placed, both.column("lad_code"), both.column("outward_lad")),
            "method": pc.if_else(by_outward, pa.scalar(METHOD_OUTWARD), both.column("method")),
            "confidence": pc.if_else(
                by_outward, pa.scalar(CONFIDENCE[METHOD_OUTWARD]), both.column("confidence")
            ),
            "source": pc.if_else(by_outward, evidence, both.column("source")),
        }
    )
