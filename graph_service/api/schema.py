"""The GraphQL schema: root types and schema-wide extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from graph_service.api.analysis_resolvers import AnalysisQuery
from graph_service.api.college_resolvers import CollegeMutation, CollegeQuery
from graph_service.api.errors import MaskUnexpectedErrors, log_errors
from graph_service.api.mutations import Mutation
from graph_service.api.programme_resolvers import ProgrammeMutation, ProgrammeQuery
from graph_service.api.programme_types import ProgrammeSessionType
from graph_service.api.queries import Query
from graph_service.api.security_types import SecurityQuery
from graph_service.api.subscriptions import Subscription
from graph_service.api.supporter_types import OrganisationType, PersonType
from graph_service.api.types import (
    CollegeType,
    CourseType,
    EnrolmentType,
    HelpType,
    MemberType,
    TieType,
)
from graph_service.graphql_limits import graphql_limits
from graph_service.graphql_validation import ValidatedDocuments
from graph_service.settings import Settings


class Schema(strawberry.Schema):
    """The service's schema; logs errors before they are masked."""

    def __init__(self, *args: Any, validated: ValidatedDocuments, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The documents that passed every limit and validation (api.prepared runs them).
        self.validated = validated

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the original errors (the client sees masked ones)."""
        log_errors(errors, execution_context)


def build_schema(settings: Settings | None = None) -> Schema:
    """The schema with its extensions; the limits are the settings' (defaults when omitted)."""
    # model_construct: the defaults, without reading (and failing on) the environment.
    settings = settings or Settings.model_construct()
    validated = ValidatedDocuments()
    return Schema(
        query=merge_types(
            "Query", (Query, CollegeQuery, AnalysisQuery, SecurityQuery, ProgrammeQuery)
        ),
        mutation=merge_types("Mutation", (Mutation, CollegeMutation, ProgrammeMutation)),
        subscription=Subscription,
        types=[
            MemberType,
            PersonType,
            OrganisationType,
            TieType,
            HelpType,
            CollegeType,
            CourseType,
            EnrolmentType,
            ProgrammeSessionType,
        ],
        extensions=[MaskUnexpectedErrors, *graphql_limits(settings, validated)],
        validated=validated,
    )


schema = build_schema()
