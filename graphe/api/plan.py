"""The reading part of a GraphQL answer, done a level at a time rather than a field at a time.

graphql-core resolves every field of every object on its own: a resolve-info object, argument coercion,
strawberry's resolver wrapper, awaitable checks — about 16 µs a field, 190 fields for a page of 20
practices with their city and themes, where reading the values costs a fraction of that. Once a root field
has given its objects, `PlannedExecution` completes each list (and each root object) itself: for every
field of the selection it calls the field's `Read` (declared next to the field in `fields.py`, or derived
for plain attributes and argument-free methods) on all objects of the level at once, after reading what
the level needs from the store in one batch per kind — the batching the DataLoaders give, without their
scheduling.

Root fields whose `Read` is declared (the lists and the lookups by IRI) are read the same way, from
their arguments as strawberry converts them (input objects, enums), converted once per distinct value:
the whole answer is then made here, graphql-core only parsing and validating it.

Anything else — an error, a null where the schema forbids one, an abstract type, a field without a
`Read`, `@defer`/`@stream` — and the level is handed back to graphql-core unchanged, which then gives the
standard answer and errors. Inside such a level, planned sub-levels read only what is already held (a
store read there would be one query per object instead of one per level).
"""

import inspect
import logging
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from graphql import (ExecutionResult, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, Undefined,
                     is_leaf_type)

from .framework_internals import (GraphQLCoreConverter, StrawberryGraphQLCoreExecutionContext, convert_argument,
                                  get_argument_values)

log = logging.getLogger(__name__)
READ = "graphe.read"  # key of a field's `Read` in its strawberry metadata, then in its GraphQL extensions
TYPENAME = "__typename"
DIRECTIVES = frozenset({"skip", "include"})  # already applied when fields are collected
CONVERTED = 256  # converted argument values kept per root field (distinct filters, orders… seen lately)


class Read(NamedTuple):
    """How a field is read outside graphql-core: `resolve(source, context, arguments)`, synchronous, and
    what it needs held first (`needs(source, arguments)` → (kind, key) pairs for `Context.prefetch`)."""

    resolve: Callable[[Any, Any, dict], Any]
    needs: Callable[[Any, dict], Iterable[tuple]] | None = None
    # Root fields get their arguments as strawberry gives them to the resolver (python names, input
    # objects, enums) instead of graphql-core's values: `prepare` puts strawberry's conversion here. They
    # are shared by the requests giving the same values: a root read never changes them.
    convert: Callable[[dict], dict] | None = None


class Fallback(Exception):
    """This level is not planned: graphql-core completes it."""


def prepare(schema: GraphQLSchema, scalar_registry: Mapping, config: Any) -> GraphQLSchema:
    """Give every field that can be read outside graphql-core its `Read` (in its extensions), once.
    `scalar_registry` and `config` are the strawberry schema's, to convert root fields' arguments."""
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
            for field_def in type_.fields.values():
                field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
                read = _read_of(field)
                if read is not None and type_ is schema.query_type and field.arguments:
                    read = read._replace(convert=_converter(field, scalar_registry, config))
                if read is not None:
                    field_def.extensions = {**(field_def.extensions or {}), READ: read}
    return schema


def _converter(field: Any, scalar_registry: Mapping, config: Any) -> Callable[[dict], dict]:
    """graphql-core's argument values → the resolver's, by strawberry's own `convert_argument` (so the
    same UNSET, enum, list and input-object handling), each distinct value converted once."""
    arguments = [(config.name_converter.from_argument(a), a) for a in field.arguments]
    done: dict[tuple, Any] = {}  # (name, frozen value) → converted value, oldest first

    def convert(raw: dict) -> dict:
        out = {}
        for name, argument in arguments:
            if name not in raw:
                continue  # the resolver's default applies, as with strawberry
            value = raw[name]
            key = (name, _frozen(value))
            try:
                out[argument.python_name] = done[key]
                continue
            except KeyError:
                pass
            except TypeError:  # an unhashable value: converted every time
                key = None
            converted = out[argument.python_name] = convert_argument(value, argument.type, scalar_registry, config,
                                                                     path=(name,))
            if key is not None:
                if len(done) >= CONVERTED:
                    del done[next(iter(done))]
                done[key] = converted
        return out
    return convert


def _frozen(value: Any) -> Any:
    """A hashable key telling apart every value graphql-core may give (1, 1.0 and True included)."""
    if type(value) is dict:
        return (dict, tuple((k, _frozen(v)) for k, v in value.items()))
    if type(value) is list:
        return (list, tuple(_frozen(v) for v in value))
    return (type(value), value)


