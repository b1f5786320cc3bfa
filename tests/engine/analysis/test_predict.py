"""engine/analysis/predict.py and mistakes.py: predicting a phase's numbers before the engine
shows them, and naming the common mistake a wrong answer fits.

Every number typed here is worked out in the test: seed 000's printout (its a^1 without the
bias: σ(1.2) and σ(0.6)), tests/reference.py (the seeds' formulas, checked elsewhere against
finite differences) or plain numpy written out below; none comes from predict.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from paths import EXAMPLES
from reference import SEED_000_INPUTS, SEED_000_TARGETS, backprop, sigmoid

from engine.analysis.predict import Mistake, PhaseQuiz, Prediction, Target
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.core.phases import Phase
from engine.core.stepper import Stepper
from engine.io import fileformat

ONES_W = [np.ones((2, 3)), np.ones((3, 3)), np.ones((3, 2))]  # seed 000: every weight 1
ONES_B = [np.ones(3), np.ones(3), np.ones(2)]
SEED = backprop(ONES_W, ONES_B, SEED_000_INPUTS, SEED_000_TARGETS, "sse")
RATE = 0.5  # seed 000's learning rate


def seed_stepper() -> Stepper:
    return fileformat.load(EXAMPLES / "seed-000.json").make_stepper()


def quiz_on(stepper: Stepper, phase: Phase) -> PhaseQuiz:
    """Step to just before ``phase``, make its quiz, and run the phase."""
    while stepper.next_phase != phase:
        stepper.step_phase()
    quiz = PhaseQuiz.before(stepper)
    stepper.step_phase()
    return quiz


def pipe_table(matrix, decimals: int = 7) -> str:
    """As seed 000 prints a matrix: | 0.9002495 | 0.9002495 |."""
    return "\n".join("| " + " | ".join(f"{v:.{decimals}f}" for v in row) + " |"
                     for row in np.atleast_2d(matrix))


def rows_text(matrix, digits: int = 10) -> str:
    """Whitespace rows, ``digits`` significant digits (for the mistakes' numbers)."""
    return "\n".join(" ".join(f"{v:.{digits}g}" for v in row) for row in np.atleast_2d(matrix))


def numpy_literal(matrix) -> str:
    return repr(np.atleast_2d(np.asarray(matrix, dtype=float)))


def square_stepper(loss: str = "sse", optimizer: str = "gd") -> Stepper:
    """A 2-2-2-2 sigmoid network with distinct weights: every W is square, so a transposed
    operand and the previous layer's weights fit the shapes."""
    network = Network([2, 2, 2, 2], ["sigmoid"] * 3, bias=True)
    network.theta[...] = np.random.default_rng(7).uniform(-1.5, 1.5, network.theta.size)
    return Stepper(network, SEED_000_INPUTS, SEED_000_TARGETS,
                   TrainingConfig(loss=loss, optimizer=optimizer, learning_rate=RATE))


def parameters(network: Network) -> tuple[list, list]:
    """The network's W and b as plain arrays: the inputs of the reference."""
    return ([np.array(w) for w in network.weights], [np.array(b) for b in network.biases])


# seed 000's main results, from the reference: (phase, the numbers)
SEED_MAIN = {
    "forward 1": (Phase("forward", 1), SEED.a[1]),
    "forward 3": (Phase("forward", 3), SEED.a[3]),
    "loss": (Phase("loss"), [[SEED.cost]]),
    "backward 3": (Phase("backward", 3), SEED.delta[3]),
    "backward 1": (Phase("backward", 1), SEED.delta[1]),
    "update": (Phase("update"), ONES_W[2] - RATE * SEED.dW[2]),
}


# ------------------------------------------------------------------------------ targets
def test_each_phase_lists_what_it_computes_main_result_first():
    stepper = seed_stepper()
    network = stepper.network

    def keys(phase):
        return [t.key for t in quiz_on(stepper, phase).targets(network)]

    assert keys(Phase("forward", 1)) == ["a^1", "n^1"]
    assert keys(Phase("loss")) == ["loss", "dC/da^3"]
    assert keys(Phase("backward", 3)) == ["delta^3", "da^3/dn^3", "dC/dW^2", "dC/db^2"]
    backward_2 = quiz_on(stepper, Phase("backward", 2))
    assert [t.key for t in backward_2.targets(network)] == [
        "delta^2", "dC/da^2", "da^2/dn^2", "dC/dW^1", "dC/db^1"]
    assert [t.label for t in backward_2.targets(network)] == [
        "δ^2", "∂C/∂a^2", "∂a^2/∂n^2", "∂C/∂W^1", "∂C/∂b^1"]
    update = quiz_on(stepper, Phase("update"))
    assert update.phase == Phase("update")
    assert update.main_target(network) == Target("W^2 new", "W^2 after the update")
    assert [t.key for t in update.targets(network)] == [
        "W^2 new", "W^0 new", "b^0 new", "W^1 new", "b^1 new", "b^2 new"]
    assert quiz_on(stepper, Phase("loss")).main_target(network) == Target("loss", "C")


# -------------------------------------------------------------------- right, wrong, shape
@pytest.mark.parametrize("name", list(SEED_MAIN))
@pytest.mark.parametrize("form", ["pipe table", "numpy literal", "rows"])
def test_the_right_numbers_in_any_form_are_right(name, form):
    phase, numbers = SEED_MAIN[name]
    stepper = seed_stepper()
    quiz = quiz_on(stepper, phase)
    text = {"pipe table": pipe_table, "numpy literal": numpy_literal,
            "rows": lambda m: rows_text(m, 9)}[form](numbers)
    prediction = quiz.check(text, stepper)
    assert isinstance(prediction, Prediction)
    assert prediction.status == "right", prediction.message
    assert prediction.correct.all() and prediction.mistake is None
    np.testing.assert_allclose(prediction.expected, numbers, rtol=1e-9)
    size = np.size(numbers)
    assert prediction.message == (
        "the number is right (compared to the digits you typed)" if size == 1
        else f"all {size} numbers right (compared to the digits you typed)")


@pytest.mark.parametrize("name", list(SEED_MAIN))
def test_one_wrong_cell_is_marked_in_its_place(name):
    phase, numbers = SEED_MAIN[name]
    stepper = seed_stepper()
    quiz = quiz_on(stepper, phase)
    typed = np.array(numbers, dtype=float)
    r, c = typed.shape[0] - 1, typed.shape[1] - 1
    typed[r, c] += 0.25
    prediction = quiz.check(pipe_table(typed), stepper)
    assert prediction.status == "wrong"
    expected_correct = np.ones(typed.shape, dtype=bool)
    expected_correct[r, c] = False
    np.testing.assert_array_equal(prediction.correct, expected_correct)
    np.testing.assert_allclose(prediction.yours, np.round(typed, 7))
    if typed.size == 1:
        assert prediction.message == "the number is wrong (compared to the digits you typed)"
    else:
        assert prediction.message == (f"{typed.size - 1} of {typed.size} numbers right "
                                      "(compared to the digits you typed)")


@pytest.mark.parametrize("name", list(SEED_MAIN))
def test_a_wrong_shape_says_the_shape_expected(name):
    phase, numbers = SEED_MAIN[name]
    stepper = seed_stepper()
    quiz = quiz_on(stepper, phase)
    rows, columns = np.shape(numbers)
    typed = np.full((rows + 5, columns + 5), 0.5)  # no form of the answer has this shape
    prediction = quiz.check(rows_text(typed), stepper)
    assert prediction.status == "shape" and prediction.correct is None
    assert prediction.mistake is None
    assert prediction.expected.shape == (rows, columns)
    assert f"yours is {rows + 5}×{columns + 5}" in prediction.message
    if (rows, columns) == (1, 1):
        assert prediction.message.startswith("C is one number")
    else:
        assert f"is {rows}×{columns}" in prediction.message


def test_the_shape_message_names_rows_and_columns():
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("forward", 1))
    prediction = quiz.check("1 2\n3 4", stepper)
    assert prediction.message == ("a^1 is 2×3 (or 2×4 as [1 | a^1]): 2 rows (observations) "
                                  "of 3 numbers (neurons of layer 1); yours is 2×2")


