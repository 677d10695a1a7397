"""What every service of the learning store is built on (the composition root passes the ports)."""

from __future__ import annotations

from manabi_api.ports.learning import LearningStore
from manabi_api.ports.runtime import Clock, IdGenerator


class LearningService:
    """Reads and writes through the learning store, stamps changes with the clock's time and names
    new records with the id generator."""

    def __init__(self, store: LearningStore, clock: Clock, ids: IdGenerator) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
