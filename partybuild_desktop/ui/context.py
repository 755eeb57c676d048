"""What every screen needs once the data file is open: the store and its folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from partybuild_desktop.services.village import VillageInfo, current_village
from partybuild_desktop.store.database import Store


@dataclass
class AppContext:
    store: Store
    folder: Path

    def village(self) -> VillageInfo:
        with self.store.session() as session:
            return current_village(session)