def _read_of(field: Any) -> Read | None:
    if field is None or getattr(field, "permission_classes", None) or getattr(field, "extensions", None):
        return None
    declared = (field.metadata or {}).get(READ)
    if declared is not None:
        return declared
    resolver = field.base_resolver
    if resolver is None:  # a plain attribute
        get = operator.attrgetter(field.python_name)
        return Read(lambda source, ctx, args: get(source))
    function = resolver.wrapped_func
    if field.is_async or list(inspect.signature(function).parameters) != ["self"]:
        return None  # needs the info, arguments or an await: graphql-core calls it
    return Read(lambda source, ctx, args: function(source))


class PlannedExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, completing lists and root objects a level at a time when it can."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handed_back: dict[int, Any] = {}  # id → path of levels graphql-core completes (kept alive)
        self._fields: dict[tuple, list[tuple]] = {}

    def execute_operation(self, serially: bool | None = None) -> Any:
        """graphql-core's, then the executor's one cycle is broken (`async_helpers` holds two of its bound
        methods): every request's executor, with all it collected, was otherwise freed only by the cyclic
        collector — 120 to 190 objects a request, young passes every few dozen requests."""
        result = super().execute_operation(serially)
        if self.is_awaitable(result):
            async def released() -> Any:
                done = await result
                self._release(done)
                return done
            return released()
        self._release(result)
        return result

    def _release(self, result: Any) -> None:
        if isinstance(result, ExecutionResult):  # (incremental delivery goes on using the executor)
            self.async_helpers = None

    def complete_list_value(self, return_type, field_details_list, info, path, result,  # type: ignore[no-untyped-def]
                            position_context):
        if type(result) is list:
            done = self._planned(return_type, field_details_list, path, [result])
            if done is not None:
                return done[0]
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def complete_object_value(self, return_type, field_details_list, info, path, result,  # type: ignore[no-untyped-def]
                              position_context):
        if path.prev is None:  # a root field's object (lists and objects below are planned from lists)
            done = self._planned(return_type, field_details_list, path, [result])
            if done is not None:
                return done[0]
        return super().complete_object_value(return_type, field_details_list, info, path, result,
                                             position_context)

    def execute_root_grouped_field_set(self, root_type, root_value, grouped_field_set, serially,  # type: ignore[no-untyped-def]
                                       position_context):
        """A query whose root fields all have a `Read` is answered here, whole; anything else (or any
        error) is graphql-core's, from the start."""
        manager = self.middleware_manager  # strawberry's: empty unless an extension wraps every resolver
        if not serially and position_context is None and not (manager is not None and manager.middlewares):
            try:
                fields = self._plan(root_type, grouped_field_set)
                return self._run(root_type, None, [root_value], True, fields)[0]
            except Fallback:
                pass
            except Exception:  # noqa: BLE001 — graphql-core does it again, and reports what went wrong
                log.debug("root fields handed back to graphql-core", exc_info=True)
        return super().execute_root_grouped_field_set(root_type, root_value, grouped_field_set, serially,
                                                       position_context)

    def _planned(self, return_type: Any, field_details_list: Any, path: Any, values: list) -> list | None:
        fetch = True
        at = path
        while at is not None:
            if id(at) in self._handed_back:
                fetch = False  # inside a level graphql-core completes: read nothing more (no N+1)
                break
            at = at.prev
        try:
            return self._run(return_type, field_details_list, values, fetch)
        except Exception:  # noqa: BLE001 — graphql-core does it again, and reports what went wrong
            self._handed_back[id(path)] = path
            return None

    def _run(self, type_: Any, details: Any, values: list, fetch: bool, root: list[tuple] | None = None) -> list:
        """Complete `values` of `type_`: objects are resolved a depth at a time, every group of objects at
        one depth together (one store read per kind and depth, as the DataLoaders batch per tick); then
        the answer is put together from the deepest groups up. `root`: the planned fields of the root
        value (`values`, one root value, possibly None), for a whole operation."""
        context = self.context_value
        if root is not None:
            first: _Group | None = _Group(type_, details, values)
            first.fields = root  # type: ignore[union-attr]
        else:
            first = _collect(type_, values, details)
        depth, groups = ([first] if first is not None else []), []
        while depth:
            for group in depth:
                if group.fields is not None:
                    continue  # the root's
                group.fields = self._planned_fields(group.type, group.details)
                is_type_of = group.type.is_type_of
                if is_type_of is not None and not all(is_type_of(o, None) for o in group.objects):
                    raise Fallback("not of this type")
            needs = [need for group in depth for _, _, read, args, _ in group.fields
                     if read is not None and read.needs is not None
                     for o in group.objects for need in read.needs(o, args)]
            if needs and not context.prefetch(needs, fetch):
                raise Fallback("not held, and this level may not read")
            below: list[_Group] = []
            for group in depth:
                for _, field_def, read, args, sub in group.fields:
                    if field_def is None:
                        group.columns.append(([group.type.name] * len(group.objects), None))
                        continue
                    resolve = read.resolve
                    column = [resolve(o, context, args) for o in group.objects]
                    child = _collect(field_def.type, column, sub)
                    if child is not None:
                        below.append(child)
                    group.columns.append((column, child))
            groups += depth
            depth = below
        for group in reversed(groups):
            rows: list[dict] = [{} for _ in group.objects]
            for (key, field_def, _, _, _), (column, child) in zip(group.fields, group.columns):
                done = column if field_def is None else _assemble(field_def.type, column, child)
                for row, value in zip(rows, done):
                    row[key] = value
            group.rows = iter(rows)
        if root is not None:
            return [next(first.rows)]  # type: ignore[union-attr]
        return _assemble(type_, values, first)

    def _planned_fields(self, type_: GraphQLObjectType, details: Any) -> list[tuple]:
        """(response key, field, Read, arguments, sub-selection) of a selection on a type, made once per
        request and selection (arguments depend on the variables)."""
        key = (type_, id(details))
        planned = self._fields.get(key)
        if planned is not None:
            return planned
        collected = self.collect_subfields(type_, details)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise Fallback("@defer or @stream")
        planned = self._fields[key] = self._plan(type_, collected.grouped_field_set)
        return planned

    def _plan(self, type_: GraphQLObjectType, grouped_field_set: Any) -> list[tuple]:
        planned = []
        for response_key, sub in grouped_field_set.items():
            first = sub[0]
            if any(d.defer_usage is not None or d.fragment_variable_values is not None
                   or any(x.name.value not in DIRECTIVES for x in d.node.directives or ()) for d in sub):
                raise Fallback("directive")
            name = first.node.name.value
            if name == TYPENAME:
                planned.append((response_key, None, None, None, sub))
                continue
            field_def = type_.fields.get(name)
            read = field_def.extensions.get(READ) if field_def is not None and field_def.extensions else None
            if read is None:
                raise Fallback(f"{type_.name}.{name} is read by graphql-core")
            args = (get_argument_values(field_def, first.node, self.variable_values, None, self.hide_suggestions)
                    if field_def.args or first.node.arguments else {})
            if read.convert is not None:
                args = read.convert(args)
            planned.append((response_key, field_def, read, args, sub))
        return planned


