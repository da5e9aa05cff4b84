"""Stage 2: score the rows the ID rules did not link, with Splink (DuckDB or Spark)."""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Callable
from typing import Any, Final

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs

from .model import comparisons, settings_dict

__all__ = ["score_with_splink"]

logger = logging.getLogger(__name__)

#: Register rows an extract row is expected to match: a little under one, since
#: some extract rows are people the register does not hold.
_EXPECTED_MATCHES_PER_ROW: Final = 0.85
#: Labelled pairs (from the ID rules) used to estimate m, and the least worth using.
_MAX_LABELS: Final = 20_000
_MIN_LABELS: Final = 200
#: Weight of the prior m values, in pairs, when blending them with the estimate.
_PRIOR_PAIRS: Final = 100
#: Random pairs sampled to estimate u.
_U_PAIRS: Final = 2e6
#: Candidate pairs below this match weight cannot change a decision: a match
#: needs the best candidate at about +2 and a 5-bit lead over the runner-up.
_KEEP_WEIGHT: Final = -3.0


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    # fetchall, not fetchone: DuckDB keeps a half-read result open on the connection.
    rows = con.execute(sql).fetchall()
    return int(rows[0][0]) if rows else 0


def _blend_with_priors(model: dict[str, Any], n_labels: int) -> dict[str, Any]:
    """Blend estimated m with the priors, so a level no labelled pair reached keeps a value."""
    priors = {c["output_column_name"]: c for c in comparisons()}
    blended = copy.deepcopy(model)
    for comparison in blended["comparisons"]:
        prior_levels = [
            lvl for lvl in priors[comparison["output_column_name"]]["comparison_levels"] if not lvl.get("is_null_level")
        ]
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        total = 0.0
        for level, prior in zip(levels, prior_levels, strict=True):
            if level.get("fix_m_probability"):
                level["m_probability"] = prior["m_probability"]
            else:
                estimated = level.get("m_probability")
                estimated = prior["m_probability"] if estimated is None else float(estimated)
                level["m_probability"] = (estimated * n_labels + prior["m_probability"] * _PRIOR_PAIRS) / (
                    n_labels + _PRIOR_PAIRS
                )
            total += level["m_probability"]
        for level in levels:
            level["m_probability"] /= total
            if level.get("u_probability") is None:
                level["u_probability"] = 1e-6
            level["u_probability"] = max(float(level["u_probability"]), 1e-8)
    return blended


