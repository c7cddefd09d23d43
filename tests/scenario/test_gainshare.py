"""Who pays, who benefits, and the gain-share: Shapley's axioms, hand-worked splits, transfers."""

from __future__ import annotations

from decimal import Decimal
from itertools import permutations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.errors import UsageError
from totalplace.scenario.gainshare import (
    coalitions,
    gain_share,
    no_payer,
    payer_beneficiary,
    shapley,
)

D = Decimal


def random_game(rng: np.random.Generator, n: int) -> np.ndarray:
    """A characteristic function with v(empty) = 0 and every other value random."""
    v = rng.normal(0, 1000, 2**n)
    v[0] = 0.0
    return v


def permuted(v: np.ndarray, n: int, order: list[int]) -> np.ndarray:
    """v with players relabelled: the coalition of player set S gets v of {order[i] : i in S}."""
    masks = np.arange(2**n)
    source = np.zeros_like(masks)
    for i, j in enumerate(order):
        source |= ((masks >> i) & 1) << j
    return v[source]


def shapley_by_orders(v: np.ndarray, n: int) -> np.ndarray:
    """The definition itself: each player's marginal contribution averaged over all n! orders."""
    phi = np.zeros(n)
    orders = list(permutations(range(n)))
    for order in orders:
        mask = 0
        for i in order:
            phi[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    return phi / len(orders)


# -- coalitions -------------------------------------------------------------------------------


def test_coalitions_are_in_bitmask_order():
    # row m holds partner i iff bit i of m: 5 = 0b101 holds partners 0 and 2
    grid = coalitions(3)
    assert grid.shape == (8, 3)
    assert grid[0].tolist() == [False, False, False]
    assert grid[5].tolist() == [True, False, True]
    assert grid[6].tolist() == [False, True, True]
    assert grid[7].all()


def test_more_than_twenty_partners_are_refused_with_a_reason():
    with pytest.raises(UsageError, match="limited to 20 partners"):
        coalitions(21)
    with pytest.raises(UsageError, match="limited to 20 partners"):
        shapley(np.zeros(2**21))


# -- Shapley ----------------------------------------------------------------------------------


def test_hand_worked_three_partner_example():
    # Council (bit 0), Police (bit 1), NHS (bit 2):
    #   v(C)=10 v(P)=0 v(N)=0 v(CP)=40 v(CN)=30 v(PN)=10 v(CPN)=60
    # marginal contributions (C, P, N) in the 6 orders:
    #   C,P,N: 10, 30, 20     C,N,P: 10, 30, 20     P,C,N: 40,  0, 20
    #   P,N,C: 50,  0, 10     N,C,P: 30, 30,  0     N,P,C: 50, 10,  0
    # sums 190, 100, 70 -> Shapley 190/6 = 31.667, 100/6 = 16.667, 70/6 = 11.667 (total 60)
    v = np.array([0, 10, 0, 40, 0, 30, 10, 60], dtype=float)
    assert shapley(v) == pytest.approx([190 / 6, 100 / 6, 70 / 6])


def test_glove_game():
    # partner 0 holds a left glove, 1 and 2 right gloves; a pair is worth 1.
    # 0 adds 1 whenever it is not first (4 of 6 orders): 2/3; partner 1 adds 1 only in the
    # order 0,1,2 (1 of 6): 1/6; partner 2 likewise.
    v = np.array([0, 0, 0, 1, 0, 1, 0, 1], dtype=float)
    assert shapley(v) == pytest.approx([2 / 3, 1 / 6, 1 / 6])


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_shapley_is_the_average_over_every_order(n):
    v = random_game(np.random.default_rng(n), n)
    assert shapley(v) == pytest.approx(shapley_by_orders(v, n))


@given(n=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_efficiency_the_shares_add_up_to_the_whole(n, seed):
    v = random_game(np.random.default_rng(seed), n)
    assert shapley(v).sum() == pytest.approx(v[-1], abs=1e-6)


@given(n=st.integers(2, 8), seed=st.integers(0, 2**32 - 1))
def test_symmetry_interchangeable_partners_get_the_same(n, seed):
    w = random_game(np.random.default_rng(seed), n)
    swap = list(range(n))
    swap[0], swap[1] = 1, 0
    v = w + permuted(w, n, swap)  # unchanged by swapping partners 0 and 1
    phi = shapley(v)
    assert phi[0] == pytest.approx(phi[1], abs=1e-6)


@given(n=st.integers(2, 8), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_null_player_who_adds_nothing_gets_nothing(n, seed, data):
    k = data.draw(st.integers(0, n - 1))
    w = random_game(np.random.default_rng(seed), n)
    masks = np.arange(2**n)
    v = w[masks & ~(1 << k)]  # the value ignores whether k is in
    assert shapley(v)[k] == pytest.approx(0.0, abs=1e-6)


@given(n=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_additivity(n, seed):
    rng = np.random.default_rng(seed)
    v, w = random_game(rng, n), random_game(rng, n)
    assert shapley(v + w) == pytest.approx(shapley(v) + shapley(w), abs=1e-6)


def test_many_games_at_once_give_each_game_its_own_value():
    rng = np.random.default_rng(7)
    games = np.stack([random_game(rng, 4) for _ in range(5)])
    assert shapley(games) == pytest.approx(np.stack([shapley(g) for g in games]))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.array([1.0, 2.0, 3.0, 4.0]), "values\\[0\\]\\) must be 0"),
        (np.array([0.0, 1.0, 2.0]), "2\\*\\*n entries"),
        (np.array([0.0]), "2\\*\\*n entries"),
        (np.array([0.0, np.nan]), "finite"),
    ],
)
def test_a_malformed_game_is_refused(values, message):
    with pytest.raises(UsageError, match=message):
        shapley(values)


# -- payer x beneficiary ----------------------------------------------------------------------


def test_payer_beneficiary_hand_example():
    # agencies Council, Police, NHS. Lever 0 is paid half by the council, half by the police,
    # and saves the police 40 and the NHS 60; lever 1 costs nothing and saves the council 10.
    # Council row: 0.5 x (0, 40, 60) = (0, 20, 30), plus its own free 10 on the diagonal.
    # Police row: (0, 20, 30). NHS paid for nothing: (0, 0, 0).
    shares = [[0.5, 0.5, 0.0], [0.0, 0.0, 0.0]]
    benefits = [[0.0, 40.0, 60.0], [10.0, 0.0, 0.0]]
    assert payer_beneficiary(shares, benefits).tolist() == [
        [10.0, 20.0, 30.0],
        [0.0, 20.0, 30.0],
        [0.0, 0.0, 0.0],
    ]
    assert no_payer(shares, benefits).tolist() == [10.0, 0.0, 0.0]


@given(seed=st.integers(0, 2**32 - 1), levers=st.integers(1, 6), agencies=st.integers(1, 7))
@settings(max_examples=50)
def test_each_column_adds_up_to_all_that_agency_gains_each_year(seed, levers, agencies):
    rng = np.random.default_rng(seed)
    raw = rng.random((levers, agencies)) * (rng.random((levers, 1)) < 0.7)  # some levers free
    sums = raw.sum(axis=1, keepdims=True)
    shares = np.divide(raw, sums, out=np.zeros_like(raw), where=sums > 0)
    benefits = rng.normal(0, 100, (10, levers, agencies))  # ten years
    matrix = payer_beneficiary(shares, benefits)
    assert matrix.shape == (10, agencies, agencies)
    assert matrix.sum(axis=-2) == pytest.approx(benefits.sum(axis=-2))


def test_cost_shares_that_do_not_add_up_are_refused():
    with pytest.raises(UsageError, match="lever 1 add up to 0.9"):
        payer_beneficiary([[1.0, 0.0], [0.6, 0.3]], [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(UsageError, match="not negative"):
        payer_beneficiary([[1.5, -0.5]], [[1.0, 1.0]])


# -- gain-share -------------------------------------------------------------------------------

PARTNERS = ["Council", "Police", "NHS"]
# the hand-worked game above, with costs and benefits whose nets add up to v(all) = 60:
# nets 30 - 100 = -70, 70 - 20 = 50, 80 - 0 = 80; -70 + 50 + 80 = 60
COSTS = [100.0, 20.0, 0.0]
BENEFITS = [30.0, 70.0, 80.0]
GAME = np.array([0, 10, 0, 40, 0, 30, 10, 60], dtype=float)


def test_proportional_to_investment_hand_example():
    share = gain_share(COSTS, BENEFITS, GAME, PARTNERS)
    assert share.total == D("60.00")
    assert share.net == (D("-70.00"), D("50.00"), D("80.00"))
    investment = share.proposal("investment")
    # 60 x (100, 20, 0) / 120 = (50, 10, 0); transfers x - net = (120, -40, -80)
    assert investment.allocation == (D("50.00"), D("10.00"), D("0.00"))
    assert investment.transfers == (D("120.00"), D("-40.00"), D("-80.00"))
    assert investment.worse_off == ()
    assert investment.below_standalone == ()


def test_proportional_to_benefit_hand_example():
    benefit = gain_share(COSTS, BENEFITS, GAME, PARTNERS).proposal("benefit")
    # 60 x (30, 70, 80) / 180 = (10, 23.333, 26.667): pennies 1000, 2333.3, 2666.7 -> floors
    # 1000 + 2333 + 2666 = 5999, the spare penny to the largest remainder (NHS): 26.67
    assert benefit.allocation == (D("10.00"), D("23.33"), D("26.67"))
    # transfers: 10 + 70 = 80, 23.33 - 50 = -26.67, 26.67 - 80 = -53.33
    assert benefit.transfers == (D("80.00"), D("-26.67"), D("-53.33"))


def test_shapley_proposal_hand_example_adds_up_to_the_penny():
    shapley_split = gain_share(COSTS, BENEFITS, GAME, PARTNERS).proposal("shapley")
    # 31.667, 16.667, 11.667: floors 31.66 + 16.66 + 11.66 = 59.98, two spare pennies, the
    # remainders tie (two thirds each) so the first two partners take them
    assert shapley_split.allocation == (D("31.67"), D("16.67"), D("11.66"))
    # transfers: 31.67 + 70 = 101.67, 16.67 - 50 = -33.33, 11.66 - 80 = -68.34
    assert shapley_split.transfers == (D("101.67"), D("-33.33"), D("-68.34"))
    assert shapley_split.notes[-1].startswith("no partner ends worse off")


@given(n=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60)
def test_transfers_add_up_to_zero_and_allocations_to_the_whole(n, seed):
    rng = np.random.default_rng(seed)
    costs = rng.uniform(0, 1e6, n) * (rng.random(n) < 0.8)
    benefits = rng.normal(2e5, 5e5, n)
    values = random_game(rng, n)
    values[-1] = (benefits - costs).sum()
    share = gain_share(costs, benefits, values, [f"P{i}" for i in range(n)])
    for proposal in share.proposals:
        assert sum(proposal.transfers) == 0
        assert sum(proposal.allocation) == share.total
        for x, t, net in zip(proposal.allocation, proposal.transfers, share.net, strict=True):
            assert t == x - net


def test_a_scheme_that_loses_money_says_no_split_can_leave_everyone_no_worse_off():
    # nets: 30 - 100 = -70 and 20 - 0 = 20: the scheme loses 50 overall
    share = gain_share([100.0, 0.0], [30.0, 20.0], [0.0, 0.0, 0.0, -50.0], ["Council", "DWP"])
    assert share.statements == (
        "no split can leave every partner no worse off: the scheme loses £50.00 overall.",
    )
    # by investment the council bears it all (-50); by benefit -50 x (30, 20) / 50 = (-30, -20)
    assert share.proposal("investment").worse_off == ("Council",)
    assert share.proposal("benefit").allocation == (D("-30.00"), D("-20.00"))
    assert share.proposal("benefit").worse_off == ("Council", "DWP")
    assert "Council and DWP would end worse off" in share.proposal("benefit").notes[-1]


def test_when_partners_alone_would_gain_more_than_together_it_is_said():
    # alone 30 + 30 = 60 > 50 together
    share = gain_share([0.0, 0.0], [25.0, 25.0], [0.0, 30.0, 30.0, 50.0], ["A", "B"])
    assert share.statements == (
        "no split can give every partner what it could gain alone: alone they would gain "
        "£60.00 together, together only £50.00.",
    )
    # by benefit each gets 25 < 30
    assert share.proposal("benefit").below_standalone == ("A", "B")
    assert (
        "A and B would each get less than they could gain alone"
        in (share.proposal("benefit").notes[-1])
    )


def test_with_no_investment_the_investment_rule_shares_equally_and_says_so():
    share = gain_share([0.0, 0.0], [10.0, 20.0], [0.0, 10.0, 20.0, 30.0], ["A", "B"])
    investment = share.proposal("investment")
    assert investment.allocation == (D("15.00"), D("15.00"))  # 30 / 2 each
    assert "no partner has any investment: the gain is shared equally instead." in investment.notes


def test_a_partner_harmed_takes_no_share_by_benefit():
    # benefits (-10, 40), no costs: V = 30; by benefit the weights are (0, 40): (0, 30)
    share = gain_share([0.0, 0.0], [-10.0, 40.0], [0.0, -10.0, 40.0, 30.0], ["A", "B"])
    benefit = share.proposal("benefit")
    assert benefit.allocation == (D("0.00"), D("30.00"))
    assert benefit.transfers == (D("10.00"), D("-10.00"))  # A made whole by B
    assert "partners with a negative benefit take no share by benefit." in benefit.notes


def test_values_from_another_run_than_the_costs_are_refused():
    with pytest.raises(UsageError, match="not the sum of their net positions"):
        gain_share([10.0, 0.0], [0.0, 30.0], [0.0, 0.0, 0.0, 99.0], ["A", "B"])


def test_mismatched_shapes_and_negative_costs_are_refused():
    with pytest.raises(UsageError, match="one name per partner"):
        gain_share([1.0, 1.0], [2.0, 2.0], [0.0, 0.0, 0.0, 2.0], ["A"])
    with pytest.raises(UsageError, match="cannot be negative"):
        gain_share([-1.0, 1.0], [0.0, 2.0], [0.0, 0.0, 0.0, 2.0], ["A", "B"])


def test_to_dict_gives_amounts_as_decimals_per_partner():
    document = gain_share(COSTS, BENEFITS, GAME, PARTNERS).to_dict()
    assert document["total_net_gain"] == D("60.00")
    assert document["partners"][0] == {
        "partner": "Council",
        "pv_costs": D("100.00"),
        "pv_benefits": D("30.00"),
        "net_before_transfers": D("-70.00"),
        "standalone_value": D("10.00"),
    }
    assert [p["rule"] for p in document["proposals"]] == ["investment", "benefit", "shapley"]
    assert document["proposals"][0]["partners"][2] == {
        "partner": "NHS",
        "ends_with": D("0.00"),
        "transfer": D("-80.00"),
    }
