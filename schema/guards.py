"""Guards on what one GraphQL request may ask for, as schema extensions.

Checked while the document is validated (no variables needed): the depth of each operation
(``QUERY_TOO_DEEP``), the number of aliases (``TOO_MANY_ALIASES``) and the number of
directives (``TOO_MANY_DIRECTIVES``). The query cost depends on page sizes,
which are usually variables, so it is checked when execution starts, with the operation's
variables, before any resolver runs (``QUERY_TOO_COSTLY``). The number of tokens is limited by
Strawberry's ``MaxTokensLimiter`` while the document is parsed (``QUERY_TOO_LARGE``, given in
``schema.errors.LabelRequestErrors``).

Every measure here walks each fragment once however often it is spread: a document that
spreads fragments into fragments many times over would otherwise take exponential time to
measure (Strawberry's own depth and alias limiters walk every spread again).
"""

import re
from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionNode,
    SelectionSetNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    ValidationContext,
    ValidationRule,
    get_argument_values,
    get_directive_values,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    get_variable_values,
    is_list_type,
)
from graphql.execution.values import VariableValues
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

__all__ = [
    "HideSuggestions",
    "QueryCost",
    "QueryCostLimiter",
    "document_limit_rules",
]


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


class _PerFragment:
    """A measure of each fragment, computed on first use.

    A fragment being measured counts as 0 where it spreads itself: cycles are refused by
    validation (which runs alongside), and unknown fragments count as 0 too.
    """

    def __init__(
        self, document: DocumentNode, measure: Callable[[FragmentDefinitionNode], int]
    ) -> None:
        self._definitions = _fragments(document)
        self._measure = measure
        self._values: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        if name not in self._values:
            self._values[name] = 0
            definition = self._definitions.get(name)
            if definition is not None:
                self._values[name] = self._measure(definition)
        return self._values[name]


# ------------------------------------------------------------------- document limits


def _depth(selection_set: SelectionSetNode, fragment_depth: _PerFragment) -> int:
    """Levels of nested selections, as Strawberry's QueryDepthLimiter counts them.

    A field with a selection adds one level; fragments add none; introspection fields
    (``__schema``, ``__type``) are left to graphql-core's introspection depth rule.
    """
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None or selection.name.value.startswith("__"):
                continue
            depth = 1 + _depth(selection.selection_set, fragment_depth)
        elif isinstance(selection, InlineFragmentNode):
            depth = _depth(selection.selection_set, fragment_depth)
        else:
            assert isinstance(selection, FragmentSpreadNode)
            depth = fragment_depth(selection.name.value)
        deepest = max(deepest, depth)
    return deepest


def _aliases(selection_set: SelectionSetNode, fragment_aliases: _PerFragment) -> int:
    """Aliased fields, counting a fragment's once per spread (as Strawberry does)."""
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += selection.alias is not None
            if selection.selection_set is not None:
                count += _aliases(selection.selection_set, fragment_aliases)
        elif isinstance(selection, InlineFragmentNode):
            count += _aliases(selection.selection_set, fragment_aliases)
        else:
            assert isinstance(selection, FragmentSpreadNode)
            count += fragment_aliases(selection.name.value)
    return count


def max_depth_rule(max_depth: int) -> type[ValidationRule]:
    class MaxDepthRule(ValidationRule):
        """No operation nests selections deeper than ``max_depth``."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragment_depth = _PerFragment(
                document, lambda fragment: _depth(fragment.selection_set, fragment_depth)
            )
            for operation in _operations(document):
                if _depth(operation.selection_set, fragment_depth) > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            operation,
                            extensions={"code": "QUERY_TOO_DEEP"},
                        )
                    )

    return MaxDepthRule


def max_aliases_rule(max_aliases: int) -> type[ValidationRule]:
    class MaxAliasesRule(ValidationRule):
        """The document's operations use at most ``max_aliases`` aliases."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragment_aliases = _PerFragment(
                document, lambda fragment: _aliases(fragment.selection_set, fragment_aliases)
            )
            total = sum(
                _aliases(operation.selection_set, fragment_aliases)
                for operation in _operations(document)
            )
            if total > max_aliases:
                context.report_error(
                    GraphQLError(
                        f"{total} aliases found. Allowed: {max_aliases}",
                        extensions={"code": "TOO_MANY_ALIASES"},
                    )
                )

    return MaxAliasesRule


