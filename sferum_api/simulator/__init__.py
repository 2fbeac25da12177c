"""A deterministic, seeded simulated school: its official roster and its Sferum side (the `simulator` backend).

`SimulatedSchool(seed=42, school_index=0, today=date(2026, 11, 30), hash_key=b"...")` builds, in memory and in
well under a second, one school from `random.Random(f"{seed}-{school_index}")` (never the global generator and
never the clock: `today` is given):

- the official roster (`roster_rows()`, `roster_csv()` in the columns of roster-format.md): classes 1А–11В,
  20–30 students each, parents (siblings and twins share parents), class teachers, subject teachers,
  non-teaching staff, a director and a deputy; namesakes across classes;
- the platform: chats (`chats`), accounts (`accounts`), memberships (`memberships`) and message metadata
  (`messages`) for the complete weeks before `today` and the current week's days before it, Moscow school
  hours, holidays sparse. `as_of` (a moment, or None) serves the platform as it was then: members who had
  joined, messages sent before it (the demo's past).

It implements `sferum_api.types.Backend` (`name = "simulator"`): `list_chats()`, `list_members(chat_id)` and
`iter_messages(chat_id, after_cursor=..., since=...)`, newest first, with `stats` counting simulated pages of 200.
Message texts are rendered from templates in memory and only their `text_digest(text, key=hash_key)` reaches a
`MessageInfo`.

Serving the same school over the VK wire format (a loopback test server): everything is plain data here.
- `messages.getConversations`: one item per `SimChat` in `chats`: `peer.id = int(chat.chat_id)`,
  `peer.local_id = chat.local_id`, `chat_settings` from `title`, `owner_id`, `admin_ids`, `is_channel`.
- `messages.getConversationMembers`: `members_of(chat_id)` gives `SimMembership` rows (`user_id`,
  `joined_at`, `is_admin`, `is_owner`, `invited_by`); the profiles are `accounts[user_id]` (`role_code`
  None: no `educational_profile`).
- `messages.getHistory`: `messages_of(chat_id)` (oldest first; serve reversed) gives `SimMessage` rows: `id`
  = `message_id`, `conversation_message_id`, `date` = `sent_at` in unix seconds, `from_id` = `author_id`
  (a bot: `BOT_ID`, negative), `text` = `message_text(message)`, attachments from `WIRE_ATTACHMENTS[kind]`,
  a service event as `action = {"type": message.action}`.
A VK client reading that server with the same `hash_key` yields the same `MessageInfo`s as this backend.

Tests can change the platform between two syncs: `member_remove`, `member_add`, `message_add`, and make a
call fail with `fault_inject(method, chat_id, error)`; `page_overlap` re-serves the last messages of a page at
the top of the next one, as a live chat does while it is paged.

The generator (`school.GeneratedSchool`, built by `roster`, `platform` and `messages` over the plain records of
`records` and the word lists of `data`) knows nothing of serving; `backend.SimulatedSchool` serves it.
"""

from .backend import SimulatedSchool
from .records import BOT_ID
from .records import MOSCOW
from .records import ROSTER_COLUMNS
from .records import WIRE_ATTACHMENTS
from .records import SimAccount
from .records import SimChat
from .records import SimMembership
from .records import SimMessage
from .records import SimPerson
from .records import message_text
from .school import GeneratedSchool

__all__ = [
    "BOT_ID",
    "MOSCOW",
    "ROSTER_COLUMNS",
    "WIRE_ATTACHMENTS",
    "GeneratedSchool",
    "SimAccount",
    "SimChat",
    "SimMembership",
    "SimMessage",
    "SimPerson",
    "SimulatedSchool",
    "message_text",
]