def test_the_augmented_forms_are_accepted():
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("forward", 1))
    with_ones = np.hstack([np.ones((2, 1)), SEED.a[1]])  # [1 | a^1]
    prediction = quiz.check(pipe_table(with_ones), stepper)
    assert prediction.status == "right" and prediction.expected.shape == (2, 4)
    quiz = quiz_on(stepper, Phase("update"))
    new_b = ONES_B[2] - RATE * SEED.db[2]
    new_w = ONES_W[2] - RATE * SEED.dW[2]
    augmented = np.vstack([new_b, new_w])  # [b^2; W^2] after the update
    prediction = quiz.check(pipe_table(augmented), stepper)
    assert prediction.status == "right" and prediction.expected.shape == (4, 2)


def test_other_targets_of_a_phase_are_checked_too():
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("backward", 2))
    network = stepper.network
    dcost_da2 = SEED.delta[3] @ ONES_W[2].T  # ∂C/∂a^2 = δ^3 (W^2)ᵀ
    target = Target("dC/da^2", "∂C/∂a^2")
    assert quiz.check(pipe_table(dcost_da2), stepper, target).status == "right"
    gradient = Target("dC/dW^1", "∂C/∂W^1")
    assert gradient in quiz.targets(network)
    assert quiz.check(rows_text(SEED.dW[1]), stepper, gradient).status == "right"
    quiz = quiz_on(stepper, Phase("update"))
    b0 = Target("b^0 new", "b^0 after the update")
    assert quiz.check(rows_text(ONES_B[0] - RATE * SEED.db[0]), stepper, b0).status == "right"


