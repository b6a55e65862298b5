"""Queries compiled by the ORM once and then run as plain SQL: for the access gate's hot path.

Every police access runs the same few small queries. Django compiles a queryset to SQL on
each evaluation, ~0.25 ms of Python per query here, more than PostgreSQL takes to answer;
at hundreds of accesses a second per department that is most of the gate's cost. A
:class:`CompiledQuery` builds its queryset once with marker parameters, keeps the SQL, and
then only binds new values. The SQL still comes from the models (a renamed column cannot
be missed), tables stay unqualified (django-tenants' search_path picks the schema at run
time), and the first use fails loudly if the ORM reorders or inlines a parameter.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet

# Distinctive values that no real query passes, so their positions can be found.
_MARKERS = (-7_310_991_001, -7_310_991_002, -7_310_991_003, -7_310_991_004)


class CompiledQuery:
    """``CompiledQuery(lambda a, b: Model.objects.filter(x=a, y=b).values_list(...)[:1])``,
    then ``.first(1, 2)`` / ``.all(1, 2)``: plain rows (tuples), no model instances.

    Only for ``values_list`` querysets whose columns need no Python-side conversion (ints,
    text, booleans, arrays, timestamps: psycopg returns them as Django would).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], arity: int = 1) -> None:
        self._build = build
        self._arity = arity
        self._sql: str | None = None

    def _compile(self) -> str:
        markers = _MARKERS[: self._arity]
        sql, params = self._build(*markers).query.sql_with_params()
        # A field may prepare the marker (an e-mail field turns it into text): compare as text.
        if tuple(str(p) for p in params) != tuple(str(m) for m in markers):
            raise RuntimeError(f"CompiledQuery: the ORM bound {params!r}, expected exactly {markers!r}")
        return str(sql)

    def all(self, *params: Any) -> list[tuple[Any, ...]]:
        return self._run(params, many=True)

    def first(self, *params: Any) -> tuple[Any, ...] | None:
        rows = self._run(params, many=False)
        return rows[0] if rows else None

    def _run(self, params: Sequence[Any], *, many: bool) -> list[tuple[Any, ...]]:
        if len(params) != self._arity:
            raise TypeError(f"CompiledQuery takes {self._arity} parameter(s), got {len(params)}")
        if self._sql is None:
            self._sql = self._compile()
        with connection.cursor() as cursor:
            cursor.execute(self._sql, list(params))
            if many:
                return list(cursor.fetchall())
            row = cursor.fetchone()
            return [row] if row is not None else []


def counts(**querysets: QuerySet[Any]) -> dict[str, int]:
    """How many rows each queryset has, in one statement (``SELECT (SELECT count(*) FROM (...)),
    ...``) instead of one ``.count()`` round trip each: for pages that show several counts."""
    if not querysets:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets.values():
        sql, part_params = queryset.order_by().query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS counted)")  # noqa: S608 (the ORM's SQL; values stay parameters)
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))
