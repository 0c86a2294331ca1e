"""The journal's own thread, for a store whose actors run on the host's loop.

A hosted engine (``Engine.host``) runs every actor's Python on one thread, the loop's;
only the journal's transaction (its SQL and its fsync, or the wait for a backup's
acknowledgement in ``sync`` replication) must not stop that loop. The store hands each
append to this thread as a ``Job``: ``work`` runs here, then ``finish`` is handed back
to the host's loop (``Dispatcher.run_on_host``), or run here if the engine is no longer
hosted. One job at a time, in order: the store holds its mailbox until a job's
``finish`` has run, so the commits that arrive meanwhile form the next batch.

``finish`` runs once, whoever takes it first: the loop, or ``drain`` (the engine being
unhosted before its loop ends, when a finish handed to that loop may never run there).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("frontdesk.engine.journal_writer")


class Job:
    """A journal write and what follows it: ``work`` on the journal's thread, then
    ``finish`` once (on the host's loop)."""

    def __init__(self, work: Callable[[], None], finish: Callable[[], None]) -> None:
        self.work = work
        self._finish: Callable[[], None] | None = finish
        self._lock = threading.Lock()
        self.worked = threading.Event()

    def finish(self) -> None:
        """Run ``finish`` unless it ran already (never raises: it is logged)."""
        with self._lock:
            finish, self._finish = self._finish, None
        if finish is None:
            return
        try:
            finish()
        except Exception:
            log.exception("finishing a journal write failed")


class JournalWriter:
    """One daemon thread running ``Job.work`` in order, then handing ``Job.finish`` to
    ``post`` (False: it could not, and the finish runs on this thread)."""

    def __init__(self, name: str, post: Callable[[Callable[[], None]], bool]) -> None:
        self.name = name
        self._post = post
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._started = threading.Lock()
        self._last: Job | None = None

    def submit(self, job: Job) -> None:
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._last = job
        self._jobs.put(job)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for the last job's work, then run its finish here if nobody has yet."""
        job = self._last
        if job is None:
            return
        if not job.worked.wait(timeout):
            log.warning("%s: a journal write did not end within %.0f s", self.name, timeout)
            return
        job.finish()

    def close(self) -> None:
        with self._started:
            thread = self._thread
        if thread is None:
            return
        self._jobs.put(None)
        thread.join(5)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job.work()
            except Exception:  # work reports its own errors; this is a bug in it
                log.exception("%s: a journal write raised", self.name)
            job.worked.set()
            if not self._post(job.finish):
                job.finish()
