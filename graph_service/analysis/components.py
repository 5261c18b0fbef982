"""Connected components kept current as edges and nodes come and go.

Joining two components moves the smaller into the larger. Removing edges may split one: the
ends of the removed edges are searched from in lockstep, and each search that runs out before
meeting the others has found a whole component, which gets a label of its own; the last
search still running is the rest of the old component and keeps its label. A split costs
about the size of the smaller pieces, so cutting a leaf off a large component is cheap.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable

Neighbours = Callable[[str], Iterable[str]]


class Components:
    """Labels of the connected components of an undirected graph, and their sizes."""

    def __init__(self, nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> None:
        self.label: dict[str, int] = {}
        self.members: dict[int, set[str]] = {}
        self.sizes: Counter[int] = Counter()  # component size -> how many components
        self._sizes: tuple[int, ...] | None = None  # size_list, until a size changes
        self._next = 0
        for node in nodes:
            self.add_node(node)
        for a, b in edges:
            self.join(a, b)

    def add_node(self, node: str) -> None:
        """A node in a component of its own."""
        label = self._new_label({node})
        self.label[node] = label

    def remove_node(self, node: str) -> None:
        """Take a node out (its edges must be gone: `separate` its former neighbours)."""
        self._resize(self.label.pop(node), removed={node})

    def join(self, a: str, b: str) -> None:
        """An edge a-b: their components become one."""
        la, lb = self.label[a], self.label[b]
        if la == lb:
            return
        if len(self.members[la]) < len(self.members[lb]):
            la, lb = lb, la
        moved = self.members.pop(lb)
        self.sizes[len(moved)] -= 1
        self._sizes = None
        for node in moved:
            self.label[node] = la
        self._resize(la, added=moved)

    def separate(self, ends: Iterable[str], neighbours: Neighbours) -> None:
        """After edges between ``ends`` (and removed nodes) went: split what came apart."""
        by_label: dict[int, list[str]] = {}
        for node in dict.fromkeys(ends):
            if node in self.label:
                by_label.setdefault(self.label[node], []).append(node)
        for label, sources in by_label.items():
            if len(sources) < 2:
                continue  # one end: what is left of its component is still connected
            for piece in _pieces(sources, neighbours):
                self._resize(label, removed=piece)
                new = self._new_label(piece)
                for node in piece:
                    self.label[node] = new

    def size_list(self) -> tuple[int, ...]:
        """Every component's size, largest first."""
        if self._sizes is None:
            self._sizes = tuple(
                size for size in sorted(self.sizes, reverse=True) for _ in range(self.sizes[size])
            )
        return self._sizes

    @property
    def count(self) -> int:
        """How many components there are."""
        return len(self.members)

    def _new_label(self, members: set[str]) -> int:
        self._sizes = None
        label = self._next
        self._next += 1
        self.members[label] = members
        self.sizes[len(members)] += 1
        return label

    def _resize(
        self, label: int, *, added: set[str] | None = None, removed: set[str] | None = None
    ) -> None:
        self._sizes = None
        members = self.members[label]
        self.sizes[len(members)] -= 1
        members.update(added or ())
        members.difference_update(removed or ())
        if members:
            self.sizes[len(members)] += 1
        else:
            del self.members[label]
        self.sizes += Counter()  # drops sizes no component has any more


def _pieces(sources: list[str], neighbours: Neighbours) -> list[set[str]]:
    """Whole components around ``sources``, all but the one whose search outlasts the rest."""
    owner: dict[str, int] = {}
    found: dict[int, set[str]] = {}
    frontier: dict[int, deque[str]] = {}
    for search, source in enumerate(sources):
        if source not in owner:
            owner[source] = search
            found[search] = {source}
            frontier[search] = deque([source])
    done: list[set[str]] = []
    while len(frontier) > 1:
        for search in list(frontier):
            if search not in frontier:
                continue  # merged into another search this round
            queue = frontier[search]
            if not queue:
                done.append(found.pop(search))
                del frontier[search]
                continue
            for other in neighbours(queue.popleft()):
                mine = owner.get(other)
                if mine is None:
                    owner[other] = search
                    found[search].add(other)
                    queue.append(other)
                elif mine != search:
                    # Two searches met: one component. The larger keeps its name.
                    keep, lose = (search, mine)
                    if len(found[keep]) < len(found[lose]):
                        keep, lose = lose, keep
                    for node in found[lose]:
                        owner[node] = keep
                    found[keep] |= found.pop(lose)
                    frontier[keep].extend(frontier.pop(lose))
                    search, queue = keep, frontier[keep]
    return done
