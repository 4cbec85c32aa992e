"""Sets of subject groups as integers, so that a flow propagates every group's data at once.

Bit ``g`` of a *mask* stands for the flow's ``g``-th subject group. A *lane set* holds a
mask per item (a regime, an organisation, a country): item ``k`` owns the ``width`` bits
from ``k * width`` (its lane), so "item ``k`` reaches group ``g`` here" is one bit, and
keeping only the groups of a mask in every lane is one ``&`` with the mask repeated
(``Lanes.repeat``). ``spread`` takes such integers to a fixed point along a flow's legs.
"""

from collections import deque


class Lanes:
    """Items numbered as they come, each owning a lane of ``width`` bits (one per group)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.full = (1 << width) - 1
        self.number: dict = {}
        self.items: list = []
        self._repeat = (0, 0)  # (items when made, the multiplier)

    def slot(self, item) -> int:
        found = self.number.get(item)
        if found is None:
            found = self.number[item] = len(self.items)
            self.items.append(item)
        return found

    def put(self, item, mask: int) -> int:
        """A lane set holding ``mask`` in ``item``'s lane."""
        return mask << (self.slot(item) * self.width)

    def repeat(self, mask: int) -> int:
        """``mask`` in every lane: ``value & repeat(mask)`` keeps the groups of ``mask`` in all items."""
        count, multiplier = self._repeat
        if count != len(self.items):
            multiplier = sum(1 << (k * self.width) for k in range(len(self.items)))
            self._repeat = (len(self.items), multiplier)
        return mask * multiplier  # a mask fits in a lane, so no carry crosses into the next

    def lane(self, value: int, slot: int) -> int:
        """The mask of groups in lane ``slot``."""
        return (value >> (slot * self.width)) & self.full

    def lanes(self, value: int):
        """(slot, mask) of every non-empty lane of ``value``."""
        width, full, slot = self.width, self.full, 0
        while value:
            mask = value & full
            if mask:
                yield slot, mask
            value >>= width
            slot += 1

    def of(self, value: int, group: int) -> list:
        """The items whose lane holds ``group``."""
        return [self.items[slot] for slot, mask in self.lanes(value) if mask >> group & 1]


def spread(values: list[int], legs: list[list[tuple[int, int]]]) -> None:
    """Grow ``values`` (one int per node) to the least fixed point of ``value[t] |= value[s] & mask``
    over each ``(t, mask)`` in ``legs[s]``; in place.

    A worklist, seeded in node order: with nodes numbered as a breadth-first search found
    them, most values are final after one pass, and a cycle only sends on what it adds.
    """
    queued = [True] * len(values)
    todo = deque(range(len(values)))
    while todo:
        source = todo.popleft()
        queued[source] = False
        value = values[source]
        if not value:
            continue
        for target, mask in legs[source]:
            passed = value & mask
            if passed & ~values[target]:
                values[target] |= passed
                if not queued[target]:
                    queued[target] = True
                    todo.append(target)


def refine(classes: list[list], lanes: Lanes, value: int) -> list[list]:
    """Split ``classes`` so that the groups of each share the items of ``value``'s lanes.

    A class is a list [groups, items, ...tags]; each class returned has in ``items``
    every item whose lane holds all its groups (tags are copied to the parts of a split
    class). A lane holding all the classes' groups, or none, splits nothing.
    """
    union = 0
    for entry in classes:
        union |= entry[0]
    common = []
    for slot, lane in lanes.lanes(value):
        lane &= union
        if not lane:
            continue
        item = lanes.items[slot]
        if lane == union:
            common.append(item)
            continue
        out = []
        for entry in classes:
            mask = entry[0]
            inside = mask & lane
            if inside == mask:
                entry[1].append(item)
            elif inside:
                out.append([inside, [*entry[1], item], *entry[2:]])
                entry[0] = mask & ~lane
            out.append(entry)
        classes = out
    for entry in classes:
        entry[1].extend(common)
    return classes


def bits_of(mask: int):
    """The bit numbers set in ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
