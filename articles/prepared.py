"""Hot queries built and compiled by the ORM once per process, then run with new values.

The article page's two large queries (the article with its relations as JSON arrays,
and its neighbours and related news in one UNION) cost the ORM 5-10 ms of Python each
to build and compile: several times what the database takes to answer them. A
PreparedQuery builds its queryset once per shape from placeholder values, keeps the SQL
and where each placeholder's value sits among the parameters, and on every later run
only puts the new values there and runs the SQL as a raw query of the same model.

Placeholders are values no real row can hold (ids below -10^12, moments in 1901), and
every one must turn up among the compiled parameters: a value the ORM wrote into the SQL
text instead would make the query wrong for other values, so it is refused at once.

On PostgreSQL the SQL is also prepared on the server, once per connection (PREPARE),
and run by name (EXECUTE): planning these queries took the server longer than running
them (0.8 ms against 0.2 ms for the article page's), on every request. The connection
must then be a session of its own (no pooler in transaction mode, which the deployment
doesn't use); pressroom.backends.postgresql forgets the names with the connection.
"""

import datetime
import decimal
import itertools
import json
import re
from collections import OrderedDict
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from psycopg2 import DatabaseError

# Shapes kept per query (e.g. one per number of tags an article has).
MAX_SHAPES = 64
_FIRST_ID = -(10**12)
_FIRST_MOMENT = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)


_statement_numbers = itertools.count(1)
_PSYCOPG_PLACEHOLDER = re.compile(r"%[s%]")


class PlaceholderMissing(Exception):
    """A placeholder's value did not become a query parameter."""


class PreparedQuery:
    """A queryset, made by build(**values), compiled once per database and shape.

    values may be ints, aware datetimes, or lists of ints (a list's length is part of
    the shape); constants are passed to build() as they are and make a shape of their
    own (limits and other numbers the ORM writes into the SQL text). run() returns the
    model instances, annotations included, as a raw query.
    """

    def __init__(self, build):
        self.build = build
        self._compiled = OrderedDict()

    def run(self, *, using=DEFAULT_DB_ALIAS, constants=None, **values):
        """Return a RawQuerySet of the built query for these values."""
        compiled, sql, params = self._bind(connections[using], constants or {}, values)
        manager = compiled.model._default_manager
        if sql is None:
            return manager.none()
        return manager.raw(sql, params, compiled.translations, using=using)

    def rows(self, *, using=DEFAULT_DB_ALIAS, constants=None, **values):
        """Return the rows of the built query (a values_list()) as tuples.

        For the hottest small reads (a feed's list of ids and times): no model instance
        is made, and each value is converted as the ORM converts it (SQLite's dates).
        """
        connection = connections[using]
        compiled, sql, params = self._bind(connection, constants or {}, values)
        if sql is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        return [_converted(row, compiled.converters, connection) for row in rows]

    def _bind(self, connection, constants, values):
        """Return (the compiled shape, SQL, parameters) for values; no SQL if no row can match."""
        shape = (
            connection.alias,
            tuple(sorted(constants.items())),
            tuple(sorted((name, _shape_of(value)) for name, value in values.items())),
        )
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compile(connection, values, constants)
            self._compiled[shape] = compiled
            if len(self._compiled) > MAX_SHAPES:
                self._compiled.popitem(last=False)
        if not _in_range(connection, values):
            # As the ORM answers a lookup no row can match (an id of 30 digits in a URL).
            return compiled, None, None
        params = list(compiled.params)
        for position, (name, index) in compiled.positions.items():
            value = values[name] if index is None else values[name][index]
            params[position] = _adapt(connection, value)
        sql, statement = compiled.sql, compiled.statement
        if _prepare_on_server(connection, statement, sql, params):
            sql = (
                f"EXECUTE {statement}({', '.join(['%s'] * len(params))})"
                if params
                else f"EXECUTE {statement}"
            )
        return compiled, sql, params

    def _compile(self, connection, values, constants):
        placeholders, wanted = {}, {}
        for name, value in values.items():
            if isinstance(value, (list, tuple)):
                stand_ins = [_stand_in(item, len(wanted) + i) for i, item in enumerate(value)]
                placeholders[name] = stand_ins
                for index, stand_in in enumerate(stand_ins):
                    wanted[_adapt(connection, stand_in)] = (name, index)
            else:
                stand_in = _stand_in(value, len(wanted))
                placeholders[name] = stand_in
                wanted[_adapt(connection, stand_in)] = (name, None)
        queryset = self.build(**placeholders, **constants)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        translations = _translations(compiler)
        positions = {
            position: wanted[param]
            for position, param in enumerate(params)
            if _hashable(param) and param in wanted
        }
        missing = set(wanted.values()) - set(positions.values())
        if missing:
            raise PlaceholderMissing(f"not among the query's parameters: {sorted(missing)}")
        converters = compiler.get_converters([expression for expression, *_ in compiler.select])
        return _Compiled(
            model=queryset.model,
            sql=sql,
            params=params,
            positions=positions,
            translations=translations,
            statement=f"pressroom_{next(_statement_numbers)}",
            converters=converters,
        )


