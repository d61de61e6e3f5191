"""Where gongwen's folders are: an explicit path, else the environment variable
(``GONGWEN_RAW_DIR`` / ``GONGWEN_WAREHOUSE_DIR``, read when asked, never at import), else
``raw/`` / ``warehouse/`` in the project; relative paths are taken from the project root. No
Dagster here: ``gongwen run`` resolves its folders before it loads Dagster."""

import os
from pathlib import Path

from pipelines import storage

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW_DIR_ENV = "GONGWEN_RAW_DIR"
WAREHOUSE_DIR_ENV = "GONGWEN_WAREHOUSE_DIR"


def resolve_dir(root: str | None, env_var: str, default: str) -> Path:
    """Explicit ``root`` > ``$env_var`` (read now) > ``<project>/<default>``; made absolute."""
    chosen = root or os.environ.get(env_var) or default
    path = Path(chosen).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def resolve_warehouse(root: str | None) -> storage.Location:
    """Like ``resolve_dir`` for the warehouse, which may also be an fsspec URL (``s3://…``): a URL
    is kept as it is (a ``UPath``), a local directory becomes an absolute ``Path``."""
    chosen = root or os.environ.get(WAREHOUSE_DIR_ENV) or "warehouse"
    if storage.is_url(chosen):
        return storage.location(chosen)
    return resolve_dir(chosen, WAREHOUSE_DIR_ENV, "warehouse")


def from_cwd(arg: str | os.PathLike[str] | None) -> str | None:
    """A path given on the command line, made absolute from the working directory (as every
    command-line tool does; the environment's and the defaults are relative to the project). A
    URL (``s3://…``) stays as it is."""
    if not arg:
        return None
    text = os.fspath(arg)
    return text if storage.is_url(text) else str(Path(text).expanduser().resolve())