def test_the_digits_typed_are_the_precision_compared():
    # ∂C/∂b^2 = Σ_o δ^3 is 0.0288126876… and 0.0596958438…: typed to 7 decimals, each cell
    # may be off by one unit of the 7th, as printing rounded it
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("backward", 3))
    target = Target("dC/db^2", "∂C/∂b^2")
    np.testing.assert_allclose(SEED.db[2], [0.0288126876, 0.0596958438], atol=1e-10)
    for typed, correct in (("0.0288126", True), ("0.0288127", True), ("0.0288125", False)):
        prediction = quiz.check(f"{typed} 0.0596958", stepper, target)
        assert prediction.correct.tolist() == [[correct, True]], typed
        assert prediction.status == ("right" if correct else "wrong")


def test_a_hand_calculation_to_two_or_three_decimals_is_right():
    """By hand a learner keeps a few decimals: 0.900 (or 0.90) for σ(2.2) = 0.9002495 is
    right within one unit of its last digit; fewer than two decimals are taken as typed."""
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("forward", 1))
    a1 = 1 / (1 + np.exp(-np.array([2.2, 1.6])))  # every weight and bias 1: n¹ = x1 + x2 + 1
    np.testing.assert_allclose(a1, [0.9002495, 0.8320184], atol=1e-7)
    for first, second, right in (("0.900", "0.832", True), ("0.90", "0.83", True),
                                 ("0.901", "0.833", True), ("0.899", "0.832", False),
                                 ("0.9", "0.8", False), ("1", "1", False)):
        text = f"{first} {first} {first}\n{second} {second} {second}"
        assert quiz.check(text, stepper).status == ("right" if right else "wrong"), text


def test_bad_text_and_a_bad_moment_raise_clear_errors():
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("forward", 1))
    with pytest.raises(ValueError, match="row 2 has 2 numbers but row 1 has 3"):
        quiz.check("1 2 3\n4 5", stepper)
    with pytest.raises(ValueError, match="nothing to read"):
        quiz.check("  ", stepper)
    with pytest.raises(ValueError, match="δ\\^1 is not computed by forward layer 1"):
        quiz.check("1", stepper, Target("delta^1", "δ^1"))
    early = PhaseQuiz.before(stepper)  # forward layer 2, not run yet
    with pytest.raises(ValueError, match="forward layer 2 of iteration 0: check it just after"):
        early.check("1 2 3\n4 5 6", stepper)


# --------------------------------------------------------------------- naming the mistake
def named(stepper: Stepper, phase: Phase, typed, target: Target | None = None,
          digits: int = 10) -> Prediction:
    quiz = quiz_on(stepper, phase)
    prediction = quiz.check(rows_text(typed, digits), stepper, target)
    assert prediction.status in ("wrong", "shape")
    return prediction


def test_seed_000_without_its_bias_is_the_bias_left_out():
    # n^1 without b^0: 0.8 + 0.4 = 1.2 and 0.3 + 0.3 = 0.6; σ(1.2), σ(0.6) as a learner types
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("forward", 1))
    text = ("| 0.7685248 | 0.7685248 | 0.7685248 |\n"
            "| 0.6456563 | 0.6456563 | 0.6456563 |")
    prediction = quiz.check(text, stepper)
    assert prediction.status == "wrong" and not prediction.correct.any()
    mistake = prediction.mistake
    assert isinstance(mistake, Mistake)
    assert (mistake.key, mistake.name, mistake.term) == ("bias_left_out", "the bias left out",
                                                         "b^0")
    assert "n^1 = a^0 W^0 + b^0" in mistake.formula
    assert "b^0" in mistake.explanation


