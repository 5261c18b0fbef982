"""The service's exceptions: one root, translated at the boundaries.

    GraphServiceError
    ├── ConfigurationError      settings that cannot work (e.g. no AUTH_SECRET in production)
    ├── EngineError             the embedded Bolt engine
    │   ├── EngineStartError    it did not start or become ready (names the log file)
    │   └── EngineLockedError   another process already uses the data folder
    ├── StoreError              the graph store (driver errors are mapped to these)
    │   ├── GraphUnavailable    the graph server cannot be reached (circuit open)
    │   │   └── GraphTimeout    the graph did not answer before the request's deadline
    │   ├── ConstraintViolation a uniqueness constraint refused a write
    │   └── QueryFailed         the server refused or failed a query (a bug, not user input)
    └── ClientError             an expected failure shown to the API client with a code
        ├── AuthenticationError UNAUTHENTICATED: no valid bearer token
        ├── PermissionDenied    FORBIDDEN: the principal may not do this
        ├── InvalidInput        INVALID_INPUT: a query argument that cannot be used
        ├── IdempotencyKeyReused IDEMPOTENCY_KEY_REUSED: one key sent with two requests
        └── TooManySubscriptions TOO_MANY_SUBSCRIPTIONS: a token's open subscriptions are capped

Drivers' and libraries' own exceptions never cross `store` or `auth`: they are
re-raised as one of these with the original chained as ``__cause__``.
"""

from __future__ import annotations


class GraphServiceError(Exception):
    """Root of every error the service raises on purpose."""


class ConfigurationError(GraphServiceError):
    """Settings that cannot work."""


class EngineError(GraphServiceError):
    """The embedded Bolt engine failed."""


class EngineStartError(EngineError):
    """The embedded engine did not start or become ready."""


class EngineLockedError(EngineError):
    """Another process already uses the engine's data folder."""


class StoreError(GraphServiceError):
    """The graph store failed."""


class GraphUnavailable(StoreError):
    """The graph server cannot be reached."""


class GraphTimeout(GraphUnavailable):
    """The graph did not answer before the request's deadline."""


class ConstraintViolation(StoreError):
    """A uniqueness constraint refused a write."""


class QueryFailed(StoreError):
    """The graph server refused or failed a query."""


class ClientError(GraphServiceError):
    """An expected failure that the API shows to its client, with a code."""

    code = "BAD_REQUEST"

    @property
    def extensions(self) -> dict[str, str]:
        """What GraphQL shows with the error (graphql-core copies it from the original)."""
        return {"code": self.code}


class AuthenticationError(ClientError):
    """No valid bearer token."""

    code = "UNAUTHENTICATED"


class PermissionDenied(ClientError):
    """The principal may not do this."""

    code = "FORBIDDEN"


class InvalidInput(ClientError):
    """INVALID_INPUT: an argument of a query cannot be used (mutations return userErrors)."""

    code = "INVALID_INPUT"


class IdempotencyKeyReused(ClientError):
    """An idempotency key already used for a different request."""

    code = "IDEMPOTENCY_KEY_REUSED"


class TooManySubscriptions(ClientError):
    """A token has as many subscriptions open as it may."""

    code = "TOO_MANY_SUBSCRIPTIONS"
