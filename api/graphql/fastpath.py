"""Lists of nodes completed without graphql-core's per-field machinery.

graphql-core executes every field of every list item through the same general steps
(``Executor.execute_field``: look up the field, build a ``GraphQLResolveInfo``, coerce the
arguments, call the resolver through strawberry's wrapper, test for awaitables, complete the
value by its type), some 10 µs a field. A 50-row page with two nested lists is about 520 fields,
so this alone cost three times the store calls that give the same answer (issue 16). The
GraphQL execution model does not need it: for a field whose resolver is a pure function of
its parent (a plain attribute, a node's name, a relationship list that the page prefetched)
the result depends only on the parent, so it can be computed by a closure compiled once per
selection — what graphql-jit does for graphql-js ("compiled queries").

:class:`FastExecutionContext` compiles, per request and per selection (graphql-core's
``FieldDetailsList``), a completer for a list field's value. A completer handles scalars,
enums, lists, objects and interfaces of the schema's own classes, and fields that are either
strawberry's basic fields (``getattr``) or registered in :data:`PURE` (pure functions of the
parent and the request context, whose factories see the field's coerced arguments). Anything
else — a resolver that must wait, an argument a factory declines, a directive, ``@defer``, a
null in a non-null position, an unexpected exception — raises :class:`Miss`, and the whole
list goes through graphql-core as before, which then reports errors with their paths. Pure
resolvers have no side effects, so computing a value twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary, WeakMethod

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.values import get_argument_values
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

Complete = Callable[[Any], Any]
# A pure resolver: parent object -> value; raises Miss when it cannot answer without waiting.
Pure = Callable[[Any], Any]
# Given a field's coerced arguments and the request context, the pure resolver for them, or
# None to decline (once per request and selection: work common to the list goes here).
PureFactory = Callable[[dict[str, Any], Any], Pure | None]

# Resolver functions (what ``strawberry.field(resolver=…)`` wraps) -> their pure factories,
# and the Python type each always returns, if one (its value then needs no completing).
PURE: dict[object, tuple[PureFactory, type | None]] = {}
BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
# Scalars whose output coercion is the identity on values of exactly this Python type.
EXACT: dict[int, type] = {id(GraphQLString): str, id(GraphQLID): str, id(GraphQLBoolean): bool}
COLLECTED = frozenset({"include", "skip"})  # directives that field collection applies


class Miss(Exception):
    """A value this module does not complete: graphql-core completes the list instead."""


def pure(resolver: Callable[..., Any], returns: type | None = None
         ) -> Callable[[PureFactory], PureFactory]:
    """Register the pure factory of a resolver function (a decorator); ``returns``: the type
    its pure resolvers always return (``str`` for a name: never None)."""
    def register(factory: PureFactory) -> PureFactory:
        PURE[resolver] = (factory, returns)
        return factory
    return register


def _miss(_: Any) -> Any:
    raise Miss


_CLASSES: WeakKeyDictionary[GraphQLSchema, dict[Any, Any]] = WeakKeyDictionary()


def classes(schema: GraphQLSchema) -> dict[Any, Any]:
    """The object type of each Python class of a strawberry schema, and the class of each
    object type (built once per schema): a value's runtime type without strawberry's
    ``resolve_type``/``is_type_of``."""
    found = _CLASSES.get(schema)
    if found is None:
        found = {}
        for t in schema.type_map.values():
            definition = t.extensions.get(BACKREF) if is_object_type(t) else None
            origin = getattr(definition, "origin", None)
            if isinstance(origin, type) and not getattr(definition, "is_graphql_generic", True):
                found[origin] = t
        found.update({t: c for c, t in found.items()})  # and back, keyed by the type
        _CLASSES[schema] = found
    return found


def leaf(rtype: Any, attr: str | None = None) -> Complete:
    """graphql-core's ``complete_leaf_value`` for one scalar or enum type (``NonNull`` of one
    too), skipping the call where output coercion is the identity (a ``str`` for ``String``);
    with ``attr``, of the attribute of that name (a basic field in one call, not two)."""
    required = is_non_null_type(rtype)
    named: GraphQLLeafType = rtype.of_type if required else rtype
    coerce = named.coerce_output_value
    exact = EXACT.get(id(named))

    def complete(v: Any) -> Any:
        if attr is not None:
            v = getattr(v, attr)
        if v is None:
            if required:
                raise Miss  # graphql-core raises the error, with its path
            return None
        if type(v) is exact:
            return v
        out = coerce(v)
        if out is None or out is Undefined:
            raise Miss
        return out
    return complete


def _is_leaf(rtype: Any) -> bool:
    return is_leaf_type(rtype.of_type if is_non_null_type(rtype) else rtype)


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with list fields completed by compiled closures when
    every field under them is pure (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: dict[tuple[int, int], tuple[Any, Any, Complete]] = {}

    def complete_list_value(self, return_type: Any, field_details_list: Any, info: Any,
                            path: Any, result: Any, position_context: Any) -> Any:
        if type(result) is list and _plain(field_details_list[0].node):
            try:
                return self.completer(return_type, field_details_list)(result)
            except Exception:  # graphql-core does it again, errors and all
                pass
        return super().complete_list_value(return_type, field_details_list, info, path,
                                           result, position_context)

    def build_response(self, data: Any) -> Any:
        """graphql-core's response, the compiled completers dropped first: the executor is
        in a reference cycle of its own (its ``async_helpers``), so what it holds is
        freed only by the garbage collector (a later request would compile them anew)."""
        self._compiled.clear()
        return super().build_response(data)

    def completer(self, rtype: GraphQLOutputType, fdl: Any) -> Complete:
        """The completer of values of ``rtype`` selected by ``fdl``, compiled once per
        request (one raising :class:`Miss` when the selection is not for this path)."""
        key = (id(rtype), id(fdl))
        hit = self._compiled.get(key)
        if hit is None:
            try:
                fn = self._compile(rtype, fdl)
            except Exception:  # not for the fast path: remember that
                fn = _miss
            hit = self._compiled[key] = (rtype, fdl, fn)  # keeps both alive: ids stay unique
        return hit[2]

    def _compile(self, rtype: Any, fdl: Any) -> Complete:
        if _is_leaf(rtype):
            return leaf(rtype)
        if is_non_null_type(rtype):
            return _non_null(self.completer(rtype.of_type, fdl))
        if is_list_type(rtype):
            item = rtype.of_type
            named = item.of_type if is_non_null_type(item) else item
            if is_object_type(named):
                return self._object_list(named, fdl)
            return _listed(self.completer(item, fdl))
        if is_object_type(rtype) or is_abstract_type(rtype):
            return self._object(rtype, fdl)
        raise Miss

    def _object(self, rtype: Any, fdl: Any) -> Complete:
        """Objects of the schema's own classes; the selection compiled per runtime type."""
        known = classes(self.schema)
        schema = self.schema
        abstract = is_abstract_type(rtype)
        plans: dict[type, Complete] = {}
        compile_fields = WeakMethod(self._fields)  # no cycle through the cache: see release

        def complete(v: Any) -> Any:
            if v is None:
                return None
            plan = plans.get(type(v))
            if plan is None:
                runtime = known.get(type(v))
                if runtime is None or not (runtime is rtype or (
                        abstract and schema.is_sub_type(rtype, runtime))):
                    raise Miss
                plan = plans[type(v)] = _compiled_or_miss(compile_fields, runtime, fdl)
            return plan(v)
        return complete

    def _object_list(self, otype: GraphQLObjectType, fdl: Any) -> Complete:
        """A list of objects of one object type: the items' class checked for the whole list
        at once (C-level ``set(map(type, …))``), then one compiled call per item."""
        cls = classes(self.schema).get(otype)
        compile_fields = WeakMethod(self._fields)
        plan: list[Complete] = []  # compiled on the first list that has items

        def complete(v: Any) -> Any:
            if v is None:
                return None
            if type(v) is not list or (v and set(map(type, v)) != {cls}):
                raise Miss  # null items, other classes: graphql-core
            if not v:
                return []
            if not plan:
                plan.append(_compiled_or_miss(compile_fields, otype, fdl))
            fields = plan[0]
            return [fields(x) for x in v]
        return complete

    def _fields(self, runtime: GraphQLObjectType, fdl: Any) -> Complete:
        grouped, defers, forbidden = self.collect_subfields(runtime, fdl)
        if defers or forbidden:
            raise Miss
        return record(list(grouped), [self._field(runtime, sub) for sub in grouped.values()])

    def _field(self, runtime: GraphQLObjectType, fdl: Any) -> Complete:
        """One field of an object: its resolver (basic or pure) and then its completer."""
        if any(fd.defer_usage is not None or fd.fragment_variable_values for fd in fdl):
            raise Miss
        node = fdl[0].node
        name = node.name.value
        if name == "__typename":
            typename = runtime.name
            return lambda _: typename
        fdef = runtime.fields.get(name)
        sfield = None if fdef is None else fdef.extensions.get(BACKREF)
        if fdef is None or not isinstance(sfield, StrawberryField) or not _plain(node):
            raise Miss
        if sfield.base_resolver is None:
            if sfield.extensions or sfield.default_resolver is not getattr:
                raise Miss
            attr = sfield.python_name
            if _is_leaf(fdef.type):
                return leaf(fdef.type, attr)
            complete = self.completer(fdef.type, fdl)
            return lambda v: complete(getattr(v, attr))
        factory, returns = PURE.get(sfield.base_resolver.wrapped_func, (None, None))
        args = get_argument_values(fdef, node, self.variable_values, None,
                                   self.hide_suggestions) if fdef.args or node.arguments else {}
        resolve = None if factory is None or sfield.extensions else factory(
            args, self.context_value)
        if resolve is None:
            raise Miss
        if returns is not None and _exact(fdef.type) is returns:
            return resolve  # e.g. a name (String!): always a str, nothing to complete
        complete = self.completer(fdef.type, fdl)
        return lambda v: complete(resolve(v))


