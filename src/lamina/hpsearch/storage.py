"""Where studies live: a journal file in the project, or a database URL (PostgreSQL).

The default is Optuna's journal file ``PROJECT/search/studies.journal``: an append-only
log of operations, locked while appending, so several worker processes share it without a
server, a kill (even SIGKILL) cannot leave it half-updated (a torn last line is
ignored), and it needs nothing installed (SQLite, by contrast, serialises writers behind
one database lock and Optuna advises against it for parallel workers). Many machines
share a study through PostgreSQL (``postgresql://user:password@host/db``).

A password in a URL is never printed or written: `redact` replaces it by ``***``.
"""

from __future__ import annotations

import os
import re
import socket
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from lamina.hpsearch.errors import SearchError

JOURNAL = Path("search") / "studies.journal"
_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^\s/]*)(?P<at>@)")
_PASSWORD_PARAM = re.compile(r"(?i)(password=)[^&\s]*")


def redact(text: str) -> str:
    """`text` with every password of a URL in it replaced by ``***``.

    Example:
        >>> redact("postgresql://ana:s3cret@db.example.org:5432/lamina")
        'postgresql://ana:***@db.example.org:5432/lamina'
    """
    text = _PASSWORD.sub(lambda m: f"{m['head']}***{m['at']}", str(text))
    return _PASSWORD_PARAM.sub(r"\1***", text)


def journal_path(project: str | Path) -> Path:
    """The embedded journal file of a project."""
    return Path(project) / JOURNAL


def describe(storage: str | None, project: str | Path | None) -> str:
    """A printable name of the storage (password redacted)."""
    if storage is None:
        return str(journal_path(project or "."))
    return redact(storage)


def open_storage(storage: str | None, project: str | Path | None, create: bool = True) -> Any:
    """Opens an Optuna storage: the project's journal (None) or a database URL.

    Raises:
        SearchError: If the URL is malformed or the database is unreachable (the URL is
            named without its password).
    """
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage

    if storage is None:
        if project is None:
            raise SearchError(
                "a project folder is needed for the embedded storage", location="project"
            )
        path = journal_path(project)
        if not create and not path.is_file():
            raise SearchError(
                "no search in this project yet",
                location=str(path),
                hint="start one with `lamina search SPEC`",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(
            JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path)))
        )
    if not re.match(r"^(postgresql|postgres|sqlite|mysql)(\+\w+)?://", storage):
        raise SearchError(
            f"not a storage URL: {redact(storage)!r}",
            location="search.storage",
            hint="use postgresql://USER:PASSWORD@HOST:PORT/DB (or sqlite:///FILE); leave it "
            "out for the journal file in the project",
        )
    url = _with_driver(storage)
    try:
        with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna's words
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                url,
                heartbeat_interval=30,
                grace_period=90,
                engine_kwargs={"pool_pre_ping": True, **_connect_timeout(url)},
            )
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy/driver errors vary; all mean "cannot use it"
        first = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        raise SearchError(
            f"cannot open the storage {redact(storage)}: {first}",
            location="search.storage",
            hint="check the host, port, user, password and that the database exists",
        ) from None


def _with_driver(url: str) -> str:
    """``postgresql://`` with the installed driver named.

    SQLAlchemy 2.1 takes a plain ``postgresql://`` to mean psycopg 3; lamina's ``postgres``
    extra installs psycopg2.
    """
    import importlib.util

    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            has_psycopg3 = importlib.util.find_spec("psycopg") is not None
            driver = "postgresql+psycopg://" if has_psycopg3 else "postgresql+psycopg2://"
            return driver + url[len(plain) :]
    return url


def _connect_timeout(url: str) -> dict[str, Any]:
    return {"connect_args": {"connect_timeout": 10}} if url.startswith("postgresql") else {}


#: A running trial without a worker tag this old (seconds) was left by a killed worker:
#: a live one tags its trial as it creates it.
ORPHAN_SECONDS = 10.0


def tag_new_trials(study: Any) -> None:
    """Makes this process tag every trial it creates with its host and process id at once.

    The tag is written as Optuna creates the trial (the sampler's ``before_trial``), so a
    worker killed at any moment leaves a trial `recover_interrupted` can tell is orphaned.
    """
    sampler = study.sampler
    original = sampler.before_trial
    tag = worker_tag()

    def before_trial(study_: Any, trial: Any) -> None:
        study_._storage.set_trial_user_attr(trial._trial_id, "worker", tag)
        original(study_, trial)

    sampler.before_trial = before_trial


def worker_tag() -> dict[str, Any]:
    """Who runs a trial: host and process id (to find trials whose worker died)."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(study: Any) -> list[int]:
    """Marks as failed the running trials whose worker died; returns their numbers.

    A trial is the interrupted one of a killed worker when its worker ran on this host
    and its process is gone, or (database storages) its heartbeat stopped. Each is
    marked failed with ``interrupted`` set, and its parameters are queued to run again.
    """
    import optuna
    from optuna.trial import TrialState

    host = socket.gethostname()
    storage = study._storage
    stale: set[int] = set()
    if optuna.storages._heartbeat.is_heartbeat_enabled(storage):
        stale = set(storage._get_stale_trial_ids(study._study_id))
    found = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = t.user_attrs.get("worker")
        if worker is None:  # killed between creating the trial and tagging it (microseconds)
            start = t.datetime_start
            dead = (
                start is not None
                and (datetime.now(start.tzinfo) - start).total_seconds() > ORPHAN_SECONDS
            )
        else:
            dead = worker.get("host") == host and not _alive(int(worker.get("pid", -1)))
        if not (dead or t._trial_id in stale):
            continue
        try:
            storage.set_trial_user_attr(t._trial_id, "interrupted", True)
            storage.set_trial_user_attr(t._trial_id, "reason", "interrupted: its worker stopped")
            if not storage.set_trial_state_values(t._trial_id, TrialState.FAIL):
                continue
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another worker recovered it first
        if t.params:
            study.enqueue_trial(dict(t.params), user_attrs={"retry_of": t.number})
        found.append(t.number)
    return found