def test_n_without_its_bias_is_the_bias_left_out():
    stepper = seed_stepper()
    prediction = named(stepper, Phase("forward", 1), [[1.2] * 3, [0.6] * 3],
                       Target("n^1", "n^1"))
    assert prediction.mistake.key == "bias_left_out"
    assert prediction.mistake.formula == "n^1 = a^0 W^0 + b^0"


def test_n_given_for_a_is_the_activation_not_applied():
    n2 = SEED.a[1] @ ONES_W[1] + ONES_B[1]  # n^2 of seed 000, given for a^2
    prediction = named(seed_stepper(), Phase("forward", 2), n2)
    assert prediction.mistake.key == "activation_not_applied"
    assert prediction.mistake.term == "σ(n^2)"


def test_a_in_place_of_the_derivative():
    a3 = SEED.a[3]
    delta = SEED.dcost_da_out * a3  # δ^3 = ∂C/∂a^3 ⊙ a^3 instead of ⊙ a^3 (1 − a^3)
    prediction = named(seed_stepper(), Phase("backward", 3), delta)
    assert prediction.mistake.key == "a_for_derivative"
    assert "a^3 (1 − a^3)" in prediction.mistake.formula
    # ∂a^3/∂n^3 given as a^3 itself, and ∂C/∂W^2 made from that δ
    target = Target("da^3/dn^3", "∂a^3/∂n^3")
    assert named(seed_stepper(), Phase("backward", 3), a3, target).mistake.key == (
        "a_for_derivative")
    gradient = SEED.a[2].T @ delta
    target = Target("dC/dW^2", "∂C/∂W^2")
    mistake = named(seed_stepper(), Phase("backward", 3), gradient, target).mistake
    assert mistake.key == "a_for_derivative" and "follows from" in mistake.explanation


def test_the_derivative_taken_at_a():
    a2 = SEED.a[2]
    slope = sigmoid(a2) * (1 - sigmoid(a2))  # σ′(a^2) instead of σ′(n^2)
    dcost_da2 = SEED.delta[3] @ ONES_W[2].T
    prediction = named(seed_stepper(), Phase("backward", 2), dcost_da2 * slope)
    assert prediction.mistake.key == "derivative_of_a"


def test_the_sign_of_a_minus_y():
    a3, y = SEED.a[3], SEED_000_TARGETS
    prediction = named(seed_stepper(), Phase("loss"), 2 * (y - a3), Target("dC/da^3", "∂C/∂a^3"))
    assert prediction.mistake.key == "sign_of_error"
    assert prediction.mistake.formula == "∂C/∂a^3 = 2 (a − y)"
    delta = 2 * (y - a3) * a3 * (1 - a3)
    assert named(seed_stepper(), Phase("backward", 3), delta).mistake.key == "sign_of_error"


def test_the_factor_2_of_sse():
    a3, y = SEED.a[3], SEED_000_TARGETS
    target = Target("dC/da^3", "∂C/∂a^3")
    prediction = named(seed_stepper(), Phase("loss"), a3 - y, target)
    assert prediction.mistake.key == "sse_factor_2"
    assert prediction.mistake.name == "the factor 2 of sse"
    half_cost = 0.5 * np.sum((a3 - y) ** 2)  # ½ Σ (a − y)²
    assert named(seed_stepper(), Phase("loss"), [[half_cost]]).mistake.key == "sse_factor_2"
    delta = (a3 - y) * a3 * (1 - a3)
    assert named(seed_stepper(), Phase("backward", 3), delta).mistake.key == "sse_factor_2"


def test_a_half_and_a_mean_put_in_sse():
    # three observations, so that 1/(2m) is neither ½ nor 1/m
    x = np.vstack([SEED_000_INPUTS, [[0.1, 0.9]]])
    y = np.vstack([SEED_000_TARGETS, [[0.5, 0.5]]])
    a3 = backprop(ONES_W, ONES_B, x, y, "sse").a[3]
    cost = np.sum((a3 - y) ** 2)

    def stepper():
        return Stepper(Network([2, 3, 3, 2], ["sigmoid"] * 3, theta=np.ones(29)), x, y,
                       TrainingConfig(learning_rate=RATE))

    assert named(stepper(), Phase("loss"), [[cost / 3]]).mistake.key == "mean_over_m"
    assert named(stepper(), Phase("loss"), [[cost / 6]]).mistake.key == "sse_factor_2"
    assert named(stepper(), Phase("loss"), [[cost / 2]]).mistake.key == "sse_factor_2"