def record(keys: list[str], getters: list[Complete]) -> Complete:
    """``v -> {key: getter(v), …}``, built with a dict display for up to six fields: a
    comprehension over the pairs costs twice as much per object (its loop and frame), and a
    page completes a few hundred objects."""
    n = len(keys)
    if n > 6:
        pairs = list(zip(keys, getters, strict=True))
        return lambda v: {k: g(v) for k, g in pairs}
    k0, k1, k2, k3, k4, k5 = [*keys, *[""] * (6 - n)]
    unused: list[Complete] = [_miss] * (6 - n)
    g0, g1, g2, g3, g4, g5 = [*getters, *unused]
    builders: list[Complete] = [
        lambda v: {},
        lambda v: {k0: g0(v)},
        lambda v: {k0: g0(v), k1: g1(v)},
        lambda v: {k0: g0(v), k1: g1(v), k2: g2(v)},
        lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v)},
        lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v), k4: g4(v)},
        lambda v: {k0: g0(v), k1: g1(v), k2: g2(v), k3: g3(v), k4: g4(v), k5: g5(v)},
    ]
    return builders[n]


def _compiled_or_miss(compile_fields: WeakMethod[Any], runtime: Any, fdl: Any) -> Complete:
    fields = compile_fields()
    try:
        return _miss if fields is None else fields(runtime, fdl)
    except Exception:  # not for the fast path: remember that
        return _miss


def _exact(rtype: Any) -> type | None:
    """The Python type a leaf type outputs unchanged (``str`` for ``String!``), if one."""
    named = rtype.of_type if is_non_null_type(rtype) else rtype
    return EXACT.get(id(named))


def _plain(node: Any) -> bool:
    """Whether a field carries no directive but ``@include``/``@skip`` (which field
    collection has applied already; ``@stream`` and others are graphql-core's)."""
    return all(d.name.value in COLLECTED for d in node.directives or ())


def _non_null(inner: Complete) -> Complete:
    def complete(v: Any) -> Any:
        out = inner(v)
        if out is None:
            raise Miss  # graphql-core raises the error, with its path
        return out
    return complete


def _listed(inner: Complete) -> Complete:
    def complete(v: Any) -> Any:
        if v is None:
            return None
        if type(v) is not list:
            raise Miss
        return [inner(x) for x in v]
    return complete
