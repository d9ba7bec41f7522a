"""Users: a head of sales, team managers and reps, with start and leave dates and a win rate per rep."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.generator.reference import SEGMENTS, TEAM_AREAS
from sandbox.generator.spec import DAY_US, Window

REPS_PER_TEAM = 9


@dataclass(frozen=True)
class Staff:
    """Users by index: 0 is the head of sales, 1..teams the managers, the rest reps."""

    team: np.ndarray  # team code per user; -1 for the head of sales
    manager: np.ndarray  # user index of the manager; -1 for the head
    started_day: np.ndarray  # days since the epoch
    ended_day: np.ndarray  # days since the epoch; -1 = still employed
    win_rate: np.ndarray  # per user, used for the deals they own
    team_names: list[str]
    reps: np.ndarray  # user indices of the reps (the only deal owners)

    @property
    def count(self) -> int:
        return len(self.team)

    def active_on(self, users: np.ndarray, day: np.ndarray) -> np.ndarray:
        ended = self.ended_day[users]
        return (self.started_day[users] <= day) & ((ended < 0) | (ended > day))

    def pick_reps(self, rng: np.random.Generator, us: np.ndarray, preferred: np.ndarray | None = None) -> np.ndarray:
        """A rep active at each time: the preferred user where active, else a random active rep.

        Rejection in a few vectorised rounds; the rare row still unmatched keeps its last draw (a deal
        owned by someone who has since left, as CRMs have).
        """
        day = us // DAY_US
        if preferred is None:
            chosen = self.reps[rng.integers(0, len(self.reps), len(us))]
        else:
            chosen = preferred.copy()
        for _ in range(16):
            bad = np.flatnonzero(~self.active_on(chosen, day))
            if bad.size == 0:
                break
            chosen[bad] = self.reps[rng.integers(0, len(self.reps), bad.size)]
        return chosen


def _team_names(count: int) -> list[str]:
    names = []
    combos = len(SEGMENTS) * len(TEAM_AREAS)
    for k in range(count):  # one per team, not per record
        base = f"{SEGMENTS[k % len(SEGMENTS)]} {TEAM_AREAS[k // len(SEGMENTS) % len(TEAM_AREAS)]}"
        names.append(base if k < combos else f"{base} {k // combos + 1}")
    return names


def generate_staff(rng: np.random.Generator, users: int, window: Window) -> Staff:
    teams = max(1, round((users - 1) / (REPS_PER_TEAM + 1)))
    n_reps = users - 1 - teams
    if n_reps < 1:
        raise ValueError(f"an org needs at least {teams + 2} users for {teams} team(s); got {users}")
    start_day = window.start_us // DAY_US
    end_day = window.as_of_day
    span = end_day - start_day

    team = np.concatenate([[-1], np.arange(teams), rng.integers(0, teams, n_reps)]).astype(np.int32)
    manager = np.concatenate([[-1], np.zeros(teams, dtype=np.int64), 1 + team[1 + teams:]]).astype(np.int64)

    # Leaders were there before the window; three reps in four too, the rest joined during it.
    started = start_day - rng.integers(60, 1_800, users)
    joined = np.zeros(users, dtype=bool)
    joined[1 + teams:] = rng.random(n_reps) < 0.25
    started[joined] = start_day + rng.integers(0, max(1, span - 45), int(joined.sum()))
    # About one rep in six left, at least four months after starting.
    ended = np.full(users, -1, dtype=np.int64)
    leaves = np.zeros(users, dtype=bool)
    leaves[1 + teams:] = rng.random(n_reps) < 0.17
    earliest = np.maximum(started + 120, start_day + 30)
    can_leave = leaves & (earliest < end_day - 1)
    ended[can_leave] = earliest[can_leave] + (rng.random(int(can_leave.sum())) * (end_day - 1 - earliest[can_leave])).astype(np.int64)
    # Keep at least one rep employed today, so every account can have a current owner.
    reps = np.arange(1 + teams, users)
    if not np.any(ended[reps] < 0):
        ended[reps[0]] = -1
    if not np.any(started[reps] <= end_day - 1):
        started[reps[0]] = start_day

    win_rate = 0.14 + 0.26 * rng.beta(2.0, 2.0, users)
    return Staff(team=team, manager=manager, started_day=started, ended_day=ended, win_rate=win_rate,
                 team_names=_team_names(teams), reps=reps)
