"""Work done once after a transaction commits, however many changes in it
asked for it (the search index's batch, the content version)."""

from __future__ import annotations

import threading

from django.db import transaction


class OncePerCommit:
    """``request()`` registers this to run after the current transaction
    commits, unless it is already waiting to; calling it runs ``func``.
    Nothing runs for a transaction that rolls back."""

    def __init__(self, func):
        self.func = func
        self._state = threading.local()

    def __call__(self):
        self._state.waiting = False
        self.func()

    def request(self) -> None:
        # Registered in a transaction that was rolled back: gone from
        # run_on_commit. Registered and already run: no longer waiting.
        # Either way, register anew.
        registered = any(entry[1] is self for entry in transaction.get_connection().run_on_commit)
        if not (registered and getattr(self._state, "waiting", False)):
            self._state.waiting = True
            transaction.on_commit(self)
