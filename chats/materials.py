"""What a message carries: the published materials (documents, videos, links, photos) and calls.

Each stored message keeps the set as bits of `Message.attachments` (one small integer per message, whatever it
carries): a message with two documents and a photo counts once as a document and once as a photo. Calls keep
their duration and participants where the platform reports them (`Message.call_duration`,
`Message.call_participants`); where it does not, they stay empty and the pages say "not reported".
"""

from __future__ import annotations

from collections.abc import Iterable

DOCUMENT = "document"
VIDEO = "video"
LINK = "link"
PHOTO = "photo"
CALL = "call"

# The four kinds of material, in the order every table and the CLI show them, and their JSON names.
MATERIAL_KINDS = (DOCUMENT, VIDEO, LINK, PHOTO)
MATERIAL_KEYS = {DOCUMENT: "documents", VIDEO: "videos", LINK: "links", PHOTO: "photos"}
BITS = {DOCUMENT: 1, VIDEO: 2, LINK: 4, PHOTO: 8, CALL: 16}
MATERIAL_BITS = BITS[DOCUMENT] | BITS[VIDEO] | BITS[LINK] | BITS[PHOTO]


def attachment_bits(kinds: Iterable[str]) -> int:
    """Return the bits of the kinds (unknown kinds carry none)."""
    bits = 0
    for kind in kinds:
        bits |= BITS.get(kind, 0)
    return bits


def bits_kinds(bits: int) -> list[str]:
    """Return the kinds set in `bits`, in BITS order."""
    return [kind for kind, bit in BITS.items() if bits & bit]