class _Compiled(NamedTuple):
    model: type
    sql: str
    params: list
    # {position among params: (value name, index in a list value or None)}
    positions: dict
    # {column: field name} of renamed columns (raw queries map them back)
    translations: dict
    # The name it is prepared under on PostgreSQL
    statement: str
    # {column index: (converters, expression)}, as the ORM's compiler applies them
    converters: dict


def _converted(row, converters, connection):
    row = list(row)
    for index, (functions, expression) in converters.items():
        value = row[index]
        for function in functions:
            value = function(value, expression, connection)
        row[index] = value
    return tuple(row)


def _prepare_on_server(connection, statement, sql, params):
    """Return whether statement is prepared in connection's session, preparing it if not.

    Only on PostgreSQL through pressroom.backends.postgresql, which keeps the names
    prepared in the current session (`prepared_statements`, emptied on reconnecting).
    A query the server can't prepare (a parameter of no inferable type) runs as it is.
    """
    if connection.vendor != "postgresql":
        return False
    connection.cursor().close()  # connects, or reconnects after a failed health check
    prepared = getattr(connection, "prepared_statements", None)
    if prepared is None:
        return False
    if statement not in prepared:
        prepared[statement] = _prepare(connection.connection, statement, sql, params)
    return prepared[statement]


def _prepare(session, statement, sql, params):
    """PREPARE sql as statement in a psycopg2 session; return whether the server took it.

    Each parameter is declared of its value's type, as the query written out with its
    values would read (a number chosen in the SELECT list stays a number, not text).

    On the driver's own cursor, as Django's health check runs its SELECT 1: preparing is
    part of running the query, not a query of its own to log or count. Inside a
    transaction, in a savepoint, which a refused PREPARE would otherwise abort.
    """
    numbers = itertools.count(1)
    numbered = _PSYCOPG_PLACEHOLDER.sub(
        lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", sql
    )
    # Outside autocommit, psycopg2 opens a transaction (if none is) for any statement.
    in_transaction = not session.autocommit
    with session.cursor() as cursor:
        if in_transaction:
            cursor.execute("SAVEPOINT pressroom_prepare")
        try:
            types = ", ".join(_server_type(value) for value in params)
            declared = f" ({types})" if types else ""
            cursor.execute(f"PREPARE {statement}{declared} AS {numbered}")
        except DatabaseError:
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT pressroom_prepare")
            return False
        finally:
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT pressroom_prepare")
    return True


def _server_type(value):
    """Return the PostgreSQL type of a parameter's value ("unknown": inferred from the SQL)."""
    for python_type, server_type in _SERVER_TYPES:
        if isinstance(value, python_type):
            return server_type
    return "unknown"


# bool before int, of which it is a subclass; datetime before date, likewise.
_SERVER_TYPES = (
    (bool, "boolean"),
    (int, "bigint"),
    (float, "double precision"),
    (decimal.Decimal, "numeric"),
    (datetime.datetime, "timestamptz"),
    (datetime.date, "date"),
    (str, "text"),
)


def _translations(compiler):
    """Return {column: field name} for the columns the SQL renames (col1, col2… in UNIONs)."""
    translations = {}
    for expression, _sql, alias in compiler.select:
        target = getattr(expression, "target", None)
        if alias and target is not None and alias not in compiler.query.annotation_select:
            translations[alias] = target.attname
    return translations


def json_value(raw):
    """Return a JSON annotation of a raw query as Python (raw queries leave it as text)."""
    return json.loads(raw) if isinstance(raw, (str, bytes)) else raw


def _in_range(connection, values):
    low, high = connection.ops.integer_field_range("BigIntegerField")
    for value in values.values():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, int) and not low <= item <= high:
                return False
    return True


def _shape_of(value):
    return len(value) if isinstance(value, (list, tuple)) else type(value).__name__


def _stand_in(value, number):
    if isinstance(value, datetime.datetime):
        return _FIRST_MOMENT + datetime.timedelta(microseconds=number + 1)
    if isinstance(value, int) and not isinstance(value, bool):
        return _FIRST_ID - number
    raise TypeError(f"a prepared query takes ints and datetimes, not {type(value).__name__}")


def _adapt(connection, value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True
