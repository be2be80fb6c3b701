"""What the engineer asked: the ids, labels, CLI flags and IVS console links in a command, a mention or a
message, read the same forgiving way on every surface, and the notes that say what is missing."""

from bot.asked.missing_ids import missing_ids_note, others_note
from bot.asked.reading import Asked, read_command, read_found, read_mention, split_private, take_user_id

__all__ = [
    "Asked",
    "missing_ids_note",
    "others_note",
    "read_command",
    "read_found",
    "read_mention",
    "split_private",
    "take_user_id",
]
