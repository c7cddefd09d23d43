"""The supplier register of the Hyndburn example is the same on DuckDB, PostgreSQL and Spark.

The example is imported once into its DuckDB warehouse; its payees are then linked on a
fresh warehouse of each engine, in that engine's own connection (Splink through the
engine's own backend), and the register must equal the DuckDB one: every payee's
supplier, every canonical name and kind, every total to the penny, every link.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from totalplace import warehouse
from totalplace.link import OVERRIDES_FILE, Register, link_payees, read_overrides
from totalplace.link.payees import load_payees

pytestmark = pytest.mark.engines


def _connect(backend: Any, request: pytest.FixtureRequest) -> Any:
    """Return an Ibis connection to the backend's fresh, empty warehouse."""
    import ibis

    if backend.name == "postgres":
        return ibis.connect(backend.url)
    session = request.getfixturevalue("spark_engine").session
    database = backend.url.rsplit("/", 1)[-1]
    session.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
    return ibis.pyspark.connect(session)


def _rows(table: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in keys))


@pytest.fixture(scope="module")
def payees(hyndburn: Any) -> pa.Table:
    con = warehouse.connect(hyndburn, read_only=True)
    try:
        return load_payees(con)
    finally:
        con.disconnect()


def test_the_register_is_identical_on_every_engine(
    backend: Any, hyndburn: Any, hyndburn_register: Register, payees: pa.Table, request: Any
) -> None:
    if backend.name != "duckdb":
        # Honest state of the port (docs/decisions/0013-link-on-engines.md): the SQL
        # runs on the engine's own connection, transpiled by sqlglot, but the name
        # normalisation and evidence SQL still use DuckDB's list lambdas, regexp_* and
        # ordered aggregates, which sqlglot does not carry over to PostgreSQL or Spark.
        # strict: the day the port is done this test passes and the mark must go.
        request.applymarker(
            pytest.mark.xfail(
                reason="link SQL not yet portable beyond DuckDB (list lambdas, regexes, "
                "ordered aggregates); see docs/decisions/0013-link-on-engines.md",
                strict=True,
            )
        )
    overrides = read_overrides(hyndburn.root / OVERRIDES_FILE, [p.slug for p in hyndburn.partners])
    if backend.name == "duckdb":
        # The DuckDB register was linked on the workspace's own warehouse; linking again
        # must give it again (nothing depends on the order rows happen to come in).
        register = link_payees(
            payees.take(list(range(payees.num_rows))[::-1]), hyndburn.partners, overrides
        )
    else:
        con = _connect(backend, request)
        try:
            register = link_payees(payees, hyndburn.partners, overrides, con=con)
        finally:
            con.disconnect()
    expected = hyndburn_register
    assert register.suppliers.num_rows == expected.suppliers.num_rows > 100
    assert _rows(register.members, ["partner", "raw_name"]) == _rows(
        expected.members, ["partner", "raw_name"]
    )
    assert _rows(register.suppliers, ["supplier_id"]) == _rows(expected.suppliers, ["supplier_id"])
    link_keys = ["supplier_id_a", "rule", "partner_a", "raw_name_a", "partner_b", "raw_name_b"]
    assert _rows(register.links, link_keys) == _rows(expected.links, link_keys)
    total = sum(register.suppliers.column("amount").to_pylist(), Decimal(0))
    assert isinstance(total, Decimal)
    assert total == sum(expected.suppliers.column("amount").to_pylist(), Decimal(0))
    assert register.warnings == expected.warnings