class _Group:
    """Objects of one type and selection at one depth: their fields' values, then their answer rows."""

    __slots__ = ("type", "details", "objects", "fields", "columns", "rows")

    def __init__(self, type_: Any, details: Any, objects: list) -> None:
        self.type, self.details, self.objects = type_, details, objects
        self.fields: list[tuple] | None = None
        self.columns: list[tuple[list, _Group | None]] = []  # per field: its values, the group of its objects
        self.rows: Any = None  # an iterator over the answer rows, in the order of `objects`


def _present(values: list) -> list:
    return [v for v in values if v is not None and v is not Undefined]


def _collect(type_: Any, values: list, details: Any) -> _Group | None:
    """Check the shape of `values` against `type_`; its objects, in order, make one group."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    present = _present(values)
    if isinstance(type_, GraphQLList):
        flat: list = []
        for value in present:
            if type(value) is not list:
                raise Fallback("not a list")
            flat.extend(value)
        return _collect(type_.of_type, flat, details)
    if isinstance(type_, GraphQLObjectType):
        return _Group(type_, details, present) if present else None
    if not is_leaf_type(type_):
        raise Fallback("abstract type")
    return None


def _assemble(type_: Any, values: list, group: _Group | None) -> list:
    """The answer for `values`: leaves coerced, objects replaced by their group's rows, in order."""
    if isinstance(type_, GraphQLNonNull):
        done = _assemble(type_.of_type, values, group)
        if None in done:
            raise Fallback("null in a non-null position")
        return done
    if isinstance(type_, GraphQLList):
        items = iter(_assemble(type_.of_type, [i for v in _present(values) for i in v], group))
        return [None if v is None or v is Undefined else [next(items) for _ in v] for v in values]
    if is_leaf_type(type_):
        coerce = type_.coerce_output_value
        done = []
        for value in values:
            if value is None or value is Undefined:
                done.append(None)
                continue
            coerced = coerce(value)
            if coerced is None or coerced is Undefined:
                raise Fallback("leaf value not coerced")
            done.append(coerced)
        return done
    rows = group.rows if group is not None else iter(())
    return [None if v is None or v is Undefined else next(rows) for v in values]
