"""Spark: Ibis's PySpark backend, local mode by default or any Spark master by URL."""

from __future__ import annotations

from typing import Any


def local_session(warehouse_dir: str, master: str = "local[2]") -> Any:
    """Return a SparkSession in local mode, quiet and sized for one machine."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(master)
        .appName("totalplace")
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
