"""Shared rows: data many tests read, built once per worker instead of once per test.

A layer's rows are written in a transaction that stays open under the tests that ask for them; each
of those tests runs in its own savepoint inside it (pytest-django's `db`), rolled back afterwards,
so every test sees the layer exactly as built and never another test's writes. Before any other
database test the layer's transaction is rolled back, so no other test ever sees it; when a test
asking for it comes again, it is built again. The tests of each layer are collected together
(`sort_key`), so a worker usually builds each layer once. A layer may stand on another (`parent`):
its transaction opens inside the parent's.

A layer is declared with what builds it (in a helpers module), and marks the fixture that serves it;
the fixture asks the layer for its value, and `refs`/`fetch` turn the built objects into references
and back into fresh objects for each test (tests change objects in memory)::

    BUILDING_PERMIT = layers.Layer(build=lambda: layers.refs(two_agency_service(...)))

    @pytest.fixture
    @BUILDING_PERMIT.serves
    def service(request, db):
        return layers.fetch(BUILDING_PERMIT.value(request))

A transactional test (its flush would empty the layer's tables, and other connections could not see
them) gets rows of its own: `value` builds them for it, committed like the rest of its data (not for
a layer standing on another).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from pytest_django.fixtures import validate_django_db

_declared: list[Layer] = []
_stack: list[Layer] = []  # the open layers, innermost last


class Layer:
    def __init__(self, build, parent: Layer | None = None):
        self.build, self.parent = build, parent
        self.fixtures: set = set()  # the code of the fixture functions that serve it
        self.atomic = None
        self.built = None
        _declared.append(self)

    def __repr__(self) -> str:
        return f"<layer {self.build.__module__}.{self.build.__name__}>"

    def serves(self, fixture_function):
        """Decorator (under @pytest.fixture): a test asking for this fixture asks for the layer."""
        self.fixtures.add(fixture_function.__code__)
        return fixture_function

    @property
    def chain(self) -> list[Layer]:
        return [*self.parent.chain, self] if self.parent else [self]

    def value(self, request):
        """What `build` returned: the layer's (open under this test), or a fresh build for a transactional test."""
        if transactional(request.node):
            assert self.parent is None, f"{request.node.nodeid}: {self} stands on another layer: no transactions"
            return self.build()
        assert self in _stack, f"{self} is not open under {request.node.nodeid}"
        return self.built

    def _open(self, blocker) -> None:
        with blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic._from_testcase = True  # a test's durable atomic block may open inside it
            self.atomic.__enter__()
            _stack.append(self)
            self.built = self.build()

    def _close(self, blocker) -> None:
        assert _stack[-1] is self
        with blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None
        _stack.pop()


@dataclass(frozen=True)
class Ref:
    model: type
    pk: object


def refs(value):
    """Model instances (in dicts, lists, tuples) → references to them."""
    if isinstance(value, dict):
        return {key: refs(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(refs(item) for item in value)
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return Ref(type(value), value.pk)
    return value


def fetch(value):
    """References → fresh instances from the database (one query a model)."""
    wanted: dict[type, set] = {}

    def collect(item):
        if isinstance(item, Ref):
            wanted.setdefault(item.model, set()).add(item.pk)
        elif isinstance(item, dict):
            for inner in item.values():
                collect(inner)
        elif isinstance(item, list | tuple):
            for inner in item:
                collect(inner)

    collect(value)
    found = {model: model.objects.in_bulk(pks) for model, pks in wanted.items()}

    def rebuild(item):
        if isinstance(item, Ref):
            return found[item.model][item.pk]
        if isinstance(item, dict):
            return {key: rebuild(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return type(item)(rebuild(inner) for inner in item)
        return item

    return rebuild(value)


def transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(marker and validate_django_db(marker)[0]) or bool(
        names & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


def wanted(item) -> Layer | None:
    """The (innermost) layer a non-transactional test asks for through any of its fixtures, if any."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None or transactional(item):
        return None
    active = {getattr(definitions[-1].func, "__code__", None) for definitions in info.name2fixturedefs.values()}
    found = [layer for layer in _declared if layer.fixtures & active]
    if not found:
        return None
    innermost = max(found, key=lambda layer: len(layer.chain))
    if not all(layer in innermost.chain for layer in found):
        raise ValueError(f"{item.nodeid} asks for layers that do not stand on each other: {found}")
    return innermost


def sort_key(item) -> tuple[int, ...]:
    layer = wanted(item)
    return tuple(_declared.index(each) for each in layer.chain) if layer else (len(_declared),)


def prepare(item, blocker) -> None:
    """Just before a database test's own transaction opens: the layers it asks for are open, no others."""
    layer = wanted(item)
    target = layer.chain if layer else []
    while _stack and (len(_stack) > len(target) or _stack[len(_stack) - 1] is not target[len(_stack) - 1]):
        _stack[-1]._close(blocker)
    for each in target[len(_stack) :]:
        each._open(blocker)


def close_all(blocker) -> None:
    while _stack:
        _stack[-1]._close(blocker)
