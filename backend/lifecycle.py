"""Status lifecycles: one check, one wording, for every domain that has one."""

import enum

from backend.errors import InvalidTransition


def check(what: str, transitions: dict, current: enum.Enum, to: enum.Enum) -> None:
    """Refuse a step the lifecycle does not allow, naming the steps it does."""
    if to not in transitions[current]:
        allowed = ", ".join(sorted(s.value for s in transitions[current])) or "none (it is final)"
        raise InvalidTransition(f"{what} cannot go from {current.value} to {to.value}; allowed next steps: {allowed}")
