"""JSON Schemas of the wire responses the adapter reads, and Hypothesis strategies that generate bodies from them.

VK (`messages.getConversations`, `messages.getConversationMembers`, `messages.getHistory`) after VK's public API
documentation (objects `messages_conversation`, `messages_message`, `users_user_full`) and sferum-api.md; MAX
(`GET /chats/{id}`, `GET /chats/{id}/members`, `GET /messages`) after the MAX Bot API reference. Every optional
field the documentation names is here, integers span the whole signed 64-bit range, and strings are any text,
lone UTF-16 surrogates included (the custom format `wire-text`). `mistyped(schema)` widens every leaf to other JSON
types, for missing and wrongly typed fields. Nothing here is sent anywhere but the loopback servers.

`from_schema` turns the subset of JSON Schema used here into a strategy (hypothesis-jsonschema 0.23 fails on
object schemas with the installed Hypothesis, so the few keywords needed are handled by hand).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

INT64 = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
TEXT = {"type": "string", "format": "wire-text"}
BOOL = {"type": "boolean"}

# Realistic values come up often; arbitrary ones (huge, negative, zero) too.
VK_SECONDS = {"anyOf": [{"type": "integer", "minimum": 1_700_000_000, "maximum": 1_800_000_000}, INT64]}
MAX_MILLIS = {"anyOf": [{"type": "integer", "minimum": 1_700_000_000_000, "maximum": 1_800_000_000_000}, INT64]}
VK_PEER = {"anyOf": [{"type": "integer", "minimum": 2_000_000_001, "maximum": 2_000_000_009}, INT64]}
USER_ID = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 9}, INT64]}


def one_of_or_text(*values: str) -> dict[str, Any]:
    """Return a schema for a documented enumeration that may also carry any other string."""
    return {"anyOf": [{"enum": list(values)}, TEXT]}


def obj(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


def array(items: dict[str, Any], max_items: int = 4) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": max_items}


# ----- vk ------------------------------------------------------------------------------------------------------

VK_ATTACHMENT = obj(
    {
        "type": one_of_or_text(
            "doc", "video", "link", "photo", "audio", "sticker", "wall", "call", "group_call_in_progress", "poll"
        ),
        "doc": obj({"id": INT64, "owner_id": INT64, "title": TEXT, "size": INT64, "ext": TEXT, "url": TEXT}),
        "photo": obj({"id": INT64, "owner_id": INT64, "date": VK_SECONDS, "text": TEXT}),
        "video": obj({"id": INT64, "owner_id": INT64, "title": TEXT, "duration": INT64}),
        "link": obj({"url": TEXT, "title": TEXT, "description": TEXT}),
        "call": obj(
            {
                "initiator_id": INT64,
                "receiver_id": INT64,
                "state": TEXT,
                "time": VK_SECONDS,
                "duration": INT64,
                "video": BOOL,
            }
        ),
        "group_call_in_progress": obj(
            {"initiator_id": INT64, "join_link": TEXT, "participants": obj({"list": array(INT64), "count": INT64})}
        ),
    },
    "type",
)
VK_ACTION = obj(
    {
        "type": one_of_or_text(
            "chat_invite_user",
            "chat_kick_user",
            "chat_title_update",
            "chat_pin_message",
            "call",
            "group_call_in_progress",
        ),
        "member_id": INT64,
        "text": TEXT,
        "email": TEXT,
        "conversation_message_id": INT64,
        "message": TEXT,
    },
    "type",
)
VK_MESSAGE_FIELDS: dict[str, Any] = {
    "id": INT64,
    "conversation_message_id": INT64,
    "date": VK_SECONDS,
    "update_time": VK_SECONDS,
    "from_id": USER_ID,
    "peer_id": VK_PEER,
    "out": {"enum": [0, 1]},
    "text": TEXT,
    "random_id": INT64,
    "ref": TEXT,
    "ref_source": TEXT,
    "attachments": array(VK_ATTACHMENT, 3),
    "important": BOOL,
    "is_hidden": BOOL,
    "is_cropped": BOOL,
    "payload": TEXT,
    "action": VK_ACTION,
    "admin_author_id": INT64,
    "members_count": INT64,
    "pinned_at": VK_SECONDS,
    "was_listened": BOOL,
}
# Forwarded and replied messages: the same fields, one level deep.
VK_NESTED_MESSAGE = obj({k: v for k, v in VK_MESSAGE_FIELDS.items() if k != "attachments"})
VK_MESSAGE = obj(
    {**VK_MESSAGE_FIELDS, "fwd_messages": array(VK_NESTED_MESSAGE, 2), "reply_message": VK_NESTED_MESSAGE},
    "id",
    "peer_id",
    "conversation_message_id",
    "date",
    "from_id",
    "text",
)
VK_CONVERSATION = obj(
    {
        "peer": obj(
            {
                "id": VK_PEER,
                "type": {
                    "anyOf": [{"enum": ["chat"]}, {"enum": ["chat"]}, one_of_or_text("chat", "user", "group", "email")]
                },
                "local_id": INT64,
            },
            "id",
            "type",
            "local_id",
        ),
        "last_message_id": INT64,
        "last_conversation_message_id": INT64,
        "in_read": INT64,
        "out_read": INT64,
        "in_read_cmid": INT64,
        "out_read_cmid": INT64,
        "unread_count": INT64,
        "is_marked_unread": BOOL,
        "important": BOOL,
        "can_write": obj({"allowed": BOOL, "reason": INT64}),
        "push_settings": obj({"disabled_until": INT64, "disabled_forever": BOOL, "no_sound": BOOL}),
        "chat_settings": obj(
            {
                "title": TEXT,
                "owner_id": USER_ID,
                "admin_ids": array(USER_ID),
                "active_ids": array(USER_ID),
                "members_count": INT64,
                "is_group_channel": BOOL,
                "is_disappearing": BOOL,
                "is_service": BOOL,
                "state": one_of_or_text("in", "kicked", "left", "out"),
                "pinned_message": VK_NESTED_MESSAGE,
                "photo": obj({"photo_50": TEXT, "photo_100": TEXT, "photo_200": TEXT}),
                "acl": obj({"can_invite": BOOL, "can_change_info": BOOL, "can_moderate": BOOL}),
            },
            "title",
            "members_count",
            "is_group_channel",
            "owner_id",
            "admin_ids",
        ),
    },
    "peer",
    "chat_settings",
)
VK_PROFILE = obj(
    {
        "id": USER_ID,
        "first_name": TEXT,
        "last_name": TEXT,
        "deactivated": one_of_or_text("deleted", "banned"),
        "is_closed": BOOL,
        "can_access_closed": BOOL,
        "screen_name": TEXT,
        "photo_100": TEXT,
        "sex": {"enum": [0, 1, 2]},
        "educational_profile": obj(
            {
                "edu_roles": obj(
                    {
                        "main_role_code": one_of_or_text("admin", "employee", "teacher", "parent", "student"),
                        "organizations": array(
                            obj(
                                {
                                    "organization_id": INT64,
                                    "organization_name": TEXT,
                                    "roles": array(obj({"role_code": TEXT}), 2),
                                }
                            ),
                            2,
                        ),
                    }
                )
            }
        ),
    },
    "id",
    "first_name",
    "last_name",
)
VK_GROUP = obj({"id": INT64, "name": TEXT, "screen_name": TEXT, "type": one_of_or_text("page", "group", "event")})


def vk_response(result: dict[str, Any]) -> dict[str, Any]:
    return obj({"response": result}, "response")


VK_GET_CONVERSATIONS = vk_response(
    obj(
        {
            "count": INT64,
            "unread_count": INT64,
            "items": array(
                obj({"conversation": VK_CONVERSATION, "last_message": VK_NESTED_MESSAGE}, "conversation"), 5
            ),
            "profiles": array(VK_PROFILE, 2),
            "groups": array(VK_GROUP, 2),
        },
        "count",
        "items",
    )
)
VK_GET_MEMBERS = vk_response(
    obj(
        {
            "count": INT64,
            "items": array(
                obj(
                    {
                        "member_id": USER_ID,
                        "invited_by": USER_ID,
                        "join_date": VK_SECONDS,
                        "is_admin": BOOL,
                        "is_owner": BOOL,
                        "can_kick": BOOL,
                    },
                    "member_id",
                    "join_date",
                ),
                6,
            ),
            "profiles": array(VK_PROFILE, 6),
            "groups": array(VK_GROUP, 2),
            "chat_restrictions": obj({"only_admins_invite": BOOL, "admins_promote_users": BOOL}),
        },
        "count",
        "items",
    )
)
VK_GET_HISTORY = vk_response(
    obj(
        {
            "count": INT64,
            "items": array(VK_MESSAGE, 6),
            "profiles": array(VK_PROFILE, 2),
            "groups": array(VK_GROUP, 2),
            "conversations": array(VK_CONVERSATION, 1),
        },
        "count",
        "items",
    )
)

# ----- max -----------------------------------------------------------------------------------------------------

MAX_CHAT_ID = {"anyOf": [{"type": "integer", "minimum": -70000000000009, "maximum": -70000000000001}, INT64]}
MAX_USER = obj(
    {
        "user_id": USER_ID,
        "first_name": TEXT,
        "last_name": {"anyOf": [TEXT, {"type": "null"}]},
        "name": {"anyOf": [TEXT, {"type": "null"}]},
        "username": {"anyOf": [TEXT, {"type": "null"}]},
        "is_bot": BOOL,
        "last_activity_time": MAX_MILLIS,
    },
    "user_id",
    "first_name",
    "is_bot",
)
MAX_CHAT = obj(
    {
        "chat_id": MAX_CHAT_ID,
        "type": one_of_or_text("chat", "channel", "dialog"),
        "status": one_of_or_text("active", "removed", "left", "closed", "suspended"),
        "title": {"anyOf": [TEXT, {"type": "null"}]},
        "icon": {"anyOf": [obj({"url": TEXT}), {"type": "null"}]},
        "last_event_time": MAX_MILLIS,
        "participants_count": INT64,
        "owner_id": {"anyOf": [USER_ID, {"type": "null"}]},
        "is_public": BOOL,
        "link": {"anyOf": [TEXT, {"type": "null"}]},
        "description": {"anyOf": [TEXT, {"type": "null"}]},
        "messages_count": {"anyOf": [INT64, {"type": "null"}]},
        "chat_message_id": {"anyOf": [TEXT, {"type": "null"}]},
        "dialog_with_user": {"anyOf": [MAX_USER, {"type": "null"}]},
    },
    "chat_id",
    "type",
    "status",
    "last_event_time",
    "participants_count",
    "is_public",
)
MAX_MEMBERS = obj(
    {
        "members": array(
            obj(
                {
                    **MAX_USER["properties"],
                    "description": {"anyOf": [TEXT, {"type": "null"}]},
                    "avatar_url": TEXT,
                    "last_access_time": MAX_MILLIS,
                    "is_owner": BOOL,
                    "is_admin": BOOL,
                    "join_time": {"anyOf": [MAX_MILLIS, {"type": "null"}]},
                    "permissions": {
                        "anyOf": [
                            array(one_of_or_text("read_all_messages", "write", "add_remove_members")),
                            {"type": "null"},
                        ]
                    },
                },
                "user_id",
                "first_name",
                "is_bot",
            ),
            6,
        ),
        "marker": {"anyOf": [INT64, {"type": "null"}]},
    },
    "members",
)
MAX_BODY = obj(
    {
        "mid": TEXT,
        "seq": INT64,
        "text": {"anyOf": [TEXT, {"type": "null"}]},
        "attachments": {
            "anyOf": [
                array(
                    obj(
                        {
                            "type": one_of_or_text(
                                "image", "video", "audio", "file", "sticker", "contact", "share", "location", "call"
                            ),
                            "payload": obj({"url": TEXT, "token": TEXT, "photo_id": INT64}),
                        },
                        "type",
                    ),
                    3,
                ),
                {"type": "null"},
            ]
        },
        "markup": {"anyOf": [array(obj({"type": TEXT, "from": INT64, "length": INT64}), 2), {"type": "null"}]},
    },
    "mid",
    "seq",
)
MAX_MESSAGE = obj(
    {
        "sender": MAX_USER,
        "recipient": obj(
            {
                "chat_id": {"anyOf": [MAX_CHAT_ID, {"type": "null"}]},
                "chat_type": one_of_or_text("chat", "dialog", "channel"),
                "user_id": {"anyOf": [USER_ID, {"type": "null"}]},
            },
            "chat_type",
        ),
        "timestamp": MAX_MILLIS,
        "link": {
            "anyOf": [
                obj(
                    {
                        "type": one_of_or_text("forward", "reply"),
                        "sender": MAX_USER,
                        "chat_id": MAX_CHAT_ID,
                        "message": MAX_BODY,
                    },
                    "type",
                    "message",
                ),
                {"type": "null"},
            ]
        },
        "body": MAX_BODY,
        "stat": {"anyOf": [obj({"views": INT64}), {"type": "null"}]},
        "url": {"anyOf": [TEXT, {"type": "null"}]},
    },
    "recipient",
    "timestamp",
    "body",
)
MAX_MESSAGES = obj({"messages": array(MAX_MESSAGE, 6)}, "messages")

SCHEMAS: dict[str, dict[str, Any]] = {
    "messages.getConversations": VK_GET_CONVERSATIONS,
    "messages.getConversationMembers": VK_GET_MEMBERS,
    "messages.getHistory": VK_GET_HISTORY,
    "/chats/{chat_id}": MAX_CHAT,
    "/chats/{chat_id}/members": MAX_MEMBERS,
    "/messages": MAX_MESSAGES,
}

# ----- strategies ----------------------------------------------------------------------------------------------

# Any text, with lone surrogates (category Cs) and NUL among ordinary letters, digits and emoji.
WIRE_TEXT = st.one_of(
    st.sampled_from(["5А Родители", "\ud83d", "Иван\udc00ов", "😀😀", "\x00", "x" * 300]),
    st.text(
        alphabet=st.one_of(
            st.characters(codec=None, categories=["Cs"]),
            st.sampled_from("Ааяё5Б \u00a0\u200d\ufe0f😀\x00"),
            st.characters(codec=None),
        ),
        max_size=12,
    ),
)
OTHER_TYPES = [{"type": "string", "maxLength": 3}, {"type": "null"}, {"type": "boolean"}, {"type": "number"}]


def mistyped(schema: Any) -> Any:
    """Return the schema with every scalar leaf also allowing other JSON types, and nothing required."""
    if isinstance(schema, list):
        return [mistyped(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = copy.copy(schema)
    if "anyOf" in schema:
        return {"anyOf": [*mistyped(schema["anyOf"]), *OTHER_TYPES]}
    if schema.get("type") == "object":
        schema["properties"] = {key: mistyped(value) for key, value in schema["properties"].items()}
        schema["required"] = [key for key in schema["required"] if key in ("response", "items", "members", "messages")]
        return schema
    if schema.get("type") == "array":
        return {**schema, "items": mistyped(schema["items"])}
    return {"anyOf": [schema, *OTHER_TYPES]}


def from_schema(schema: Any) -> st.SearchStrategy[Any]:
    """Return a strategy of JSON values matching the schema (type, properties, required, items, anyOf, enum, ...)."""
    if "anyOf" in schema:
        return st.one_of([from_schema(option) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = {key: from_schema(properties[key]) for key in schema.get("required", [])}
        optional = {key: from_schema(value) for key, value in properties.items() if key not in required}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=schema.get("maxItems", 4))
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "string":
        if schema.get("format") == "wire-text":
            return WIRE_TEXT
        return st.text(max_size=schema.get("maxLength", 8))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    raise ValueError(f"unsupported schema {schema!r}")


def bodies(endpoint: str) -> st.SearchStrategy[Any]:
    """Return a strategy of response bodies for the endpoint: documented shapes (mostly), or mistyped ones."""
    schema = SCHEMAS[endpoint]
    return st.one_of(from_schema(schema), from_schema(schema), from_schema(mistyped(schema)))
