"""Reading interval history from CSV: both shapes, and errors that name the row and column."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.workforce.errors import HistoryFileError
from hotline.workforce.history import history_from_rows, read_history_csv

COUNTS = """interval_start,queue,offered,answered,aht_s
2026-03-02T09:00:00,sales,10,8,200
2026-03-02T09:15:00,sales,6,6,100
2026-03-03T09:00:00+08:00,sales,4,,
"""

CONTACTS = """arrived_at,queue,outcome,talk_s,wait_s
2026-03-02T09:01:00,support,answered,120,10
2026-03-02T09:14:59,support,abandoned,,30
2026-03-02T09:20:00,support,phantom,,
2026-03-02T10:00:00,support,answered,60,0
"""


def test_counts_per_interval() -> None:
    rows = read_history_csv(COUNTS.splitlines(), time_zone="Asia/Shanghai")
    assert [r.offered for r in rows] == [10, 6, 4]
    assert rows[0].handle_s == 1600
    h = history_from_rows(rows, 900)
    assert h.days == 2
    assert h.offered[0, 36] == 10
    assert h.offered[1, 36] == 4
    assert h.coarsen(3600).offered[0, 9] == 16


def test_one_row_per_contact() -> None:
    rows = read_history_csv(CONTACTS.splitlines(), time_zone="Asia/Shanghai", interval_s=900)
    first = rows[0]
    assert (first.queue_id, first.offered, first.answered, first.abandoned) == ("support", 2, 1, 1)
    assert (first.handle_s, first.wait_s) == (120, 40)
    h = history_from_rows(rows, 3600)
    assert h.offered[0, 9] == 2
    assert h.offered[0, 10] == 1
    assert np.isnan(h.aht_s()[0, 0])  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("interval_start,offered\n2026-03-02T09:00:00,ten\n", 2, "offered"),
        ("interval_start,offered\n2026-03-02T09:00:00,1\nyesterday,2\n", 3, "interval_start"),
        ("arrived_at,outcome\n2026-03-02T09:00:00,lost\n", 2, "outcome"),
        ("when,what\n", 1, "when,what"),
    ],
)
def test_bad_cells_name_row_and_column(text: str, row: int, column: str) -> None:
    with pytest.raises(HistoryFileError) as caught:
        read_history_csv(text.splitlines(), time_zone="Asia/Shanghai")
    assert caught.value.details["row"] == row
    assert caught.value.details["column"] == column
