"""Finding the three ids in whatever a person pasted into Slack."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ivs.find_ids import FoundIds, find_ids, find_ids_in_message
from bot.ivs.query import PARTICIPANT_ID_RE

ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh"
SESSION = "st-a1b2c3d4e5f6g"
PARTICIPANT = "abCDEf12GHIj"
CONSOLE = "https://us-west-2.console.aws.amazon.com/ivs/home?region=us-west-2#/stages/abcdABCDefgh"
FULL_LINK = f"{CONSOLE}/sessions/{SESSION}/participants/{PARTICIPANT}"
EVERYTHING = FoundIds(ARN, SESSION, PARTICIPANT)


def test_the_three_values_as_the_slash_command_takes_them() -> None:
    assert find_ids(f"<@U0BOT> {ARN} {SESSION} {PARTICIPANT}") == EVERYTHING


def test_ids_in_prose_with_labels_and_slack_formatting() -> None:
    text = f"Stage *{ARN}*, session `{SESSION}` — participant id: _{PARTICIPANT}_. It froze!"
    assert find_ids(text) == EVERYTHING


def test_ids_in_pasted_aws_cli_json() -> None:
    text = (
        f'{{"stageArn": "{ARN}", "sessionId": "{SESSION}", '
        f'"participantId": "{PARTICIPANT}", "remoteParticipantId": "zZ9"}}'
    )
    assert find_ids(text) == EVERYTHING


def test_participant_id_after_equals_or_colon() -> None:
    assert find_ids(f"participant_id={PARTICIPANT}").participant_id == PARTICIPANT
    assert find_ids(f"participantId:{PARTICIPANT}").participant_id == PARTICIPANT


def test_ordinary_words_are_not_taken_for_a_participant_id() -> None:
    assert find_ids(f"{ARN} {SESSION} please help").participant_id is None
    assert find_ids("the participant was kicked out").participant_id is None
    assert find_ids("participant id is unknown").participant_id is None


def test_a_console_link_in_a_slack_link_gives_session_and_participant_but_not_the_account() -> None:
    found = find_ids(f"see <{FULL_LINK}|the console>")
    assert (found.session_id, found.participant_id, found.stage_arn) == (SESSION, PARTICIPANT, None)
    assert found.stage_without_account == ("abcdABCDefgh", "us-west-2")
    assert found.missing == ["stage ARN"]


def test_a_console_link_and_an_arn_elsewhere_complete_each_other() -> None:
    found = find_ids(f"{FULL_LINK.replace('?region', '?x=1&amp;region')}\nstage: {ARN}")
    assert found == EVERYTHING


def test_a_multi_session_console_host_names_the_account() -> None:
    link = FULL_LINK.replace("https://us-west-2.", "https://123456789012-k3xq9z.us-west-2.")
    assert find_ids(link.replace("#/stages", "#/real-time/stages")) == EVERYTHING


def test_links_to_other_sites_are_ignored() -> None:
    found = find_ids(
        f"https://evil.example/ivs/home?region=us-west-2#/stages/x/sessions/{SESSION}/participants/p"
    )
    assert found.participant_id is None and found.stage_without_account is None


def test_ids_in_blocks_and_attachments() -> None:
    message = {
        "text": "see below",
        "blocks": [{"type": "rich_text", "elements": [{"type": "link", "url": FULL_LINK}]}],
        "attachments": [{"fallback": f"stage {ARN}"}],
    }
    assert find_ids_in_message(message) == EVERYTHING


def test_first_value_wins_and_missing_parts_are_named_in_command_order() -> None:
    found = find_ids(f"{SESSION} st-zzzzzzzzzzzzz")
    assert found.session_id == SESSION
    assert found.missing == ["stage ARN", "participant id"]
    assert found.query() is None


def test_merging_fills_only_the_gaps() -> None:
    mine = FoundIds(session_id="st-0000000000000")
    parent = FoundIds(ARN, SESSION, PARTICIPANT)
    assert mine.merged_with(parent) == FoundIds(ARN, "st-0000000000000", PARTICIPANT)


def test_the_aws_cli_command_names_all_three_ids_with_flags_in_any_form() -> None:
    spaced = (
        f"aws ivs-realtime list-participant-events --stage-arn {ARN} --session-id {SESSION} "
        f"--participant-id {PARTICIPANT}"
    )
    equals = spaced.replace("--stage-arn ", "--stage-arn=").replace("--session-id ", "--session-id=")
    continued = spaced.replace(" --", " \\\n  --")
    assert find_ids(spaced) == EVERYTHING
    assert find_ids(equals.replace("--participant-id ", "--participant-id=")) == EVERYTHING
    assert find_ids(continued) == EVERYTHING


def test_after_an_explicit_label_any_id_the_api_accepts_is_taken_as_written() -> None:
    for text in (
        f"participantId: abcdefghijkl {ARN} {SESSION}",
        f"participant-id: abc {ARN} {SESSION}",
        f"--participant-id x1 {ARN} {SESSION}",
        f"participant: short {ARN} {SESSION}",
        f'{{"participantId": "all-lower-case"}} {ARN} {SESSION}',
    ):
        found = find_ids(text)
        assert found.complete and found.participant_id == text.split()[1].strip('"}:'), text


def test_a_labelled_value_the_api_would_refuse_is_reported_as_malformed_not_missing() -> None:
    found = find_ids(f"stage {ARN} session {SESSION} participantId: Kq7_RtU2")
    assert found.participant_id is None and found.malformed_participant == "Kq7_RtU2"
    assert found.missing == ["participant id"]


def test_words_saying_there_is_no_id_and_other_ids_after_a_label_are_not_participant_ids() -> None:
    assert find_ids(f"participantId: unknown {ARN} {SESSION}").participant_id is None
    found = find_ids(f"participant: {ARN} {SESSION}")
    assert found.participant_id is None and found.malformed_participant is None


def test_remote_participants_user_ids_and_stage_ids_are_not_taken_for_the_participant() -> None:
    text = (
        f'{{"stageArn": "{ARN}", "events": [{{"participantId": "{PARTICIPANT}", '
        '"remoteParticipantId": "Kq7RtU2vWx9Z", "userId": "Vw3xYz4AbC5d"}]}} '
        "stage Co8HoSt9Lm0n"
    )
    found = find_ids(text)
    assert found.participant_id == PARTICIPANT and found.other_participants == ()


def test_the_three_values_in_another_order_or_labelled_are_found() -> None:
    for text in (
        f"{SESSION} {ARN} {PARTICIPANT}",
        f"stage={ARN} session={SESSION} participant={PARTICIPANT}",
        f"stageArn:{ARN} sessionId:{SESSION} participantId:{PARTICIPANT}",
        f"participantId: {PARTICIPANT} {ARN} {SESSION}",
    ):
        assert find_ids(text) == EVERYTHING, text


def test_an_id_shaped_like_those_ivs_assigns_is_found_on_its_own_but_slack_ids_and_words_are_not() -> None:
    assert find_ids(f"{ARN} {SESSION} the guest Kq7RtU2vWx9Z froze").participant_id == "Kq7RtU2vWx9Z"
    assert find_ids(f"{ARN} {SESSION} ask U0ABCDEF1234 in Thisisawords").participant_id is None


def test_a_message_naming_several_participants_answers_for_the_first_and_keeps_the_others() -> None:
    listing = (
        f'{{"participants": [{{"participantId": "{PARTICIPANT}", "userId": "host"}}, '
        '{"participantId": "Kq7RtU2vWx9Z"}, {"participantId": "Vw3xYz4AbC5d"}, '
        f'{{"participantId": "{PARTICIPANT}"}}]}} stage {ARN} session {SESSION}'
    )
    found = find_ids(listing)
    assert found.participant_id == PARTICIPANT
    assert found.other_participants == ("Kq7RtU2vWx9Z", "Vw3xYz4AbC5d")
    trailing = find_ids(f"`{ARN} {SESSION} {PARTICIPANT}` and Kq7RtU2vWx9Z")
    assert trailing.participant_id == PARTICIPANT and trailing.other_participants == ("Kq7RtU2vWx9Z",)


def test_a_participant_named_in_the_mention_wins_over_the_threads_with_its_others() -> None:
    mine = FoundIds(participant_id="Kq7RtU2vWx9Z")
    parent = FoundIds(ARN, SESSION, PARTICIPANT, other_participants=("Vw3xYz4AbC5d",))
    merged = mine.merged_with(parent)
    assert (merged.participant_id, merged.other_participants) == ("Kq7RtU2vWx9Z", ())
    assert FoundIds().merged_with(parent) == parent
    malformed = FoundIds(malformed_participant="a_b").merged_with(parent)
    assert merged.complete and malformed.participant_id is None and malformed.malformed_participant == "a_b"


def test_hostile_long_text_is_scanned_quickly() -> None:
    started = time.perf_counter()
    for text in (
        "a" * 200_000,
        "arn:aws:ivs:" * 20_000,
        "participant: " * 20_000,
        "st-" * 50_000,
        "https://x.console.aws.amazon.com/ivs/#/" + "stages/" * 20_000,
    ):
        find_ids(text)
    assert time.perf_counter() - started < 2.0


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=300),
    st.recursive(
        st.text(max_size=40),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=5), c, max_size=4),
        max_leaves=20,
    ),
)
def test_any_text_and_any_blocks_never_crash_and_what_is_found_is_valid(text: str, blocks: object) -> None:
    found = find_ids(text, blocks=blocks)
    if found.complete:
        assert found.query() is not None
    assert found.participant_id not in found.other_participants
    assert all(PARTICIPANT_ID_RE.fullmatch(p) for p in found.other_participants)
