"""Opaque ids: internal ids for the graph, Relay global ids for the API."""

from __future__ import annotations

import base64
import binascii
import uuid


def new_id() -> str:
    """A fresh opaque internal id."""
    return uuid.uuid4().hex


def to_global_id(type_name: str, internal_id: str) -> str:
    """The Relay global id the API shows: base64 of ``Type:id``."""
    return base64.b64encode(f"{type_name}:{internal_id}".encode()).decode("ascii")


def parse_global_id(global_id: str) -> tuple[str, str]:
    """(type name, internal id) of a global id; ValueError when it is not one."""
    try:
        decoded = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ValueError(f"{global_id!r} is not a global id") from exc
    type_name, sep, internal_id = decoded.partition(":")
    if not sep or not type_name or not internal_id:
        raise ValueError(f"{global_id!r} is not a global id")
    return type_name, internal_id


def from_global_id(global_id: str, expected_type: str) -> str:
    """The internal id inside a global id of the expected type; ValueError otherwise."""
    try:
        type_name, internal_id = parse_global_id(global_id)
    except ValueError:
        type_name, internal_id = "", ""
    if type_name != expected_type:
        raise ValueError(f"{global_id!r} is not a valid {expected_type} id")
    return internal_id
