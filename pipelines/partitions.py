"""Documents are partitions, not assets: one dynamic partition per file in the raw directory,
keyed by ``pipelines.raw_files.partition_key_for``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance, DynamicPartitionsDefinition

from pipelines import storage
from pipelines.raw_files import discover_raw_files

DOCUMENTS_PARTITIONS_NAME = "documents"
documents_partitions = DynamicPartitionsDefinition(name=DOCUMENTS_PARTITIONS_NAME)


@dataclass(frozen=True)
class PartitionSync:
    """What ``sync_document_partitions`` changed."""

    keys: tuple[str, ...]  # every registered key after the sync, in registration order
    added: tuple[str, ...]
    removed: tuple[str, ...]


def sync_document_partitions(
    instance: DagsterInstance,
    raw_dir: Path,
    warehouse_dir: storage.Location | None = None,
    files: Mapping[str, str] | None = None,
) -> PartitionSync:
    """Register a partition for every raw file and delete those whose file disappeared.

    New keys are added in sorted order. With ``warehouse_dir``, fragments of partitions that are
    no longer registered (deleted here or in the UI) are removed too. The tables only ever
    combine fragments of registered partitions, so their rows vanish at the next table build.
    ``files``: the raw directory as the caller already listed it (``discover_raw_files``).
    """
    wanted = discover_raw_files(raw_dir) if files is None else files
    current = list(instance.get_dynamic_partitions(DOCUMENTS_PARTITIONS_NAME))
    current_set = set(current)
    added = [k for k in wanted if k not in current_set]
    removed = [k for k in current if k not in wanted]
    if added:
        instance.add_dynamic_partitions(DOCUMENTS_PARTITIONS_NAME, added)
    for key in removed:
        instance.delete_dynamic_partition(DOCUMENTS_PARTITIONS_NAME, key)
    keys = tuple(instance.get_dynamic_partitions(DOCUMENTS_PARTITIONS_NAME))
    if warehouse_dir is not None:
        storage.prune_fragments(warehouse_dir, keep=keys)
    return PartitionSync(keys=keys, added=tuple(added), removed=tuple(removed))
