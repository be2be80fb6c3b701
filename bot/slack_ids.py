"""Every Slack id the app uses, written once. The manifests and the listener registrations must agree
with these (tests/test_manifests.py proves it)."""

from __future__ import annotations

COMMAND = "/ivs-events"
UPLOAD_JSON_ACTION = "upload_full_json"
# The session overview's buttons: one participant's full answer in the thread; another session of the stage
# (its action_id is this prefix plus ":<n>", unique within the block).
DIAGNOSE_ACTION = "diagnose_from_overview"
OPEN_SESSION_ACTION = "open_session"
DIAGNOSE_SHORTCUT = "diagnose_ivs_participant"
# The names people see: the bot user's display name (the manifest's bot_user) and the shortcut's name.
BOT_MENTION = "@ivs-events"
SHORTCUT_NAME = "Diagnose IVS participant"
