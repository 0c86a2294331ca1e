"""Which node a journal database belongs to: one journal, one node.

Theory of operation
-------------------
A journal is one node's log: its ``seq`` numbers are assigned by that node
alone, so two nodes writing one journal database collide on the first write
(and a backup replicating into its primary's database dies on the first
record). The journal database therefore records the node that owns it, in a
table of one row, ``journal_owner``: the owner's id, its name (for messages)
and when it claimed the journal. The first start on an empty database claims
it; every later start compares, and a node that is not the owner refuses to
start (``JournalOwnedError``, one line saying what to do).

A node's identity (``node_identity``):

- ``storage.node_id`` when it is set (a deployment whose data directory does
  not survive a restart sets it, e.g. to the host name);
- else, in a cluster, ``cluster.node_name`` (the witness already knows the two
  nodes by those names, so they are distinct by construction);
- else (a single node), a random id generated into ``<data_dir>/node-id`` on
  the first start.

A legitimate restart is a start with the same identity: the same data
directory (single node), the same ``cluster.node_name`` (cluster), or the
same ``storage.node_id``. The claim is made in one statement (``INSERT`` that
ignores a conflict, then a read), so two nodes starting at the same moment on
an empty database cannot both win.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import peewee

from frontdesk.adapters.storage.database import open_database, parse_database_url, translated
from frontdesk.engine.errors import ConfigError, JournalError

NODE_ID_FILE = "node-id"
SHARE_ADVICE = (
    "give each node its own storage.database_url "
    "(accounts may be shared with storage.accounts_url)"
)


class JournalOwnedError(JournalError):
    """The journal database belongs to another node."""


@dataclass(frozen=True)
class NodeIdentity:
    """Who this node is: ``node_id`` decides, ``name`` and ``source`` are for messages."""

    node_id: str
    name: str
    source: str  # where node_id came from: "storage.node_id", "cluster.node_name" or the file


def node_identity(
    data_dir: Path, node_name: str, *, configured_id: str = "", cluster: bool = False
) -> NodeIdentity:
    """This node's identity (see the module docstring); may create ``<data_dir>/node-id``."""
    if configured_id:
        return NodeIdentity(configured_id, node_name, "storage.node_id")
    if cluster:
        return NodeIdentity(node_name, node_name, "cluster.node_name")
    path = data_dir / NODE_ID_FILE
    return NodeIdentity(_read_or_create_id(path), node_name, str(path))


def _read_or_create_id(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(
            f"storage.data_dir: cannot read the node id {path}: {exc.strerror}; "
            "make it readable or set storage.node_id"
        ) from None
    if text:
        return text
    fresh = secrets.token_hex(8)
    try:
        # O_EXCL: of two processes starting on one data directory, one writes the id
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return _read_or_create_id(path)
    except OSError as exc:
        raise ConfigError(
            f"storage.data_dir: cannot write the node id {path}: {exc.strerror}; "
            "make the data directory writable or set storage.node_id"
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(fresh + "\n")
        out.flush()
        os.fsync(out.fileno())
    return fresh


class _OwnerRow(peewee.Model):
    id = peewee.IntegerField(primary_key=True)
    node_id = peewee.TextField()
    node_name = peewee.TextField()
    created_at = peewee.DoubleField()

    class Meta:
        table_name = "journal_owner"


@dataclass(frozen=True)
class Owner:
    node_id: str
    name: str
    created_at: float


def claim_journal(url: str, me: NodeIdentity) -> Owner:
    """Claim the journal database at ``url`` for ``me``, or raise ``JournalOwnedError``.

    Returns the owner row (``me``, from now or from an earlier start)."""
    target = parse_database_url(url)
    where = target.describe()
    db = open_database(target)

    class OwnerRow(_OwnerRow):
        class Meta:
            database = db
            table_name = "journal_owner"

    try:
        _connect(db, where)
        try:
            row = _claim(OwnerRow, me, where)
        except JournalError:
            # two nodes creating the table at the same moment: PostgreSQL may refuse one
            # CREATE TABLE IF NOT EXISTS (a duplicate type name); the table is there now
            row = _claim(OwnerRow, me, where)
    finally:
        db.close()
        db.tracker.close_all()
    owner = Owner(row.node_id, row.node_name, float(row.created_at))
    if owner.node_id != me.node_id:
        raise JournalOwnedError(refusal(where, owner, me))
    return owner


def _claim(table: type[_OwnerRow], me: NodeIdentity, where: str) -> _OwnerRow:
    with translated(where, "read the journal's owner"):
        table.create_table(safe=True)
        table.insert(
            id=1, node_id=me.node_id, node_name=me.name, created_at=time.time()
        ).on_conflict_ignore().execute()
        row: _OwnerRow = table.get(table.id == 1)
        return row


def _connect(db: peewee.Database, where: str) -> None:
    """Connect, or say in one line that the journal database cannot be reached."""
    try:
        with translated(where, "connect"):
            db.connect(reuse_if_open=True)
    except JournalError as exc:
        detail = str(exc).partition(f"failed on {where}: ")[2] or str(exc)
        raise JournalError(
            f"cannot connect to the journal database {where} (storage.database_url): "
            f"{detail}; check the URL and that the database server is running and reachable"
        ) from None


def refusal(where: str, owner: Owner, me: NodeIdentity) -> str:
    """The one-line message of a start refused because the journal is another node's."""
    since = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(owner.created_at))
    return (
        f"journal database {where} belongs to node {owner.name} (node id {owner.node_id}, "
        f"since {since}), this is node {me.name} (node id {me.node_id} from {me.source}); "
        f"{SHARE_ADVICE}; if this is node {owner.name} restarted with a new data "
        f"directory, set storage.node_id = \"{owner.node_id}\""
    )
