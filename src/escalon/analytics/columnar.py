"""The columnar copy DuckDB scans for the dashboard: low-cardinality text as integer codes.

Grouping 10 million rows by text is dominated by materialising and hashing the strings; grouping
by small integer codes is not. Each text dimension becomes an int32 code column plus a tiny
dictionary table (`code`, `value`), and the dashboard queries aggregate by code first and join
the dictionary onto the few result rows. Columns already dictionary-encoded (as Parquet and the
benchmark's tables are) are taken over without re-encoding.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def _codes(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.Array]:
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    if encoded.num_chunks == 0:
        return pa.chunked_array([], pa.int32()), pa.array([], pa.string())
    encoded = encoded.unify_dictionaries()
    dictionary = encoded.chunk(0).dictionary
    indices = pa.chunked_array(
        [pc.cast(chunk.indices, pa.int32()) for chunk in encoded.chunks], pa.int32()
    )
    return indices, pc.cast(dictionary, pa.string())


def coded_copy(table: pa.Table, columns: tuple[str, ...]) -> tuple[pa.Table, dict[str, pa.Table]]:
    """`table` with `columns` replaced by int32 codes, and one (code, value) table per column."""
    dictionaries: dict[str, pa.Table] = {}
    for name in columns:
        indices, dictionary = _codes(table.column(name))
        table = table.set_column(table.schema.get_field_index(name), name, indices)
        dictionaries[name] = pa.table(
            {"code": pa.array(range(len(dictionary)), pa.int32()), "value": dictionary}
        )
    return table, dictionaries
