"""Frozen parameters in the analyses: the gradient check, breakpoints, symmetry, the chain
rule, the matrices, the CLI's report; and half_sse in the mistakes catalogue.

Expected gradients are written out in numpy below (Mazur's 2-2-2 network, one observation),
never taken from the engine.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.analysis.breakpoints import Breakpoints, SymmetryChange, WeightCrosses
from engine.analysis.chain_rule import chain_rule
from engine.analysis.gradcheck import GradientCheck, gradient_check
from engine.analysis.matrices import phase_blocks
from engine.analysis.predict import PhaseQuiz
from engine.analysis.symmetry import distinct_counts_over_history, symmetry_groups
from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig
from engine.core.phases import Phase
from engine.core.stepper import Stepper
from engine.io.report import network_state
from engine.io.tables import state_text

W, B = ParameterAddress.weight, ParameterAddress.bias
X, Y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
MAZUR_BIASES = ("b^0_0", "b^0_1", "b^1_0", "b^1_1")


def sigmoid(n):
    return 1.0 / (1.0 + np.exp(-n))


def mazur(frozen=MAZUR_BIASES, loss="half_sse") -> Stepper:
    network = Network([2, 2, 2], ["sigmoid", "sigmoid"])
    network.weights[0][...] = [[0.15, 0.25], [0.20, 0.30]]
    network.biases[0][...] = 0.35
    network.weights[1][...] = [[0.40, 0.50], [0.45, 0.55]]
    network.biases[1][...] = 0.60
    return Stepper(network, X, Y, TrainingConfig(loss=loss, learning_rate=0.5, frozen=frozen))


def mazur_gradients():
    """∂E/∂W^l, ∂E/∂b^l of E = ½ Σ (a − y)², by hand."""
    W0, W1 = np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])
    h = sigmoid(X @ W0 + 0.35)
    out = sigmoid(h @ W1 + 0.60)
    d2 = (out - Y) * out * (1 - out)
    d1 = (d2 @ W1.T) * h * (1 - h)
    return [X.T @ d1, h.T @ d2], [d1.sum(axis=0), d2.sum(axis=0)]


# ------------------------------------------------------------------- gradient check
def test_the_gradient_check_checks_frozen_parameters_and_says_so():
    stepper = mazur()
    check = gradient_check(stepper)
    assert check.max_relative_error < 1e-8
    gW, gb = mazur_gradients()
    by_address = dict(zip(check.addresses, check.backprop, strict=True))
    assert by_address[B(1, 0)] == pytest.approx(gb[1][0], rel=1e-12)  # ∂E/∂b2 … frozen
    assert by_address[W(1, 0, 0)] == pytest.approx(gW[1][0, 0], rel=1e-12)  # ∂E/∂w5
    frozen_rows = [k for k, a in enumerate(check.addresses) if check.is_frozen(k)]
    assert [str(check.addresses[k]) for k in frozen_rows] == list(MAZUR_BIASES)
    assert check.frozen_count == 4
    # a frozen row's gradient is not 0: the check has something to compare
    assert all(abs(check.numeric[k]) > 1e-3 for k in frozen_rows)
    assert "frozen" in check.row_note(frozen_rows[0])
    assert check.row_note(0) == ""  # w^0_{0,0}, free
    summary = check.summary()
    assert summary.startswith("All 12 parameters agree")
    assert "4 of them are frozen" in summary


def test_a_gradient_check_in_slices_keeps_the_frozen_rows():
    stepper = mazur(frozen=("b^1_1",))
    parts = [gradient_check(stepper, indices=np.arange(0, 5)),
             gradient_check(stepper, indices=np.arange(5, 12))]
    assert parts[0].frozen is None or not parts[0].frozen.any()
    whole = GradientCheck.joined(parts)
    assert len(whole.addresses) == 12 and whole.frozen_count == 1
    assert str(whole.addresses[int(np.flatnonzero(whole.frozen)[0])]) == "b^1_1"
    assert "1 of them is frozen" in whole.summary()
    assert gradient_check(mazur(frozen=())).frozen is None
    assert "frozen" not in gradient_check(mazur(frozen=())).summary()


# -------------------------------------------------------------------------- breakpoints
def test_a_crossing_on_a_frozen_parameter_is_skipped_saying_why():
    stepper = mazur()
    watch = WeightCrosses(B(1, 0), 0.5)  # b^1_0 = 0.6 would fall below 0.5 if it moved
    breakpoints = Breakpoints([watch])
    skipped = breakpoints.start(stepper)
    assert len(skipped) == 1 and "b^1_0 is frozen" in skipped[0]
    assert stepper.run(200, until=breakpoints.until) == 200
    assert breakpoints.hit is None


def test_the_same_crossing_fires_once_the_parameter_is_free():
    stepper = mazur(frozen=())
    breakpoints = Breakpoints([WeightCrosses(B(1, 0), 0.5)])
    assert breakpoints.start(stepper) == []
    ran = stepper.run(200, until=breakpoints.until)
    assert ran < 200 and breakpoints.hit is not None
    assert "b^1_0 crossed 0.5" in breakpoints.hit.message


def twins(frozen=()) -> Stepper:
    """A 2-2-1 sigmoid network whose hidden neurons are identical (same incoming weights,
    bias and outgoing weight): interchangeable unless frozen differently."""
    network = Network([2, 2, 1], ["sigmoid", "sigmoid"])
    network.weights[0][...] = [[0.3, 0.3], [-0.2, -0.2]]
    network.biases[0][...] = 0.5
    network.weights[1][...] = [[0.7], [0.7]]
    network.biases[1][...] = 0.1
    inputs = [[1.0, 2.0], [2.0, -1.0], [-1.5, 0.5]]
    return Stepper(network, inputs, [[1.0], [0.0], [1.0]],
                   TrainingConfig(learning_rate=0.5, frozen=frozen))


def test_neurons_frozen_differently_are_not_interchangeable_and_do_come_apart():
    alike, apart = twins(("b^0_0", "b^0_1")), twins(("b^0_0",))
    assert symmetry_groups(alike.network, frozen=alike.config.frozen)[1] == [[0, 1]]
    # the same numbers; only the frozen status of b^0_0 and b^0_1 differs
    assert np.array_equal(alike.network.theta, apart.network.theta)
    assert symmetry_groups(apart.network)[1] == [[0, 1]]  # by value alone: one group
    assert symmetry_groups(apart.network, frozen=apart.config.frozen)[1] == [[0], [1]]
    alike.run(20)
    apart.run(20)
    h_alike = alike.evaluate(full=True).activations[1]
    h_apart = apart.evaluate(full=True).activations[1]
    assert np.array_equal(h_alike[:, 0], h_alike[:, 1])  # frozen alike: identical for ever
    assert np.max(np.abs(h_apart[:, 0] - h_apart[:, 1])) > 1e-4  # the symmetry broke
    assert symmetry_groups(alike.network, frozen=alike.config.frozen)[1] == [[0, 1]]
    # the CLI's report groups with the frozen set
    assert network_state(twins(("b^0_0",)))["symmetry"][1] == [[0], [1]]
    assert network_state(twins(("b^0_0", "b^0_1")))["symmetry"][1] == [[0, 1]]


def test_distinct_counts_over_history_with_the_frozen_set():
    stepper = twins(("b^0_1",))
    snapshot = stepper.network.theta[np.newaxis, :]
    assert distinct_counts_over_history(stepper.network, snapshot).tolist() == [[1, 1]]
    assert distinct_counts_over_history(stepper.network, snapshot,
                                        frozen=stepper.config.frozen).tolist() == [[2, 1]]


@pytest.mark.parametrize("budget", [200_000, 0])  # paired up, or regrouped each check
def test_a_symmetry_breakpoint_sees_the_frozen_groups(budget, monkeypatch):
    monkeypatch.setattr(SymmetryChange, "PAIR_BUDGET", budget)
    # frozen differently: two groups from the start, so their parting changes nothing
    apart = twins(("b^0_0",))
    breakpoints = Breakpoints([SymmetryChange(1)])
    breakpoints.start(apart)
    assert apart.run(20, until=breakpoints.until) == 20 and breakpoints.hit is None
    # frozen alike: one group that never breaks
    alike = twins(("b^0_0", "b^0_1"))
    breakpoints = Breakpoints([SymmetryChange(1)])
    breakpoints.start(alike)
    assert alike.run(20, until=breakpoints.until) == 20 and breakpoints.hit is None
    # by value alone the parting is a change (one group, then two): what a breakpoint that
    # ignored the frozen set would have stopped at, in the first iteration
    assert symmetry_groups(apart.network)[1] == [[0], [1]]
    fresh = twins(("b^0_0",))
    assert symmetry_groups(fresh.network)[1] == [[0, 1]]
    fresh.run(1)
    assert symmetry_groups(fresh.network)[1] == [[0], [1]]


def test_a_symmetry_breakpoint_reads_the_frozen_set_when_a_run_starts():
    """Frozen alike, then one bias unfrozen between runs: the next run's baseline already
    has two groups (the frozen set is read at start), so their parting is no hit."""
    stepper = twins(("b^0_0", "b^0_1"))
    breakpoints = Breakpoints([SymmetryChange(1)])
    breakpoints.start(stepper)
    assert stepper.run(5, until=breakpoints.until) == 5 and breakpoints.hit is None
    stepper.set_config(stepper.config.with_changes(frozen=("b^0_0",)))
    breakpoints.start(stepper)
    assert breakpoints.items[0]._groups[1] == [[0], [1]]
    assert stepper.run(5, until=breakpoints.until) == 5 and breakpoints.hit is None


# -------------------------------------------------------------- chain rule and matrices
def test_the_chain_rule_of_a_frozen_bias_shows_its_gradient_and_says_it_stays():
    stepper = mazur()
    trace = stepper.evaluate(full=True)
    gW, gb = mazur_gradients()
    rule = chain_rule(stepper.network, trace, B(1, 0), loss=stepper.loss,
                      frozen=stepper.config.frozen)
    assert rule.frozen
    assert rule.total == pytest.approx(gb[1][0], rel=1e-12) and abs(rule.total) > 0.1
    assert rule.update_note.startswith("b^1_0 (b3) is frozen: the update leaves it")
    assert "is computed and shown all the same" in rule.update_note
    assert rule.update_note in rule.notes
    free = chain_rule(stepper.network, trace, W(1, 0, 0), loss=stepper.loss,
                      frozen=stepper.config.frozen)
    assert not free.frozen and free.update_note is None
    # ∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5, Mazur's 0.082167041
    assert free.total == pytest.approx(0.082167041, abs=5e-10)
    assert len(free.paths[0]) == 3
    assert free.plain_name == "w5" and not any("frozen" in note for note in free.notes)


def test_the_updates_matrices_mark_the_frozen_cells():
    stepper = mazur(frozen=("b^1_0", "w^0_{1,1}"))
    for _ in stepper.phases:
        stepper.step_phase()
    blocks = phase_blocks(stepper.network, stepper.trace, Phase("update"), "half_sse",
                          stepper.config.frozen)
    titles = [b.title for b in blocks]
    # layer 0: [∂C/∂b^0; ∂C/∂W^0] and [b^0; W^0]; w^0_{1,1} is row 2 (after the bias row)
    gradient, parameters = blocks[0], blocks[1]
    assert "frozen (w^0_{1,1}): computed all the same" in gradient.title
    assert "frozen (w^0_{1,1}): kept as they were" in parameters.title
    expected = np.zeros((3, 2), bool)
    expected[2, 1] = True
    assert np.array_equal(parameters.frozen, expected)
    assert parameters.result[2, 1] == 0.30  # w4 as it was
    gW, _ = mazur_gradients()
    assert gradient.result[2, 1] == pytest.approx(gW[0][1, 1], rel=1e-12) != 0
    layer_1 = blocks[3]
    assert layer_1.frozen[0, 0] and layer_1.frozen.sum() == 1 and "b^1_0" in layer_1.title
    assert all("frozen" not in t for t in [b.title for b in phase_blocks(
        stepper.network, stepper.trace, Phase("update"), "half_sse")])
    assert len(titles) == 4


# ----------------------------------------------------------------------------- the CLI
def test_the_cli_text_names_the_frozen_parameters_and_the_loss_formula():
    stepper = mazur()
    text = state_text(network_state(stepper), stepper.network.activation_names, "half_sse")
    assert "half_sse: C = ½ Σ (a − y)²" in text
    assert ("frozen (their gradient computed, the update leaves them as they are): "
            "b^0_0, b^0_1, b^1_0, b^1_1") in text
    plain = mazur(frozen=())
    assert "frozen" not in state_text(network_state(plain), plain.network.activation_names,
                                      "half_sse")
    assert "frozen" not in network_state(plain)


# ------------------------------------------------------------- half_sse's mistakes
def quiz_after(stepper: Stepper, phase: Phase) -> PhaseQuiz:
    while stepper.next_phase != phase:
        stepper.step_phase()
    quiz = PhaseQuiz.before(stepper)
    stepper.step_phase()
    return quiz


def rows_text(matrix) -> str:
    return "\n".join(" ".join(f"{v:.10g}" for v in row) for row in np.atleast_2d(matrix))


def mazur_out():
    W0, W1 = np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])
    return sigmoid(sigmoid(X @ W0 + 0.35) @ W1 + 0.60)


def test_half_sse_a_2_put_in_dC_da_is_named_as_the_half():
    out = mazur_out()
    stepper = mazur()
    quiz = quiz_after(stepper, Phase("loss"))
    target = next(t for t in quiz.targets(stepper.network) if t.key == "dC/da^2")
    right = quiz.check(rows_text(out - Y), stepper, target)
    assert right.status == "right"
    wrong = quiz.check(rows_text(2 * (out - Y)), stepper, target)  # sse's habit
    assert wrong.status == "wrong"
    assert wrong.mistake.key == "sse_factor_2"
    assert wrong.mistake.name == "the ½ of half_sse"
    assert "a − y" in wrong.mistake.formula
    flipped = quiz.check(rows_text(Y - out), stepper, target)
    assert flipped.mistake.key == "sign_of_error"


def test_half_sse_the_half_forgotten_in_E_is_named():
    out = mazur_out()
    stepper = mazur()
    quiz = quiz_after(stepper, Phase("loss"))
    full = float(np.sum((out - Y) ** 2))  # Σ (a − y)², without the ½: 0.596742…
    prediction = quiz.check(rows_text([[full]]), stepper)
    assert prediction.status == "wrong"
    assert prediction.mistake.key == "sse_factor_2"
    assert prediction.mistake.name == "the ½ of half_sse"
    assert "C = ½ Σ (a − y)²" in prediction.mistake.formula
    assert quiz.check(rows_text([[0.5 * full]]), stepper).status == "right"


def test_half_sse_delta_with_the_2_is_named_and_sse_keeps_its_own_name():
    out = mazur_out()
    delta = (out - Y) * out * (1 - out)
    stepper = mazur()
    quiz = quiz_after(stepper, Phase("backward", 2))
    target = next(t for t in quiz.targets(stepper.network) if t.key == "delta^2")
    prediction = quiz.check(rows_text(2 * delta), stepper, target)
    assert prediction.mistake.name == "the ½ of half_sse"
    # under sse the same network's mistake is the other way round: (a − y) for 2 (a − y)
    sse = mazur(loss="sse")
    quiz = quiz_after(sse, Phase("backward", 2))
    target = next(t for t in quiz.targets(sse.network) if t.key == "delta^2")
    prediction = quiz.check(rows_text(delta), sse, target)
    assert prediction.mistake.key == "sse_factor_2"
    assert prediction.mistake.name == "the factor 2 of sse"


def test_a_frozen_bias_updated_all_the_same_is_named():
    _, gb = mazur_gradients()
    stepper = mazur()
    quiz = quiz_after(stepper, Phase("update"))
    target = next(t for t in quiz.targets(stepper.network) if t.key == "b^1 new")
    assert quiz.check(rows_text([[0.6, 0.6]]), stepper, target).status == "right"
    moved = 0.6 - 0.5 * gb[1]  # b^1 − η ∂E/∂b^1, as if it were free: 0.530750…, 0.5…
    prediction = quiz.check(rows_text([moved]), stepper, target)
    assert prediction.status == "wrong"
    assert prediction.mistake.key == "frozen_updated"
    assert prediction.mistake.name == "a frozen parameter updated"
    assert prediction.mistake.term == "b^1_0, b^1_1"
    assert "frozen, kept as they are: b^1_0, b^1_1" in prediction.mistake.formula
    # the weights are free: their update is right as Mazur printed it (w5 … w8)
    target = next(t for t in quiz.targets(stepper.network) if t.key == "W^1 new")
    typed = [[0.35891648, 0.511301270], [0.408666186, 0.561370121]]
    assert quiz.check(rows_text(typed), stepper, target).status == "right"