def _train(con: duckdb.DuckDBPyConnection, prior: float, n_labels: int) -> dict[str, Any]:
    """Estimate u from random pairs and m from the ID-linked pairs; return the model dict."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=con)
    extract_table = "ext_train" if n_labels >= _MIN_LABELS else "ext_rest"
    left = db_api.register(extract_table, dataset_display_name="a_extract")
    right = db_api.register("reg", dataset_display_name="b_register")
    linker = Linker([left, right], settings_dict(prior), log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=_U_PAIRS, seed=7)
    if n_labels >= _MIN_LABELS:
        labels = db_api.register("train_labels", dataset_display_name="train_labels")
        linker.training.estimate_m_from_pairwise_labels(labels)  # type: ignore[no-untyped-call]  # Splink is untyped here
    model = linker.misc.save_model_to_json()
    return _blend_with_priors(model, n_labels if n_labels >= _MIN_LABELS else 0)


def _labels(con: duckdb.DuckDBPyConnection) -> int:
    """Pairs sharing a personal ID: labels for m, selected on the ID, not on the names."""
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE train_labels AS
        SELECT 'a_extract' AS source_dataset_l, e.uid AS uid_l,
               'b_register' AS source_dataset_r, r.uid AS uid_r
        FROM ext e JOIN reg r ON e.pid = r.pid
        -- A card shared within a family (another given name AND another birth
        -- year) is not the same person: it would teach the model that true
        -- matches often disagree on both.
        WHERE NOT (e.given_f IS DISTINCT FROM r.given_f
                   AND coalesce(abs(e.dob_year - r.dob_year), 0) > 1)
        USING SAMPLE reservoir({_MAX_LABELS} ROWS) REPEATABLE (11)
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    con.sql("CREATE OR REPLACE TEMP TABLE ext_train AS SELECT * FROM ext WHERE uid IN (SELECT uid_l FROM train_labels)")
    return _count(con, "SELECT count(*) FROM train_labels")


def _predict_duckdb(con: duckdb.DuckDBPyConnection, model: dict[str, Any]) -> None:
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=con)
    left = db_api.register("ext_rest", dataset_display_name="a_extract")
    right = db_api.register("reg", dataset_display_name="b_register")
    linker = Linker([left, right], model, log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_weight=_KEEP_WEIGHT, warning_mode="never")
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE predictions AS
        SELECT uid_l AS uid, uid_r AS rid, match_weight
        FROM {predictions.physical_name}
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    predictions.drop_table_from_database_and_remove_from_cache()


def _predict_spark(con: duckdb.DuckDBPyConnection, model: dict[str, Any], spark: Any) -> None:
    """Score on Spark: the prepared tables go to the session, the pairs come back."""
    from splink import Linker, SparkAPI

    if spark is None:
        raise ValueError("Cần phiên Spark / A Spark session is required for backend='spark'")
    if spark.sparkContext.getCheckpointDir() is None:
        # Splink checkpoints its intermediate tables on Spark.
        spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="dancu-splink-"))
    db_api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]  # Splink is untyped here
    frames = {}
    for name in ("ext_rest", "reg"):
        table = con.sql(f"SELECT * FROM {name}").to_arrow_table()  # noqa: S608  # SQL built from our own constants, never from input
        frames[name] = spark.createDataFrame(table.to_pylist(), schema=_spark_schema(table))
    left = db_api.register(frames["ext_rest"], dataset_display_name="a_extract")
    right = db_api.register(frames["reg"], dataset_display_name="b_register")
    linker = Linker([left, right], _portable(model), log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_weight=_KEEP_WEIGHT, warning_mode="never")
    columns = ["uid_l", "uid_r", "match_weight"]
    rows = predictions.as_spark_dataframe().select(*columns).collect()
    table = pa.table(
        {
            "uid": pa.array([r["uid_l"] for r in rows], pa.string()),
            "rid": pa.array([r["uid_r"] for r in rows], pa.string()),
            "match_weight": pa.array([float(r["match_weight"]) for r in rows], pa.float64()),
        }
    )
    con.register("_spark_predictions", table)
    con.sql("CREATE OR REPLACE TEMP TABLE predictions AS SELECT * FROM _spark_predictions")
    con.unregister("_spark_predictions")


def _portable(model: dict[str, Any]) -> dict[str, Any]:
    """The trained model with our DuckDB-dialect SQL, for Splink to translate elsewhere.

    A saved model holds SQL already rendered for DuckDB; rebuilding the settings
    from :func:`.model.comparisons` keeps the base dialect on every level.
    """
    fresh = settings_dict(float(model["probability_two_random_records_match"]))
    for comparison, trained in zip(fresh["comparisons"], model["comparisons"], strict=True):
        for level, trained_level in zip(comparison["comparison_levels"], trained["comparison_levels"], strict=True):
            if not level.get("is_null_level"):
                level["m_probability"] = trained_level["m_probability"]
                level["u_probability"] = trained_level["u_probability"]
    return fresh


def _spark_schema(table: pa.Table) -> str:
    def spark_type(arrow_type: pa.DataType) -> str:
        if pa.types.is_list(arrow_type):
            return "array<string>"
        if pa.types.is_boolean(arrow_type):
            return "boolean"
        if pa.types.is_integer(arrow_type):
            return "bigint" if arrow_type.bit_width > 32 else "int"
        if pa.types.is_floating(arrow_type):
            return "double"
        return "string"

    return ", ".join(f"{f.name} {spark_type(f.type)}" for f in table.schema)


def score_with_splink(
    con: duckdb.DuckDBPyConnection,
    *,
    backend: str,
    spark: Any,
    progress: Callable[[str, int, int], None],
) -> int:
    """Fill the table ``predictions`` (uid, rid, match weight); return its size."""
    con.sql("CREATE OR REPLACE TEMP TABLE ext_rest AS SELECT * FROM ext WHERE uid NOT IN (SELECT uid FROM id_links)")
    con.sql(
        "CREATE OR REPLACE TEMP TABLE predictions AS SELECT CAST(NULL AS VARCHAR) AS uid, "
        "CAST(NULL AS VARCHAR) AS rid, 0.0::DOUBLE AS match_weight WHERE false"
    )
    if _count(con, "SELECT count(*) FROM ext_rest") == 0:
        return 0
    n_register = max(_count(con, "SELECT count(*) FROM reg"), 1)
    prior = min(_EXPECTED_MATCHES_PER_ROW / n_register, 0.5)
    progress("train", 0, 1)
    n_labels = _labels(con)
    model = _train(con, prior, n_labels)
    progress("train", 1, 1)
    progress("score", 0, 1)
    if backend == "spark":
        _predict_spark(con, model, spark)
    else:
        _predict_duckdb(con, model)
    progress("score", 1, 1)
    return _count(con, "SELECT count(*) FROM predictions")
