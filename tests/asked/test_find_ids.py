"""Finding the three ids in whatever a person pasted into Slack."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.asked.find_ids import FoundIds, find_ids, find_ids_in_message
from bot.domain.queries import PARTICIPANT_ID_RE

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


@pytest.mark.parametrize(
    ("text", "participant"),
    [
        (f"participantId: abcdefghijkl {ARN} {SESSION}", "abcdefghijkl"),
        (f"participant-id: abc {ARN} {SESSION}", "abc"),
        (f"--participant-id x1 {ARN} {SESSION}", "x1"),
        (f"participant id: short {ARN} {SESSION}", "short"),
        (f"participant=short {ARN} {SESSION}", "short"),
        (f'{{"participantId": "all-lower-case"}} {ARN} {SESSION}', "all-lower-case"),
    ],
)
def test_after_an_explicit_label_any_id_the_api_accepts_is_taken_as_written(
    text: str, participant: str
) -> None:
    found = find_ids(text)
    assert found.complete and found.participant_id == participant


def test_a_labelled_value_the_api_would_refuse_is_reported_as_malformed_not_missing() -> None:
    found = find_ids(f"stage {ARN} session {SESSION} participantId: Kq7~RtU2")
    assert found.participant_id is None and found.malformed_participant == "Kq7~RtU2"
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


# QA's stories: the bot must never silently look up the wrong participant (demo values A, S, P).
A, S, P = ARN, SESSION, "Kq7RtU2vWx9Z"


def test_pasted_get_participant_json_gives_the_participant_id_not_the_key_after_participant() -> None:
    text = f'{{"participant": {{"participantId": "{P}", "state": "DISCONNECTED"}}}} {A} {S}'
    assert find_ids(text) == FoundIds(A, S, P)


@pytest.mark.parametrize(
    "word",
    ["participantId", "PARTICIPANT_ID", "sessionId", "stageArn", "remoteParticipantId", "userId", "Guest"],
)
def test_a_label_word_after_a_participant_label_is_never_taken_for_the_id(word: str) -> None:
    for text in (f"participant: {word} {A} {S}", f"participantId: {word} {A} {S}"):
        found = find_ids(text)
        assert found.participant_id is None and found.malformed_participant is None, text


def test_a_session_id_or_a_stage_arn_is_never_taken_for_a_participant_id() -> None:
    for text in (f"participantId: {S} {A}", f"--participant-id {A} {S}", f"{A} {S} st-AAAAAAAAAAAA"):
        found = find_ids(text)
        assert found.participant_id is None and found.malformed_participant is None, text


def test_a_message_naming_two_session_ids_pairs_the_participant_with_neither() -> None:
    found = find_ids(f"{A} st-AAAAAAAAAAAAA {S} {P}")
    assert found.ambiguous and not found.complete and found.query() is None
    assert (found.session_id, found.other_sessions, found.participant_id) == ("st-AAAAAAAAAAAAA", (S,), P)
    same_twice = find_ids(f"{A} {S} {P} (session {S})")
    assert same_twice.query() is not None and same_twice.other_sessions == ()


@pytest.mark.parametrize(
    "tail",
    [
        "--participant-id --max-results 100",
        "--participant-id=&lt;participant-id&gt;",
        "--participant-id=<participant-id>",
        "participantId: [REDACTED]",
        "participantId: <id>",
        "participantId: xxx",
        "participant_id: XXXX-XXXX",
        "participant id: TBD",
        "participantId: REDACTED",
        "participantId: unknown",
        "participantId: N/A",
        '"participantId": null',
    ],
)
def test_cli_placeholders_after_a_participant_label_are_missing_ids_never_used(tail: str) -> None:
    found = find_ids(f"{A} {S} {tail}")
    assert found.participant_id is None and found.malformed_participant is None
    assert found.missing == ["participant id"]


def test_a_placeholder_after_an_explicit_label_keeps_a_stray_id_shaped_word_from_being_used() -> None:
    found = find_ids(f"{A} {S} participantId: [REDACTED], device MacBookPro16")
    assert found.participant_id is None and found.possible_participants == ()
    malformed = find_ids(f"{A} {S} participantId: Kq7~RtU2, device MacBookPro16")
    assert malformed.participant_id is None and malformed.malformed_participant == "Kq7~RtU2"


@pytest.mark.parametrize(
    "text",
    [
        f"{A} {S} participant: guest_dan",
        f"{A} {S} participant=guest_dan",
        f"{A} {S} participant `guest_dan` could not publish",
        f"{A} {S} the participant id guest_dan could not publish",
        f"{A} {S} guest_dan",  # in the slash command's order, ending the message
        f"{S} {A} guest_dan",
    ],
)
def test_any_value_ivs_accepts_is_the_participant_when_introduced_as_one_or_in_command_order(
    text: str,
) -> None:
    assert find_ids(text) == FoundIds(A, S, "guest_dan")


def test_prose_after_the_ids_or_a_guest_label_still_needs_an_id_shaped_like_one_ivs_assigns() -> None:
    assert find_ids(f"{A} {S} failed twice yesterday").participant_id is None
    assert find_ids(f"{A} {S} Guest: Jane").participant_id is None
    assert find_ids(f"{A} {S} the participant id is missing").participant_id is None
    compound_wins = find_ids(f"{A} {S} Guest: JaneDoe participantId: {P}")
    assert compound_wins == FoundIds(A, S, P)


@pytest.mark.parametrize(
    ("text", "participant"),
    [
        (f"{A} {S} ReactNative guest {P} can't publish", P),
        (f"{A} {S} StreamYard guest {P}", P),
        (f'{A} {S} "remoteParticipantId": "Co8HoSt9Lm0n"', None),
        (f"{A} {S} userId: Vw3xYz4AbC5d", None),
        (f"{A} {S} request ID Vw3xYz4AbC5d", None),
    ],
)
def test_the_word_after_arn_and_session_is_the_participant_only_when_shaped_like_an_ivs_id(
    text: str, participant: str | None
) -> None:
    found = find_ids(text)
    assert found.participant_id == participant and found.other_participants == ()


def test_a_device_name_shaped_like_an_id_loses_to_the_id_a_participant_word_introduces() -> None:
    text = (
        f"Our guest (attendee MacBookPro16) couldn't publish. Stage is {A}, session {S}. "
        f"The participant was {P}."
    )
    found = find_ids(text)
    assert (found.participant_id, found.other_participants) == (P, ("MacBookPro16",))
    assert find_ids(f"Stage {A}, session {S}, ID: {P}, laptop MacBookPro16").participant_id == P


def test_several_unlabelled_id_shaped_words_are_not_guessed_between() -> None:
    found = find_ids(f"Stage is {A}, session {S}. MacBookPro16 and {P} both failed.")
    assert found.participant_id is None and found.query() is None
    assert found.possible_participants == ("MacBookPro16", P) and found.ambiguous


def test_evidence_ranks_explicit_then_link_then_plain_label_then_position_then_the_rest() -> None:
    link = f"{CONSOLE}/sessions/{S}/participants/Vw3xYz4AbC5d"
    ranked = [
        (f"participantId: {P}", P),
        (link, "Vw3xYz4AbC5d"),
        (f"Guest: {PARTICIPANT}", PARTICIPANT),
        (f"{A} {S} L1veHoSt2026", "L1veHoSt2026"),
        ("the participant was N0tInJ01nEd7", "N0tInJ01nEd7"),
    ]
    for index, (_, expected) in enumerate(ranked):
        text = " . ".join(part for part, _ in reversed(ranked[index:]))
        found = find_ids(f"{text} . {A} {S}")
        assert found.participant_id == expected, text


def test_a_ticket_template_takes_the_guest_and_names_the_host() -> None:
    found = find_ids(f"Stage: {A}\nSession: {S}\nGuest: {P}\nHost: Co8HoSt9Lm0n")
    assert (found.participant_id, found.other_participants) == (P, ("Co8HoSt9Lm0n",))
    slashed = find_ids(f"Stage: {A} / Session: {S} / Guest: {P} / Host: Co8HoSt9Lm0n")
    assert slashed == found
    assert find_ids(f"{A} {S} participant id of the guest: {P}").participant_id == P


@pytest.mark.parametrize(
    ("link", "arn"),
    [
        (FULL_LINK.replace("abcdABCDefgh", "zzzzZZZZzzzz"), ARN),
        (FULL_LINK.replace("us-west-2", "eu-west-1"), ARN),
        (FULL_LINK.replace("https://us-west-2.", "https://999999999999-k3xq9z.us-west-2."), ARN),
    ],
)
def test_a_console_link_and_a_stage_arn_of_different_stages_are_never_mixed(link: str, arn: str) -> None:
    found = find_ids(f"{link} {arn}")
    assert found.mismatched_link is not None and found.ambiguous and found.query() is None


def test_a_mentions_console_link_and_a_threads_arn_of_another_stage_are_not_mixed() -> None:
    mention = find_ids(FULL_LINK.replace("abcdABCDefgh", "zzzzZZZZzzzz"))
    merged = mention.merged_with(find_ids(f"stage {ARN}"))
    assert merged.mismatched_link == ("zzzzZZZZzzzz", "us-west-2") and merged.query() is None
    assert find_ids(FULL_LINK).merged_with(find_ids(f"stage {ARN}")) == EVERYTHING


def test_two_stage_arns_are_not_guessed_between() -> None:
    found = find_ids(f"{A} arn:aws:ivs:us-west-2:123456789012:stage/XyZ {S} {P}")
    assert found.other_stage_arns == ("arn:aws:ivs:us-west-2:123456789012:stage/XyZ",)
    assert found.query() is None


@pytest.mark.parametrize(
    "text",
    [
        f"ステージ：{A}、セッション：{S}、参加者：{P}",
        f"ステージ「{A}」セッション「{S}」参加者ID：{P}。",
        f"{A}\u200b{S}\u200d{P}\ufeff",
        f"{A}\u2060{S}\u200c{P}",
        f"“{A}” ‘{S}’ “{P}”",
        f":rotating_light:{A} {S} {P}:fire:",
        f"{A} :eyes::skin-tone-2:{S} :wave: {P}",
    ],
)
def test_japanese_punctuation_zero_width_spaces_smart_quotes_and_emoji_separate_the_ids(text: str) -> None:
    assert find_ids(text) == FoundIds(A, S, P)


def test_hostile_long_text_is_scanned_quickly() -> None:
    started = time.perf_counter()
    for text in (
        "a" * 200_000,
        "arn:aws:ivs:" * 20_000,
        "participant: " * 20_000,
        "st-" * 50_000,
        "https://x.console.aws.amazon.com/ivs/#/" + "stages/" * 20_000,
        ":a:" * 33_000,
        "x" + ":a:" * 33_000,
        "participant id of the guest: " * 4_000,
        "参加者：" * 25_000,
        "ID " * 33_000,
        " ".join(f"Kq7RtU{i:06d}" for i in range(8_000)),
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
    assert all(PARTICIPANT_ID_RE.fullmatch(p) for p in found.possible_participants)
    assert found.participant_id is None or not found.possible_participants
    if found.ambiguous:
        assert found.query() is None
