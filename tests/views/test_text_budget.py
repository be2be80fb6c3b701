"""Sharing the message budget: what one part does not need goes to the next, most important first."""

from __future__ import annotations

from bot.views.text_budget import share_budget


def test_everything_fits_so_every_part_gets_what_it_wants() -> None:
    assert share_budget(10_000, [1200, 900, 300], [1500, 900, 300]) == [1200, 900, 300]


def test_room_left_by_a_small_part_goes_to_a_bigger_one() -> None:
    # The second part's floor is 900 but it needs only 200: the first (most important) gets what is left.
    assert share_budget(3000, [2500, 200, 1000], [1000, 900, 900]) == [1900, 200, 900]


def test_when_even_the_floors_do_not_fit_they_shrink_in_proportion_and_stay_within_budget() -> None:
    shares = share_budget(1000, [3000, 3000], [1500, 500])
    assert shares == [750, 250] and sum(shares) <= 1000
