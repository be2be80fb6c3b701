"""The full JSON export: the AWS CLI's shape, and a file that can always be uploaded."""

from __future__ import annotations

import json

from bot.ivs.export import export_filename, history_to_json
from tests.analysis.factories import event, history, joined, participant


def test_the_export_has_every_event_in_the_cli_shape_with_iso_times() -> None:
    h = history([joined(0), event("LEFT", 1)])
    document = json.loads(history_to_json(h))

    assert [e["name"] for e in document["events"]] == ["JOINED", "LEFT"]
    assert document["events"][0]["eventTime"] == "2026-03-12T14:00:00+00:00"
    assert document["eventCount"] == 2
    assert export_filename(h) == "ivs-events-abCDEf12GHIj-st-a1b2c3d4e5f6g.json"


def test_a_lone_surrogate_in_a_field_still_gives_a_utf8_file_that_reads_back_the_same() -> None:
    broken = "host\ud83d name"  # half of an emoji, as a corrupt client could send in attributes
    h = history(
        [event("TOKEN_EXCHANGED", 0, newToken={"attributes": {"name": broken}})],
        details=participant(userId=broken),
    )
    text = history_to_json(h)

    text.encode("utf-8")  # the upload encodes the file as UTF-8: it must not raise
    document = json.loads(text)
    assert document["participant"]["userId"] == broken
    assert document["events"][0]["newToken"]["attributes"]["name"] == broken
    assert "é" in history_to_json(history([], details=participant(userId="é")))  # other text stays readable
