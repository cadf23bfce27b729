"""The qualifier a computed number inherits from the figures it rests on.

A figure is "exact", "about" (sekitar), "more_than" (lebih dari) or "up_to" (hingga): the enum of
figures.qualifier in datapackage.json. A number computed from figures says as much as they allow:

- exact figures give an exact result;
- a bound carries through in the direction the result moves with that figure: "lebih dari 1,3 juta"
  workers × 11 % is "lebih dari 143.000"; the same figure as a divisor or a subtrahend turns the
  bound round ("hingga");
- "about" anywhere, or bounds pulling opposite ways, leave only "about".

Each figure enters as (qualifier, sign): +1 when the result grows with it, -1 when the result
shrinks as it grows, 0 when the result does not depend on it (say, multiplied by an exact zero).
"""

from __future__ import annotations

from collections.abc import Iterable

EXACT, ABOUT, MORE_THAN, UP_TO = "exact", "about", "more_than", "up_to"

# the direction the true value may lie from the printed one; None: either way
_DIRECTION = {EXACT: 0, "": 0, None: 0, MORE_THAN: 1, UP_TO: -1, ABOUT: None}
# spellings outside the enum, read for what they mean rather than taken as exact
_ALIASES = {"at_least": MORE_THAN, "less_than": UP_TO, "at_most": UP_TO, "approx": ABOUT}


def direction(qualifier: str | None) -> int | None:
    """0 exact, +1 a lower bound, -1 an upper bound, None either way (unknown spellings too)."""
    qualifier = _ALIASES.get(qualifier, qualifier)  # type: ignore[arg-type]
    return _DIRECTION.get(qualifier)


def sign(value: float | int | None) -> int:
    """The sign of a factor: how the result of a product moves with the other factor."""
    if not value:
        return 0
    return 1 if value > 0 else -1


def propagate(terms: Iterable[tuple[str | None, int]]) -> str:
    """The qualifier of a result from (qualifier, sign) of every figure it rests on."""
    seen = set()
    for qualifier, effect in terms:
        if effect == 0:
            continue
        way = direction(qualifier)
        if way is None:
            return ABOUT
        if way:
            seen.add(way * (1 if effect > 0 else -1))
    if not seen:
        return EXACT
    if len(seen) > 1:
        return ABOUT  # one bound pushes up, another down: nothing but "about" is honest
    return MORE_THAN if seen == {1} else UP_TO


def product(a: str | None, b: str | None, sign_a: int = 1, sign_b: int = 1) -> str:
    """a × b; sign_a is the sign of a (how the product moves with b), sign_b that of b."""
    return propagate([(a, sign_b), (b, sign_a)])


def quotient(numerator: str | None, denominator: str | None) -> str:
    """numerator ÷ denominator, both positive."""
    return propagate([(numerator, 1), (denominator, -1)])


def difference(minuend: str | None, subtrahend: str | None) -> str:
    """minuend − subtrahend."""
    return propagate([(minuend, 1), (subtrahend, -1)])


def total(*qualifiers: str | None) -> str:
    """a + b + …"""
    return propagate((q, 1) for q in qualifiers)