def max_directives_rule(max_directives: int) -> type[ValidationRule]:
    class MaxDirectivesRule(ValidationRule):
        """The document, as written, uses at most ``max_directives`` directives."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
            self.count += 1

        def leave_document(self, node: DocumentNode, *_args: Any) -> None:
            if self.count > max_directives:
                self.report_error(
                    GraphQLError(
                        f"The document uses {self.count} directives, "
                        f"over the limit of {max_directives}.",
                        extensions={"code": "TOO_MANY_DIRECTIVES"},
                    )
                )

    return MaxDirectivesRule


def document_limit_rules(
    *, max_depth: int, max_aliases: int, max_directives: int
) -> list[type[ASTValidationRule]]:
    """Validation rules for the document limits.

    Build them once per schema and add them with ``AddValidationRules``: Strawberry's
    ``ValidationCache`` is keyed by the rule classes, so fresh classes per request (as
    Strawberry's limiter extensions make when used as factories) never hit the cache.
    """
    return [
        max_depth_rule(max_depth),
        max_aliases_rule(max_aliases),
        max_directives_rule(max_directives),
    ]


# ------------------------------------------------------------------------ query cost


def _field_definition(
    schema: GraphQLSchema, parent_type: GraphQLNamedType | None, name: str
) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent_type is not None and parent_type is schema.query_type:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
    if isinstance(parent_type, (GraphQLObjectType, GraphQLInterfaceType)):
        field: GraphQLField | None = parent_type.fields.get(name)
        return field
    return None


class QueryCost:
    """What one operation may cost to answer, given its variables.

    Each field costs 1. A connection field (one taking ``first``/``last``) multiplies the
    cost of its selection by its page size: the smaller of ``first`` and ``last`` when
    given, else the default page size. A field taking a list of ``ids`` multiplies it by
    the number of ids. Fields left out by ``@skip``/``@include`` cost nothing. It is an
    upper bound: fields selected twice (merged when executed) are counted twice.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: VariableValues,
        *,
        default_page_size: int,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.default_page_size = default_page_size
        self._fragment_cost = _PerFragment(document, self._fragment)

    def of(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self._selection_set(root, operation.selection_set)

    def _fragment(self, fragment: FragmentDefinitionNode) -> int:
        type_ = self.schema.get_type(fragment.type_condition.name.value)
        return self._selection_set(type_, fragment.selection_set)

    def _selection_set(
        self, parent_type: GraphQLNamedType | None, selection_set: SelectionSetNode
    ) -> int:
        cost = 0
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                cost += self._field(parent_type, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent_type
                cost += self._selection_set(type_, selection.selection_set)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                cost += self._fragment_cost(selection.name.value)
        return cost

    def _included(self, selection: SelectionNode) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, selection, self.variables)
        if skip is not None and skip["if"] is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, selection, self.variables)
        return include is None or include["if"] is not False

    def _field(self, parent_type: GraphQLNamedType | None, node: FieldNode) -> int:
        if node.selection_set is None:
            return 1
        definition = _field_definition(self.schema, parent_type, node.name.value)
        if definition is None:  # refused by validation
            return 1
        items = self._items(definition, node)
        return 1 + items * self._selection_set(get_named_type(definition.type), node.selection_set)

    def _items(self, definition: GraphQLField, node: FieldNode) -> int:
        """How many objects the field may return."""
        if "first" in definition.args or "last" in definition.args:
            arguments = get_argument_values(definition, node, self.variables)
            sizes = [
                arguments[name] for name in ("first", "last") if arguments.get(name) is not None
            ]
            return max(0, min(sizes)) if sizes else self.default_page_size
        ids = definition.args.get("ids")
        if ids is not None and is_list_type(get_nullable_type(ids.type)):
            return len(get_argument_values(definition, node, self.variables).get("ids") or ())
        return 1


class QueryCostLimiter(SchemaExtension):
    """Refuse an operation whose ``QueryCost`` is over ``max_cost``, before it executes."""

    def __init__(self, *, max_cost: int, default_page_size: int) -> None:
        self.max_cost = max_cost
        self.default_page_size = default_page_size

    def on_execute(self) -> Iterator[None]:
        cost = self._cost()
        if cost is not None and cost > self.max_cost:
            error = GraphQLError(
                f"Query cost {cost} exceeds the limit of {self.max_cost}; "
                "ask for smaller pages (first/last) or fewer nested lists.",
                extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": self.max_cost},
            )
            if self.execution_context.operation_type is OperationType.SUBSCRIPTION:
                # Subscriptions do not look at a preset result; an error raised here is
                # answered in its place.
                raise error
            # A preset result is returned instead of executing the operation.
            self.execution_context.result = PreExecutionError(data=None, errors=[error])
        yield

    def _cost(self) -> int | None:
        """The operation's cost, or None when there is nothing to measure.

        Variables that cannot be coerced are left for execution to report.
        """
        context = self.execution_context
        schema = context.schema._schema
        document = context.graphql_document
        if document is None:
            return None
        operation = get_operation_ast(document, context.operation_name)
        if operation is None:
            return None
        variables = get_variable_values(
            schema, operation.variable_definitions or (), dict(context.variables or {})
        )
        if not isinstance(variables, VariableValues):
            return None
        return QueryCost(schema, document, variables, default_page_size=self.default_page_size).of(
            operation
        )


# ----------------------------------------------------------------------- suggestions

# graphql-core's ``did_you_mean``: " Did you mean [the enum value ]'A', 'B', or 'C'?"
_SUGGESTION = re.compile(r" Did you mean (?:[a-z ]+ )?'[^']*'(?:(?:,? or |, )'[^']*')*\?")


def _has_suggestion(error: GraphQLError) -> bool:
    # Request errors (validation, variable coercion) have no path; errors that resolvers
    # raise always have one and are the application's own words.
    return error.path is None and _SUGGESTION.search(error.message) is not None


class HideSuggestions(MaskErrors):
    """Drop graphql-core's "Did you mean ...?" hints from request errors.

    With introspection off, the hints would still spell out the schema one guess at a
    time. Strawberry's ``disable_field_suggestions`` only covers unknown fields, not
    arguments, types, enum values or input fields, and graphql-core's ``hide_suggestions``
    is not an option Strawberry passes on.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=_has_suggestion)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            _SUGGESTION.sub("", error.message),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=error.original_error,
            extensions=error.extensions,
        )