def test_the_mean_of_mse_and_bce_left_out():
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, theta=np.ones(29))
    a3, y = SEED.a[3], SEED_000_TARGETS
    m, k = y.shape

    def stepper(loss):
        return Stepper(network.copy(), SEED_000_INPUTS, y, TrainingConfig(loss=loss))

    # mse: C = Σ (a − y)² / (m k); typed without the mean, the sum
    prediction = named(stepper("mse"), Phase("loss"), [[np.sum((a3 - y) ** 2)]])
    assert prediction.mistake.key == "mean_over_m" and prediction.mistake.term == "1/(m·k)"
    # mse's ∂C/∂a = 2 (a − y) / (m k), averaged over the observations only: 2 (a − y) / m
    prediction = named(stepper("mse"), Phase("loss"), 2 * (a3 - y) / m,
                       Target("dC/da^3", "∂C/∂a^3"))
    assert prediction.mistake.key == "mean_over_m"
    # bce: δ^3 = (a − y) / m; typed without the 1/m
    prediction = named(stepper("bce"), Phase("backward", 3), a3 - y)
    assert prediction.mistake.key == "mean_over_m" and prediction.mistake.term == "1/m"


def test_a_transposed_answer():
    stepper = seed_stepper()
    prediction = named(stepper, Phase("forward", 1), SEED.a[1].T)
    assert prediction.status == "shape"
    assert prediction.mistake.key == "transposed" and prediction.mistake.term == "a^1"
    new_w = ONES_W[2] - RATE * SEED.dW[2]
    prediction = named(seed_stepper(), Phase("update"), new_w.T)
    assert prediction.mistake.key == "transposed"


