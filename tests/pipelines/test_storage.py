"""pipelines.storage: fragments and the incremental table build.

The fragments are the rows of real sample notices (DOCX seeds through ``schemas.rows``). The
property pinned here: whatever fragments were written or removed since the last build, the
incremental build gives exactly the table a full build from every fragment gives, including which
copy of a duplicated row is kept.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pytest

from pipelines import storage
from schemas.rows import record_tables
from tests.fresh_process import run_fresh
from tests.seeds import seed

STEMS = ("000_3fcaf470a0c023ac", "001_3066dfd361fc75f9", "003_b54ff24471a88dd0", "002_c5a7bb6645cf0ce3")


def tables_of(stem: str, rel: str) -> dict[str, pa.Table]:
    return {name: t for name, t in record_tables(seed(stem, "docx"), rel).items() if t.num_rows}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """Keys a…e: four different notices, and ``e`` a byte-identical copy of ``a``'s notice (the
    same document ids, so its rows are duplicates the build drops: the first key wins)."""
    wh = tmp_path / "wh"
    for key, stem in zip("abcd", STEMS, strict=True):
        storage.write_fragments(wh, key, tables_of(stem, f"{key}.docx"))
    storage.write_fragments(wh, "e", tables_of(STEMS[0], "a.docx"))
    return wh


def full(wh: Path, table: str, keys: list[str]) -> pa.Table:
    return storage.combine_fragments(wh, table, keys).table


def touch_later(path: Path) -> None:
    """Some file systems keep mtimes in coarse steps: make a rewrite visible to the build."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_fragments_are_arrow_ipc_and_round_trip(warehouse: Path) -> None:
    path = storage.fragment_path(warehouse, "tasks", "b")
    assert path.suffix == ".arrow"
    assert storage.read_arrow(path).equals(tables_of(STEMS[1], "b.docx")["tasks"])


def test_first_build_reads_every_fragment_and_drops_duplicates(warehouse: Path) -> None:
    keys = list("abcde")
    built = storage.build_table(warehouse, "tasks", keys)
    assert built.rebuilt and not built.incremental
    assert built.fragments == 5
    assert built.duplicates == tables_of(STEMS[0], "a.docx")["tasks"].num_rows
    assert built.table.equals(full(warehouse, "tasks", keys))
    assert storage.read_table(warehouse, "tasks").equals(built.table)
    some = storage.read_table(warehouse, "tasks", ["seq", "task_id"])
    assert some.column_names == ["seq", "task_id"]
    assert some.equals(built.table.select(["seq", "task_id"]))


def test_nothing_changed_reads_nothing(warehouse: Path) -> None:
    keys = list("abcde")
    storage.build_table(warehouse, "tasks", keys)
    again = storage.build_table(warehouse, "tasks", keys)
    assert not again.rebuilt and again.fragments == 0
    assert again.table.equals(full(warehouse, "tasks", keys))


@pytest.mark.parametrize("table", ["documents", "tasks", "task_units", "citations"])
def test_incremental_build_equals_a_full_build(warehouse: Path, table: str) -> None:
    keys = list("abcde")
    storage.build_table(warehouse, table, keys)
    # b now holds another notice, c is gone, f is new, a (whose rows e duplicated) is removed
    storage.write_fragments(warehouse, "b", tables_of(STEMS[3], "b.docx"))
    touch_later(storage.fragment_path(warehouse, table, "b"))
    storage.remove_partition(warehouse, "c")
    storage.write_fragments(warehouse, "f", tables_of(STEMS[2], "f.docx"))
    keys = list("bdef")
    built = storage.build_table(warehouse, table, keys)
    assert built.rebuilt and built.incremental
    assert built.fragments == 2  # b and f
    assert built.table.equals(full(warehouse, table, keys))
    # e's copy of a's rows is back now that a is gone
    fresh = warehouse.parent / "fresh"
    shutil.copytree(warehouse / storage.PARTS_DIR, fresh / storage.PARTS_DIR)
    shutil.rmtree(fresh / storage.PARTS_DIR / storage.BUILT_DIR)
    assert storage.build_table(fresh, table, keys).table.equals(built.table)


