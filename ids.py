"""Opaque global ids, the same encoding Strawberry's Relay ``GlobalID`` uses.

Kept free of GraphQL imports so events and webhook payloads can carry the ids clients see.
"""

import base64


def to_global_id(type_name: str, pk: int | str) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, str]:
    """Split a global id into its type name and primary key; ValueError when malformed."""
    try:
        decoded = base64.b64decode(global_id, validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"'{global_id}' is not a valid id") from exc
    type_name, sep, pk = decoded.partition(":")
    if not sep or not type_name or not pk:
        raise ValueError(f"'{global_id}' is not a valid id")
    return type_name, pk


# Primary keys are 32-bit integers in the database; anything outside names no record.
MAX_PK = 2**31 - 1


def parse_pk(node_id: object) -> int | None:
    """The primary key in a global id's node part, or None when it cannot name a record."""
    text = str(node_id)
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_PK else None