def test_a_product_with_a_transposed_operand():
    stepper = square_stepper()
    W, b = parameters(stepper.network)
    a = backprop(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse").a
    a2 = sigmoid(a[1] @ W[1].T + b[1])  # W^1 transposed in n^2 = a^1 W^1 + b^1
    prediction = named(stepper, Phase("forward", 2), a2)
    assert prediction.status == "wrong"
    assert prediction.mistake.key == "transposed" and prediction.mistake.term == "W^1"
    # backward: ∂C/∂a^1 = δ^2 W^1 instead of δ^2 (W^1)ᵀ
    stepper = square_stepper()
    result = backprop(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse")
    mistaken = result.delta[2] @ W[1]
    prediction = named(stepper, Phase("backward", 1), mistaken, Target("dC/da^1", "∂C/∂a^1"))
    assert prediction.mistake.key == "transposed"


def test_the_previous_layers_weights():
    stepper = square_stepper()
    W, b = parameters(stepper.network)
    result = backprop(W, b, SEED_000_INPUTS, SEED_000_TARGETS, "sse")
    a2 = sigmoid(result.a[1] @ W[0] + b[1])  # W^0 for W^1 in forward layer 2
    prediction = named(stepper, Phase("forward", 2), a2)
    assert prediction.mistake.key == "previous_weights"
    assert prediction.mistake.term == "W^1"
    # backward layer 1: ∂C/∂a^1 = δ^2 (W^0)ᵀ instead of δ^2 (W^1)ᵀ, and δ^1 from it
    dcost_da1 = result.delta[2] @ W[0].T
    delta1 = dcost_da1 * result.a[1] * (1 - result.a[1])
    prediction = named(square_stepper(), Phase("backward", 1), delta1)
    assert prediction.mistake.key == "previous_weights"
    assert "∂C/∂a^1 = δ^2 (W^1)ᵀ" in named(
        square_stepper(), Phase("backward", 1), dcost_da1,
        Target("dC/da^1", "∂C/∂a^1")).mistake.formula


def test_the_update_applied_before_the_gradient_was_complete():
    a2 = SEED.a[2]
    updated = ONES_W[2] - RATE * SEED.dW[2]  # W^2 after its update, too soon
    delta2 = (SEED.delta[3] @ updated.T) * a2 * (1 - a2)
    prediction = named(seed_stepper(), Phase("backward", 2), delta2)
    assert prediction.mistake.key == "update_too_soon"
    assert prediction.mistake.term == "W^2"
    # with momentum the update is not −η ∂C/∂W: the same numbers name nothing
    network = Network([2, 3, 3, 2], ["sigmoid"] * 3, theta=np.ones(29))
    momentum = Stepper(network, SEED_000_INPUTS, SEED_000_TARGETS,
                       TrainingConfig(optimizer="momentum", learning_rate=RATE))
    assert named(momentum, Phase("backward", 2), delta2).mistake is None


def test_numbers_no_mistake_fits_name_none():
    typed = np.array(SEED.a[1]) * 0.9
    assert named(seed_stepper(), Phase("forward", 1), typed).mistake is None
    assert named(seed_stepper(), Phase("loss"), [[SEED.cost + 1.0]]).mistake is None


def test_the_simplest_mistake_is_preferred():
    # seed 000 has m = 2 observations: (a − y) is both ∂C/∂a without its 2 and ∂C/∂a with a
    # 1/m added; the factor 2 is the simpler, and comes first
    a3, y = SEED.a[3], SEED_000_TARGETS
    prediction = named(seed_stepper(), Phase("loss"), a3 - y, Target("dC/da^3", "∂C/∂a^3"))
    assert prediction.mistake.key == "sse_factor_2"


def other_networks():
    """Networks the catalogue must cope with: no biases, softmax with cross-entropy (δ^L in
    closed form, softmax not element-wise), tanh and relu, Adam on mini-batches, the
    examples."""
    x = np.array([[0.8, 0.4], [0.3, 0.3], [0.1, 0.9]])
    one_hot = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    theta = np.random.default_rng(3).uniform(-1, 1, 200)

    def make(sizes, activations, bias, config):
        network = Network(sizes, activations, bias=bias)
        network.theta[...] = theta[:network.theta.size]
        return Stepper(network, x, one_hot, config)

    yield make([2, 3, 2], ["sigmoid", "sigmoid"], False, TrainingConfig())
    yield make([2, 2, 2], ["tanh", "softmax"], True, TrainingConfig(loss="cross_entropy"))
    yield make([2, 2, 2, 2], ["relu", "leaky_relu", "sigmoid"], True,
               TrainingConfig(loss="bce", optimizer="adam", batch_size=2, learning_rate=0.1))
    for name in ("xor.json", "seed-001-free.json"):
        yield fileformat.load(EXAMPLES / name).make_stepper()


def test_every_target_of_every_phase_is_checked_in_other_networks():
    # every target can be checked and searched for mistakes without an error, whatever the
    # network; the numbers taken as right are the engine's own here (the tests above check
    # them against the reference)
    for stepper in other_networks():
        for _ in range(len(stepper.phases)):
            quiz = PhaseQuiz.before(stepper)
            stepper.step_phase()
            for target in quiz.targets(stepper.network):
                right = quiz.check(numpy_literal(quiz.check("0", stepper, target).expected),
                                   stepper, target)
                assert right.status == "right", (quiz.phase, target)
                wrong = quiz.check(numpy_literal(right.expected + 0.37), stepper, target)
                assert wrong.status == "wrong" and not wrong.correct.any()
                transposed = right.expected.T
                if transposed.shape != right.expected.shape:
                    turned = quiz.check(numpy_literal(transposed), stepper, target)
                    assert turned.mistake.key == "transposed", (quiz.phase, target)


def test_without_biases_there_is_no_bias_to_leave_out():
    stepper = next(other_networks())  # 2-3-2, no biases
    network = stepper.network
    quiz = quiz_on(stepper, Phase("forward", 1))
    a1 = sigmoid(np.array([[0.8, 0.4], [0.3, 0.3], [0.1, 0.9]]) @ np.array(network.weights[0]))
    assert quiz.check(rows_text(a1), stepper).status == "right"
    prediction = quiz.check(rows_text(a1 + 0.1), stepper)
    assert prediction.status == "wrong" and prediction.mistake is None
    assert [t.key for t in quiz_on(stepper, Phase("update")).targets(network)] == [
        "W^1 new", "W^0 new"]


def test_the_shape_to_type_is_said_without_the_numbers():
    stepper = seed_stepper()
    quiz = quiz_on(stepper, Phase("forward", 1))
    text = quiz.shape_text(stepper, quiz.main_target(stepper.network))
    assert text == "2 rows (observations) × 3 columns (neurons of layer 1)"
    quiz = quiz_on(stepper, Phase("loss"))
    assert quiz.shape_text(stepper, quiz.main_target(stepper.network)) == "one number"