def notice_variant(stem: str, rel: str, kind: str) -> dict[str, pa.Table]:
    """A notice's tables: whole, every other row (a copy elsewhere then shares only some primary
    keys), or each row twice (the second copy later in the same fragment)."""
    tables = tables_of(stem, rel)
    if kind == "half":
        return {name: t.take(list(range(0, t.num_rows, 2))) for name, t in tables.items()}
    if kind == "twice":
        return {
            name: pa.concat_tables([t, t.take(list(reversed(range(t.num_rows))))])
            for name, t in tables.items()
        }
    return tables


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_changes_build_incrementally_into_the_full_build(warehouse: Path, seed: int) -> None:
    """Keys rewritten with another notice, removed, unregistered or added (often a notice another
    key has, under another path, so duplicates come and go, and which copy is first changes): after
    each build, every table is what a full build gives, duplicate count included."""
    rng = random.Random(seed)
    tables = ("documents", "tasks", "task_units", "citations")
    keys = list("abcde")
    for table in tables:
        storage.build_table(warehouse, table, keys)
    duplicates: set[int] = set()
    for _ in range(15):
        for _ in range(rng.randint(1, 3)):
            action = rng.choice(["rewrite", "rewrite", "add", "remove", "unregister"]) if keys else "add"
            if action in ("remove", "unregister"):
                key = keys.pop(rng.randrange(len(keys)))
                if action == "remove":
                    storage.remove_partition(warehouse, key)
                continue
            if action == "add":
                key = rng.choice([k + n for k in "abcdefgh" for n in "abc" if k + n not in keys])  # anywhere
                keys.append(key)
            else:
                key = rng.choice(keys)
            notice = notice_variant(
                rng.choice(STEMS),
                rng.choice(["x.docx", "y.docx"]),
                rng.choice(["all", "all", "half", "twice"]),
            )
            storage.write_fragments(warehouse, key, notice)
            for table in notice:
                touch_later(storage.fragment_path(warehouse, table, key))
        for table in tables:
            built = storage.build_table(warehouse, table, keys)
            expected = storage.combine_fragments(warehouse, table, keys)
            assert built.incremental or not built.rebuilt
            assert built.table.equals(expected.table)
            assert built.duplicates == expected.duplicates
            duplicates.add(built.duplicates)
    assert len(duplicates) > 2  # duplicates did come and go


def test_unregistered_key_leaves_the_table(warehouse: Path) -> None:
    storage.build_table(warehouse, "documents", list("abcde"))
    built = storage.build_table(warehouse, "documents", list("abd"))
    assert built.incremental and built.fragments == 0
    assert built.table.equals(full(warehouse, "documents", list("abd")))


def test_a_table_file_replaced_by_hand_means_a_full_build(warehouse: Path) -> None:
    keys = list("abcde")
    storage.build_table(warehouse, "citations", keys)
    storage.atomic_write_parquet(
        storage.read_table(warehouse, "citations").slice(0, 1), storage.table_path(warehouse, "citations")
    )
    built = storage.build_table(warehouse, "citations", keys)
    assert built.rebuilt and not built.incremental and built.fragments == 5
    assert built.table.equals(full(warehouse, "citations", keys))


