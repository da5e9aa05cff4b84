"""The Spark path: Splink's Spark backend scores the pairs (optional extra ``spark``).

Skipped when pyspark is not installed; with it, a local Spark session must give
the same decisions as DuckDB on a small extract.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from dancu.linkage.engine.messy import make_messy_extract, register_rows
from dancu.linkage.engine.pipeline import link
from dancu.registry.synthetic import generate_province

pyspark_sql = pytest.importorskip("pyspark.sql")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from splink.backends.spark import similarity_jar_location

    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("dancu-linkage-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()
    # py4j logs its shutdown after pytest has closed the streams; keep it quiet.
    logging.getLogger("py4j").setLevel(logging.CRITICAL)


def test_it_links_on_spark_as_on_duckdb(spark: Any) -> None:
    register = register_rows(generate_province(2_000, seed=3))
    extract = make_messy_extract(register, 300, seed=4)
    table = pa.Table.from_pylist(register)
    on_duckdb = link(extract.rows, table).table
    on_spark = link(extract.rows, table, backend="spark", spark=spark).table
    duck = dict(zip(on_duckdb.column("row_id").to_pylist(), on_duckdb.column("status").to_pylist(), strict=True))
    sprk = dict(zip(on_spark.column("row_id").to_pylist(), on_spark.column("status").to_pylist(), strict=True))
    agree = sum(1 for row_id, status in duck.items() if sprk[row_id] == status)
    assert agree >= 0.99 * len(duck)
    assert on_spark.column("personal_id").to_pylist().count(None) == on_duckdb.column("personal_id").to_pylist().count(
        None
    )
