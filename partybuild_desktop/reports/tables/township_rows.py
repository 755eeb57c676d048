"""The lines of a township's side-by-side table: one per village from the figures its return carried,
shown 未报送 with blank numbers where a return did not carry them, and a 合计 line adding up those that
reported. The 三会一课 and the 党费和党建经费 summaries both use it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

TOTAL_LABEL = "合计"
REPORTED, NOT_REPORTED = "已报送", "未报送"


def summary_rows(villages: Sequence[tuple[str, Mapping[str, int] | None]],
                 keys: Sequence[str]) -> list[dict]:
    """(village name, its figures or None) → the table's lines, ``keys`` the figures' columns, 合计 last."""
    rows = []
    reported = [counts for _, counts in villages if counts is not None]
    for name, counts in villages:
        if counts is None:
            rows.append({"village": name, "state": NOT_REPORTED})
        else:
            rows.append({"village": name, **{key: counts[key] for key in keys}, "state": REPORTED})
    total: dict = {"village": TOTAL_LABEL, "state": f"{REPORTED}{len(reported)}个"}
    if len(reported) < len(villages):
        total["state"] += f"，{NOT_REPORTED}{len(villages) - len(reported)}个"
    if reported:
        total.update({key: sum(counts[key] for counts in reported) for key in keys})
    rows.append(total)
    return rows