def test_a_record_of_another_format_or_kept_rows_it_does_not_count_mean_a_full_build(warehouse: Path) -> None:
    keys = list("abcde")
    storage.build_table(warehouse, "tasks", keys)
    record_path = storage.built_path(warehouse, "tasks")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record_path.write_text(json.dumps({**record, "format": 1}), encoding="utf-8")  # an older release's
    touch_later(storage.fragment_path(warehouse, "tasks", "b"))
    built = storage.build_table(warehouse, "tasks", keys)
    assert built.rebuilt and not built.incremental and built.fragments == 5

    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["rows"]["b"] += 1  # the kept rows are not the rows the record counts
    record_path.write_text(json.dumps(record), encoding="utf-8")
    touch_later(storage.fragment_path(warehouse, "tasks", "b"))
    built = storage.build_table(warehouse, "tasks", keys)
    assert built.rebuilt and not built.incremental and built.fragments == 5
    assert built.table.equals(full(warehouse, "tasks", keys))


def test_prune_removes_other_formats_unregistered_keys_and_stale_temporary_files(warehouse: Path) -> None:
    folder = warehouse / storage.PARTS_DIR / "tasks"
    old_format = folder / "a.parquet"
    old_format.write_bytes(b"PAR1")
    stale_tmp = folder / ".b.arrow.123.abcd.tmp"
    stale_tmp.write_bytes(b"")
    old = time.time() - storage.STALE_TMP_SECONDS - 60
    os.utime(stale_tmp, (old, old))
    fresh_tmp = folder / ".c.arrow.124.abcd.tmp"  # a write going on now
    fresh_tmp.write_bytes(b"")
    removed = storage.prune_fragments(warehouse, keep=list("abcd"))
    assert removed == ["e"]
    assert not old_format.exists() and not stale_tmp.exists() and fresh_tmp.exists()
    assert storage.fragment_keys(warehouse, "tasks") == set("abcd")


def test_state_marker_names_the_fragment_format(warehouse: Path) -> None:
    storage.write_fragments(warehouse, "a", tables_of(STEMS[0], "a.docx"), state={"sha256": "x"})
    state = storage.read_state(warehouse, "a")
    assert state is not None and storage.is_current_format(state)
    assert not storage.is_current_format({"sha256": "x"})  # a marker of an older release


def test_dedupe_first_keeps_the_first_row_of_each_key_in_table_order() -> None:
    table = pa.table({"id": ["x", "y", "x", "z", "y"], "v": [1, 2, 3, 4, 5]})
    assert storage.dedupe_first(table, ("id",)).to_pydict() == {"id": ["x", "y", "z"], "v": [1, 2, 4]}


def test_file_tokens_from_one_scan_equal_a_stat_per_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    files = [tmp_path / "a" / "one.html", tmp_path / "a" / "two.html", tmp_path / "three.txt"]
    for i, path in enumerate(files):
        path.write_text("x" * i, encoding="utf-8")
    (tmp_path / "a" / ".one.html.tmp").write_text("being written", encoding="utf-8")
    missing = tmp_path / "a" / "gone.html"
    nowhere = tmp_path / "no-such-folder" / "x.html"
    paths = [*files, missing, nowhere]
    assert storage.file_tokens(paths) == [storage.file_token(p) for p in paths]
    assert storage.file_tokens(paths)[-2:] == [None, None]
    assert set(storage.folder_tokens(tmp_path / "a", ".html")) == {
        "one.html",
        "two.html",
    }  # not the hidden one
    files[0].write_text("rewritten", encoding="utf-8")
    assert storage.file_tokens(files[:1]) != [None] and storage.file_tokens(files[:1]) == [
        storage.file_token(files[0])
    ]


def test_arrow_without_pandas_spares_the_import_and_keeps_pandas_usable() -> None:
    """A fresh process: tables are built from Python rows without pyarrow importing pandas, and
    pandas still works when asked for."""
    code = (
        "import sys\n"
        "from pipelines.storage import arrow_without_pandas\n"
        "arrow_without_pandas()\n"
        "import pyarrow as pa\n"
        "rows = pa.Table.from_pylist([{'a': 1, 'b': 'x'}])\n"
        "print('pandas' in sys.modules)\n"
        "print(type(rows.to_pandas()).__name__, 'pandas' in sys.modules)\n"
    )
    assert run_fresh(code) == ["False", "DataFrame True"]
