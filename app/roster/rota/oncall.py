"""Who is on duty for a team at an instant: rotations, one-off shifts and overrides (pure).

All wall-clock rules (handoff times, daily windows) are in Europe/Oslo local time, so an
08:00 handoff stays at 08:00 across daylight saving changes. Instants are aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")


def _require_interval(starts_at: datetime, ends_at: datetime, what: str) -> None:
    _require_aware(starts_at, f"{what} starts_at")
    _require_aware(ends_at, f"{what} ends_at")
    if ends_at <= starts_at:
        raise ValueError(f"{what} must end after it starts ({starts_at} .. {ends_at})")


def _local(day: date, wall: time) -> datetime:
    # fold=0: a wall time that does not exist (spring forward) maps to the instant one hour
    # later on the clock, and an ambiguous one (fall back) to its first occurrence.
    return datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=OSLO)


@dataclass(frozen=True)
class Rotation:
    """Members taking turns, handing off every `shift_days` at the anchor's Oslo wall time."""

    members: tuple[str, ...]
    anchor: datetime
    shift_days: int = 7
    window: tuple[time, time] | None = None

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("a rotation needs at least one member")
        _require_aware(self.anchor, "Rotation anchor")
        if self.shift_days < 1:
            raise ValueError(f"shift_days must be at least 1, got {self.shift_days}")
        if self.window is not None and any(t.tzinfo is not None for t in self.window):
            raise ValueError("window times are Oslo wall-clock times and must be naive")

    def handoff(self, index: int) -> datetime:
        """The instant of handoff number `index` (0 is the anchor itself)."""
        if index == 0:
            return self.anchor
        local = self.anchor.astimezone(OSLO)
        return _local(local.date() + timedelta(days=index * self.shift_days), local.time())

    def handoff_index(self, at: datetime) -> int:
        """The number of the last handoff at or before `at`; -1 before the anchor."""
        days = (at.astimezone(OSLO).date() - self.anchor.astimezone(OSLO).date()).days
        index = days // self.shift_days
        # The handoff on (or just before) at's local date may still be later in that day.
        return index - 1 if self.handoff(index) > at else index

    def windows_of(self, day: date) -> tuple[datetime, datetime]:
        """The covered interval starting on local `day` (window must be set)."""
        assert self.window is not None
        start, end = self.window
        end_day = day if end > start else day + timedelta(days=1)
        return _local(day, start), _local(end_day, end)

    def in_window(self, at: datetime) -> bool:
        """Whether the daily window covers `at`."""
        if self.window is None:
            return True
        today = at.astimezone(OSLO).date()
        # A window that crosses midnight may have started the local day before.
        for day in (today - timedelta(days=1), today):
            start, end = self.windows_of(day)
            if start <= at < end:
                return True
        return False

    def member_at(self, at: datetime) -> str | None:
        """The member on duty from this rotation at `at`, if any."""
        if at < self.anchor or not self.in_window(at):
            return None
        return self.members[self.handoff_index(at) % len(self.members)]

    def change_points(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Instants in [start, end) where this rotation's answer may change."""
        first = max(self.handoff_index(start), 0)
        for index in range(first, self.handoff_index(end) + 1):
            yield self.handoff(index)
        if self.window is not None:
            day = start.astimezone(OSLO).date() - timedelta(days=1)
            last = end.astimezone(OSLO).date()
            while day <= last:
                yield from self.windows_of(day)
                day += timedelta(days=1)


@dataclass(frozen=True)
class Shift:
    """A one-off shift covering [starts_at, ends_at)."""

    member_id: str
    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        _require_interval(self.starts_at, self.ends_at, "Shift")

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Override:
    """Adds `member_id`, replaces `replaces` by `member_id`, or takes `replaces` off duty."""

    starts_at: datetime
    ends_at: datetime
    member_id: str | None
    replaces: str | None

    def __post_init__(self) -> None:
        _require_interval(self.starts_at, self.ends_at, "Override")
        if self.member_id is None and self.replaces is None:
            raise ValueError("an override needs member_id, replaces, or both")
        if self.member_id is not None and self.member_id == self.replaces:
            raise ValueError("an override cannot replace a member by the same member")

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Roster:
    """A team's duty roster."""

    rotations: tuple[Rotation, ...] = ()
    shifts: tuple[Shift, ...] = ()
    overrides: tuple[Override, ...] = ()


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def on_duty(roster: Roster, at: datetime) -> tuple[str, ...]:
    """Member ids on duty at `at`: rotations in order, then shifts by start, then additions.

    Overrides apply last, in order of start: replacements first (only where the replaced
    member is on duty), then additions, then removals, so being taken off duty (sickness)
    always wins over anything that would put the same member on duty.
    """
    _require_aware(at, "at")
    members = [m for r in roster.rotations if (m := r.member_at(at)) is not None]
    shifts = sorted((s for s in roster.shifts if s.covers(at)), key=lambda s: s.starts_at)
    members.extend(s.member_id for s in shifts)
    active = sorted((o for o in roster.overrides if o.covers(at)), key=lambda o: o.starts_at)
    current = _unique(members)
    for o in active:
        if o.member_id is not None and o.replaces is not None:
            new, old = o.member_id, o.replaces
            current = _unique(new if m == old else m for m in current)
    added = [o.member_id for o in active if o.replaces is None and o.member_id is not None]
    removed = {o.replaces for o in active if o.member_id is None}
    return tuple(m for m in _unique([*current, *added]) if m not in removed)


def _change_points(roster: Roster, start: datetime, end: datetime) -> list[datetime]:
    points: set[datetime] = {start}
    for rotation in roster.rotations:
        points.update(rotation.change_points(start, end))
    for shift in roster.shifts:
        points.update((shift.starts_at, shift.ends_at))
    for override in roster.overrides:
        points.update((override.starts_at, override.ends_at))
    return sorted(p for p in points if start <= p < end)


def coverage_gaps(
    roster: Roster, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Maximal intervals within [start, end) where nobody is on duty.

    The answer of `on_duty` only changes at handoffs, window edges and shift or override
    boundaries, so checking it once per change point gives exact gaps.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    if end == start:
        return []
    points = _change_points(roster, start, end)
    gaps: list[tuple[datetime, datetime]] = []
    for point, following in zip(points, [*points[1:], end], strict=True):
        if on_duty(roster, point):
            continue
        if gaps and gaps[-1][1] == point:
            gaps[-1] = (gaps[-1][0], following)
        else:
            gaps.append((point, following))
    return gaps
