"""The record-linkage engine: sectoral extracts against the population register, without Django.

It runs wherever DuckDB runs and scores on Spark through Splink's Spark backend, so nothing
here may import Django (import-linter checks it). The public surface, one module each:

- :func:`.pipeline.link` → :class:`.pipeline.LinkResult` (one row per extract row: ``row_id``,
  ``personal_id``, ``status`` matched/review/unmatched, ``score``, ``differences``,
  ``explanation``, ``duplicate_of``, ``method``), with :class:`.pipeline.Thresholds`;
- :mod:`.headers`: recognise Vietnamese column headers, read and write the mapping file;
- :mod:`.reading`: read a CSV/XLSX/Arrow extract into the engine's fields;
- :mod:`.normalise`, :mod:`.legacy_encodings`, :mod:`.addresses`: the cleaning, usable alone;
- :mod:`.messy`: the messy-extract generator (known answers, demo data);
- :mod:`.quality`: F1 over ``matched`` rows against known answers.

The internals (:mod:`.prepare`, :mod:`.model`, :mod:`.scoring`, :mod:`.decide`) may change.
ADR 5 explains the design.
"""
