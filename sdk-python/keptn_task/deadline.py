"""``KEPTN_TASK_DEADLINE``: when the task must be done, as in the TS SDK's ``deadline.ts`` (the
shared test vectors in ``test/vectors/deadline.json`` hold both to the same values).
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from .errors import ConfigIssue
from .masking import js_trim

SOURCE = "KEPTN_TASK_DEADLINE"

_EPOCH_MS = re.compile(r"[0-9]+")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T")
# The date-time form JavaScript's Date.parse reads: seconds and fraction optional, any number of
# fraction digits (cut to milliseconds), "Z" or an offset with or without its colon, or nothing
# (local time).
_RFC_3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"(?:([Zz])|([+-])([0-9]{2}):?([0-9]{2}))?"
)


def parse_deadline(raw: Optional[str]) -> Tuple[Optional[float], List[ConfigIssue]]:
    """Parses a deadline given as an RFC 3339 timestamp (``2026-11-21T15:00:00Z``) or as
    milliseconds since the Unix epoch.

    Args:
        raw: The variable's value; ``None`` or blank means no deadline.

    Returns:
        The deadline in epoch milliseconds (``None`` when unset) and the issues found.

    Example:
        >>> parse_deadline("2026-11-21T15:00:00Z")
        (1795273200000, [])
    """
    if raw is None or js_trim(raw) == "":
        return None, []
    text = js_trim(raw)
    value: Optional[float] = None
    if _EPOCH_MS.fullmatch(text):
        # As JavaScript's Number(text): a float, infinite when too large.
        value = float(text)
    elif _DATE_TIME.match(text):
        value = _parse_date_time(text)
    if value is None or value in (float("inf"), float("-inf")):
        message = f'expected an RFC 3339 timestamp or epoch milliseconds, received "{text}"'
        return None, [ConfigIssue(SOURCE, "", message)]
    return value, []


def _parse_date_time(text: str) -> Optional[float]:
    match = _RFC_3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    millisecond = int((match.group(7) or "").ljust(3, "0")[:3])
    # JavaScript allows day 31 in any month (it rolls over into the next) and 24:00 for midnight.
    if not (1 <= month <= 12 and 1 <= day <= 31 and minute <= 59 and second <= 59):
        return None
    if hour > 24 or (hour == 24 and (minute, second, millisecond) != (0, 0, 0)):
        return None
    time_ms = ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
    if match.group(8) is None and match.group(9) is None:
        # No zone: local time, as JavaScript reads it.
        try:
            local = datetime(year, month, 1) + timedelta(days=day - 1, milliseconds=time_ms)
        except (ValueError, OverflowError):
            return None
        return float(round(time.mktime(local.timetuple()) * 1000) + millisecond)
    offset = 0
    if match.group(9) is not None:
        offset_hours, offset_minutes = int(match.group(10)), int(match.group(11))
        if offset_hours > 23 or offset_minutes > 59:
            return None
        offset = (offset_hours * 60 + offset_minutes) * 60_000
        if match.group(9) == "-":
            offset = -offset
    return float((_days_from_civil(year, month, 1) + day - 1) * 86_400_000 + time_ms - offset)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (year 0 included)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468
