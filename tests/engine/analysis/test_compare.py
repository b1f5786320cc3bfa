"""engine/analysis/compare.py: the quantities of an iteration, comparing a pasted matrix with
one (reading it: test_matrix_text.py).

Reference numbers are seed 000's printed first iteration (tests/data) or worked out by hand
in the comments; none is copied from the engine's output.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from paths import DATA

from engine import Network, Stepper, TrainingConfig
from engine.analysis.compare import (
    Quantity,
    compare,
    earliest_disagreement,
    quantities,
    quantity,
    read_matrix,
)
from engine.core.phases import Phase, phases_of

REFERENCE = json.loads((DATA
                        / "seed-000-first-iteration.json").read_text())
SEED_TOLERANCE = REFERENCE["tolerance"]  # the seed rounds to 7-8 decimals


def seed_000_stepper() -> Stepper:
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, bias=True)
    network.theta[...] = 1.0
    data = REFERENCE["data"]
    return Stepper(network, data["inputs"], data["targets"],
                   TrainingConfig(loss="sse", optimizer="gd", learning_rate=0.5))


# ---------------------------------------------------------------------------- quantities
def test_quantities_come_in_the_order_of_the_iteration():
    stepper = seed_000_stepper()
    items = quantities(stepper.network, stepper.evaluate())
    assert [q.key for q in items] == [
        "a^0", "W^0", "n^1", "a^1", "W^1", "n^2", "a^2", "W^2", "n^3", "a^3",
        "dC/da^3",
        "da^3/dn^3", "delta^3", "dC/dW^2", "dC/db^2",
        "dC/da^2", "da^2/dn^2", "delta^2", "dC/dW^1", "dC/db^1",
        "dC/da^1", "da^1/dn^1", "delta^1", "dC/dW^0", "dC/db^0",
    ]
    labels = {q.key: q.label for q in items}
    assert labels["delta^2"] == "δ^2" and labels["dC/dW^1"] == "∂C/∂W^1"
    assert labels["da^3/dn^3"] == "∂a^3/∂n^3" and labels["dC/da^3"] == "∂C/∂a^3"
    phases = phases_of(3)
    assert [q.phase_index for q in items] == sorted(q.phase_index for q in items)
    by_key = {q.key: q for q in items}
    assert by_key["n^2"].phase == phases[1] == Phase("forward", 2)
    assert by_key["dC/da^3"].phase == Phase("loss")
    assert by_key["delta^2"].phase == phases[by_key["delta^2"].phase_index] == Phase("backward", 2)
    assert by_key["delta^2"].phase_text == "backward, layer 2"


def test_quantities_hold_the_seeds_numbers():
    stepper = seed_000_stepper()
    trace = stepper.evaluate()

    def value(key, augmented=False):
        q = quantity(stepper.network, trace, key)
        return q.augmented if augmented else q.value

    def check(actual, expected):
        np.testing.assert_allclose(actual, expected, rtol=0, atol=SEED_TOLERANCE)

    check(value("n^1"), REFERENCE["pre_activation_layer_1"])
    check(value("a^2"), REFERENCE["activation_layer_2"])
    check(value("dC/da^3"), REFERENCE["dcost_dactivation_layer_3"])
    check(value("da^3/dn^3"), REFERENCE["dactivation_dpre_layer_3"])
    check(value("delta^3"), REFERENCE["delta_layer_3"])
    gradient = REFERENCE["weight_gradient_2_augmented"]["value"]
    check(value("dC/dW^2", augmented=True), gradient)
    check(value("dC/dW^2"), np.array(gradient)[1:])
    check(value("dC/db^2"), np.array(gradient)[:1])
    # [1 | a^1]: a leading column of 1s; [b^1; W^1]: every parameter of seed 000 is 1
    check(value("a^1", augmented=True), np.hstack([np.ones((2, 1)),
                                                   REFERENCE["activation_layer_1"]]))
    np.testing.assert_array_equal(value("W^1", augmented=True), np.ones((4, 3)))


def test_quantities_not_computed_yet_are_none():
    stepper = seed_000_stepper()
    for _ in range(3):  # forward 1, 2, 3
        stepper.step_phase()
    by_key = {q.key: q for q in quantities(stepper.network, stepper.trace)}
    assert by_key["a^3"].value is not None
    assert by_key["dC/da^3"].value is None and by_key["delta^1"].value is None
    assert by_key["dC/dW^2"].value is None and by_key["dC/dW^2"].augmented is None


def test_without_biases_there_is_no_augmented_form():
    network = Network([2, 2, 1], ["sigmoid", "sigmoid"], bias=False)
    network.theta[...] = 0.5
    stepper = Stepper(network, [[1.0, 0.0]], [[1.0]])
    items = quantities(network, stepper.evaluate())
    assert not any(q.key.startswith("dC/db") for q in items)
    assert all(q.augmented is None and q.augmented_label is None for q in items)


# --------------------------------------------------------------------------- comparing
def hand_quantity(value, key="a^1", augmented=None, rows="observations") -> Quantity:
    return Quantity(key, key, 0, Phase("forward", 1), np.array(value, dtype=float), "",
                    augmented, "[1 | a^1]" if augmented is not None else None, rows,
                    "neurons of layer 1")


def test_equal_matrices_agree_and_one_wrong_cell_is_found():
    q = hand_quantity([[0.5, 0.25, 0.125], [1.0, 2.0, 3.0]])
    result = compare([[0.5, 0.25, 0.125], [1.0, 2.0, 3.0]], q)
    assert result.ok and result.status == "agree" and not result.mismatch.any()
    assert result.message == "all 6 cells agree within 1e-6"
    result = compare([[0.5, 0.25, 0.125], [1.0, 2.5, 3.0]], q)
    assert not result.ok and result.status == "differ"
    np.testing.assert_array_equal(result.mismatch, [[False] * 3, [False, True, False]])
    assert result.first_mismatch == (1, 1) and result.max_abs_error == pytest.approx(0.5)
    assert "1 of 6 cells differ" in result.message and "yours 2.5, engine 2" in result.message


def test_the_tolerance_is_relative_plus_absolute():
    q = hand_quantity([[1000.0, 0.0]])
    assert compare([[1000.0005, 5e-10]], q).ok  # 5e-4 ≤ 1e-6·1000 + 1e-9; 5e-10 ≤ 1e-9
    assert not compare([[1000.002, 0.0]], q).ok
    assert not compare([[1000.0, 2e-9]], q).ok
    assert compare([[1000.002, 0.0]], q, rtol=1e-5).ok


def test_printed_rounding_is_allowed_only_when_given():
    # ours 0.000123456789; "0.0001235" differs by 4.3e-8: beyond 1e-6·|ours| + 1e-9, but
    # within one unit (1e-7) of its 7th decimal
    q = hand_quantity([[0.000123456789]])
    close = read_matrix("0.0001235")
    assert not compare(close.values, q).ok
    result = compare(close.values, q, rounding=close.rounding)
    assert result.ok and "to the digits you gave" in result.message
    far = read_matrix("0.0001237")  # 2.4e-7 away: more than rounding explains
    assert not compare(far.values, q, rounding=far.rounding).ok


def test_the_seeds_printed_gradient_agrees_at_the_default_tolerance():
    """Seed 000 printed ∂C/∂W² to 7 decimals from float32 sums: its 0.0288126 is
    0.0288126876 in float64 (by hand: Σ_o δ³_0 = 0.02956687 − 0.0007543), 8.8e-8 away, more
    than half a unit of the 7th decimal. Compared to the digits it was printed with (one unit
    of the last), every cell agrees at the default tolerance, and the message says why."""
    stepper = seed_000_stepper()
    q = quantity(stepper.network, stepper.evaluate(), "dC/dW^2")
    seeds = read_matrix("\n".join(" ".join(f"{v:.7g}" for v in row) for row in
                                  REFERENCE["weight_gradient_2_augmented"]["value"]))
    assert not compare(seeds.values, q).ok  # without the digits' allowance: red
    result = compare(seeds.values, q, rounding=seeds.rounding)
    assert result.ok, result.message
    assert "to the digits you gave" in result.message
    assert result.rounded_cells >= 1


def test_a_non_finite_engine_value_never_agrees():
    q = hand_quantity([[np.inf, np.nan]])
    result = compare([[1.0, 1.0]], q)
    assert result.mismatch.tolist() == [[True, True]]


def test_a_bias_row_is_explained_and_compared_with_the_augmented_gradient():
    stepper = seed_000_stepper()
    q = quantity(stepper.network, stepper.evaluate(), "dC/dW^2")
    seeds = np.array(REFERENCE["weight_gradient_2_augmented"]["value"])  # 4×2, seed's rounding
    result = compare(seeds, q, rtol=0, atol=SEED_TOLERANCE)
    assert result.shape_message.startswith("yours is 4×2 and ours 3×2: did you include the "
                                           "bias row? The augmented [∂C/∂b^2; ∂C/∂W^2] is 4×2")
    assert result.ok and result.engine_value.shape == (4, 2)
    wrong = seeds.copy()
    wrong[0, 1] += 0.01  # a wrong bias gradient
    result = compare(wrong, q, rtol=0, atol=SEED_TOLERANCE)
    assert result.first_mismatch == (0, 1) and int(result.mismatch.sum()) == 1


def test_a_column_of_ones_is_accepted_for_activations():
    stepper = seed_000_stepper()
    q = quantity(stepper.network, stepper.evaluate(), "a^1")
    yours = np.hstack([np.ones((2, 1)), REFERENCE["activation_layer_1"]])
    result = compare(yours, q, atol=SEED_TOLERANCE)
    assert result.ok and "leading column of 1s" in result.shape_message
    assert "[1 | a^1]" in result.shape_message


def test_shape_mismatches_are_explained():
    stepper = seed_000_stepper()
    trace = stepper.evaluate()
    n1 = quantity(stepper.network, trace, "n^1")  # 2 observations × 3 neurons
    result = compare(np.array(REFERENCE["pre_activation_layer_1"]).T, n1)
    assert result.status == "shape" and not result.ok and result.mismatch is None
    assert "yours looks transposed (3×2 vs 2×3" in result.shape_message
    assert "rows are observations" in result.shape_message
    assert "transposed back, it agrees" in result.shape_message
    result = compare(np.ones((3, 3)), n1)
    assert result.shape_message == ("yours is 3×3 and ours 2×3: rows are observations, "
                                     "and there are 2")
    result = compare(np.ones((2, 5)), n1)
    assert "the columns are the neurons of layer 1, which has 3" in result.shape_message
    result = compare(np.ones((2, 1)), quantity(stepper.network, trace, "dC/db^2"))
    assert "looks transposed (2×1 vs 1×2" in result.shape_message


def test_a_square_matrix_pasted_transposed_is_recognised():
    q = hand_quantity([[1.0, 2.0], [3.0, 4.0]])
    result = compare([[1.0, 3.0], [2.0, 4.0]], q)
    assert result.status == "differ" and "yours is ours transposed" in result.shape_message


def test_a_quantity_not_computed_yet_is_pending():
    stepper = seed_000_stepper()
    stepper.step_phase()
    q = quantity(stepper.network, stepper.trace, "delta^3")
    result = compare(np.ones((2, 2)), q)
    assert result.status == "pending" and not result.ok
    assert "not computed yet" in result.message and "backward, layer 3" in result.message


def test_earliest_disagreement_is_the_earliest_in_the_iteration():
    stepper = seed_000_stepper()
    trace = stepper.evaluate()
    right = {
        "delta^3": np.array(REFERENCE["delta_layer_3"]),
        "a^2": np.array(REFERENCE["activation_layer_2"]),
        "a^1": np.array(REFERENCE["activation_layer_1"]),
    }
    loose = {"rtol": 0, "atol": SEED_TOLERANCE}
    assert earliest_disagreement(right, stepper.network, trace, **loose) is None
    wrong = {key: value.copy() for key, value in right.items()}
    wrong["delta^3"][0, 0] = 0.5
    wrong["a^2"][1, 2] = 0.5
    found, result = earliest_disagreement(wrong, stepper.network, trace, **loose)
    assert found.key == "a^2" and result.first_mismatch == (1, 2)
    wrong["a^2"] = right["a^2"]
    assert earliest_disagreement(wrong, stepper.network, trace, **loose)[0].key == "delta^3"
    wrong["a^1"] = np.ones((3, 3))  # a shape that does not fit is a disagreement too
    found, result = earliest_disagreement(wrong, stepper.network, trace, **loose)
    assert found.key == "a^1" and result.status == "shape"
    with pytest.raises(KeyError, match="delta\\^9"):
        earliest_disagreement({"delta^9": np.ones((1, 1))}, stepper.network, trace)


def test_a_single_cell_is_one_cell():
    """Issue 14, point 8's plurals: the cost C is one cell."""
    q = hand_quantity([[0.25]])
    assert compare([[0.25]], q).message == "the one cell agrees within 1e-6"
    assert compare([[0.5]], q).message.startswith("the one cell differs; the first at row 0")
    q = hand_quantity([[1.0, 2.0]])
    assert "transposed back, 1 cell still differs" in compare([[1.0], [3.0]], q).message
