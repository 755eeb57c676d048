"""What every screen needs once the data file is open: the store and its folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from partybuild_desktop.services.village import TOWNSHIP_MODE, VillageInfo, current_village, program_mode
from partybuild_desktop.store.database import Store


@dataclass
class AppContext:
    store: Store
    folder: Path
    _operations: object = field(default=None, init=False, repr=False)

    @property
    def operations(self):
        """The one runner every change of this window goes through (``ui.operations``)."""
        if self._operations is None:
            from partybuild_desktop.ui.operations import Operations

            self._operations = Operations(self)
        return self._operations

    def village(self) -> VillageInfo | None:
        with self.store.session() as session:
            return current_village(session)

    def is_township(self) -> bool:
        """The file consolidates the villages' returns (township mode) rather than keeping a village."""
        with self.store.session() as session:
            return program_mode(session) == TOWNSHIP_MODE

    def title(self) -> str:
        """What the window's title names: 城南镇东湖村, or 城南镇（乡镇汇总）."""
        if self.is_township():
            from partybuild_desktop.services.consolidation import township_name

            with self.store.session() as session:
                return f"{township_name(session) or '乡镇'}（乡镇汇总）"
        village = self.village()
        return village.title if village else ""
