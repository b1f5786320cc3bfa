"""engine.matrices: the matrix view's blocks, checked against seed 000's printed numbers, the
fingerprint of symmetry, and the three copy formats."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from paths import DATA, EXAMPLES

from engine.analysis.matrices import (
    MatrixBlock,
    as_latex,
    as_numpy,
    as_text,
    block_text,
    identical_columns,
    identical_rows,
    phase_blocks,
)
from engine.core.network import Network
from engine.core.optimizers import TrainingConfig
from engine.core.phases import Phase
from engine.io import fileformat
from engine.io.fileformat import Document
from engine.io.report import network_state
from engine.io.tables import state_text

EXAMPLES = EXAMPLES
REFERENCE = json.loads(
    (DATA / "seed-000-first-iteration.json").read_text())
TOLERANCE = REFERENCE["tolerance"]


def stepper_of(name: str):
    return fileformat.load(EXAMPLES / name).make_stepper()


def blocks_by_phase(stepper) -> dict[Phase, list[MatrixBlock]]:
    """Step one whole iteration phase by phase; the blocks of each phase right after it."""
    shown = {}
    while True:
        phase = stepper.step_phase()
        shown[phase] = phase_blocks(stepper.network, stepper.trace, phase, stepper.config.loss)
        if stepper.phase == 0:
            return shown


def block(blocks: list[MatrixBlock], title_start: str) -> MatrixBlock:
    found = [b for b in blocks if b.title.startswith(title_start)]
    assert len(found) == 1, f"{title_start!r} in {[b.title for b in blocks]}"
    return found[0]


def assert_printed(actual, expected) -> None:
    actual, expected = np.asarray(actual), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE)


# ---------------------------------------------------------------------- seed 000's numbers
def test_each_phase_of_seed_000_shows_the_seeds_printed_matrices():
    shown = blocks_by_phase(stepper_of("seed-000.json"))
    forward_1 = shown[Phase("forward", 1)]
    assert [b.title for b in forward_1] == ["n^1 = [1 | a^0] × [b^0; W^0]", "a^1 = σ(n^1)"]
    product = forward_1[0]
    assert product.kind == "product"
    # [1 | a^0] is the inputs with a leading column of ones; [b^0; W^0] is all ones
    assert_printed(product.left, [[1.0, 0.8, 0.4], [1.0, 0.3, 0.3]])
    assert_printed(product.right, np.ones((3, 3)))
    assert_printed(product.result, REFERENCE["pre_activation_layer_1"])
    assert_printed(forward_1[1].result, REFERENCE["activation_layer_1"])
    assert_printed(block(shown[Phase("forward", 2)], "a^2 =").result,
                   REFERENCE["activation_layer_2"])
    assert_printed(block(shown[Phase("forward", 3)], "a^3 =").result,
                   REFERENCE["activation_layer_3"])

    loss = shown[Phase("loss")]
    assert_printed(block(loss, "a^3").result, REFERENCE["activation_layer_3"])
    assert_printed(block(loss, "y ").result, REFERENCE["data"]["targets"])
    assert_printed(block(loss, "∂C/∂a^3").result, REFERENCE["dcost_dactivation_layer_3"])
    # C = Σ (a − y)² from the seed's printed outputs and targets
    a3, y = np.array(REFERENCE["activation_layer_3"]), np.array(REFERENCE["data"]["targets"])
    assert block(loss, "C =").result[0, 0] == pytest.approx(np.sum((a3 - y) ** 2), abs=1e-6)

    backward_3 = shown[Phase("backward", 3)]
    assert_printed(block(backward_3, "∂C/∂a^3").result, REFERENCE["dcost_dactivation_layer_3"])
    assert_printed(block(backward_3, "∂a^3/∂n^3").result, REFERENCE["dactivation_dpre_layer_3"])
    delta = block(backward_3, "δ^3")
    assert delta.kind == "elementwise"
    assert_printed(delta.left, REFERENCE["dcost_dactivation_layer_3"])
    assert_printed(delta.right, REFERENCE["dactivation_dpre_layer_3"])
    assert_printed(delta.result, REFERENCE["delta_layer_3"])
    gradient = block(backward_3, "[∂C/∂b^2; ∂C/∂W^2] = [1 | a^2]ᵀ × δ^3")
    assert gradient.kind == "product"
    assert_printed(gradient.left[1:], np.array(REFERENCE["activation_layer_2"]).T)
    assert_printed(gradient.right, REFERENCE["delta_layer_3"])
    assert_printed(gradient.result, REFERENCE["weight_gradient_2_augmented"]["value"])


def test_hidden_layers_show_the_chain_from_the_layer_above():
    shown = blocks_by_phase(stepper_of("seed-000.json"))
    titles = [b.title for b in shown[Phase("backward", 2)]]
    assert titles[0] == "∂C/∂a^2 = δ^3 × (W^2)ᵀ"
    assert titles[1:3] == ["∂a^2/∂n^2 = σ'(n^2)", "δ^2 = ∂C/∂a^2 ⊙ ∂a^2/∂n^2"]
    chain = shown[Phase("backward", 2)][0]
    # ∂C/∂a^2_j = Σ_k δ^3_k w^2_{j,k} with every w = 1: the row sums of the seed's δ^3
    row_sums = np.array(REFERENCE["delta_layer_3"]).sum(axis=1, keepdims=True)
    assert_printed(chain.result, np.repeat(row_sums, 3, axis=1))
    assert_printed(chain.left, REFERENCE["delta_layer_3"])
    assert chain.right.shape == (2, 3)


def test_every_shown_product_and_elementwise_block_adds_up():
    """The operands shown give the result shown (for a random network without biases too)."""
    network = Network([3, 4, 2], ["tanh", "sigmoid"], bias=False)
    network.theta[...] = np.random.default_rng(3).uniform(-1, 1, network.theta.size)
    document = Document(network, [[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]], [[0, 1], [1, 0]],
                        TrainingConfig(loss="sse"))
    for phases in (blocks_by_phase(document.make_stepper()),
                   blocks_by_phase(stepper_of("seed-000-random.json"))):
        counted = 0
        for blocks in phases.values():
            for b in blocks:
                if b.kind == "product":
                    np.testing.assert_allclose(b.left @ b.right, b.result, atol=1e-14)
                    counted += 1
                elif b.kind == "elementwise":
                    np.testing.assert_allclose(b.left * b.right, b.result, atol=1e-15)
                    counted += 1
        assert counted >= 6
    titles = [b.title for b in phase_blocks(network, document.make_stepper().evaluate(),
                                            None, "sse")]
    assert "n^1 = a^0 × W^0" in titles
    assert "∂C/∂W^0 = (a^0)ᵀ × δ^1  (summed over the observations)" in titles


def test_blocks_not_computed_yet_are_left_out():
    stepper = stepper_of("seed-000.json")
    stepper.step_phase()  # forward 1 only
    trace, network = stepper.trace, stepper.network
    assert phase_blocks(network, trace, Phase("backward", 3), "sse") == []
    assert phase_blocks(network, trace, Phase("forward", 2), "sse") == []
    assert phase_blocks(network, trace, Phase("loss"), "sse") == []
    whole = phase_blocks(network, trace, None, "sse")
    assert [b.title for b in whole] == ["n^1 = [1 | a^0] × [b^0; W^0]", "a^1 = σ(n^1)"]


def test_whole_iteration_in_order_with_the_clis_titles():
    stepper = stepper_of("seed-000.json")
    blocks = phase_blocks(stepper.network, stepper.evaluate(), None, "sse")
    titles = [b.title for b in blocks]
    assert titles.index("a^3 = σ(n^3)") < titles.index("∂C/∂a^3  (sse: ∂C/∂a = 2 (a − y), "
                                                       "a = a^3)") < titles.index(
        "δ^3 = ∂C/∂a^3 ⊙ ∂a^3/∂n^3") < titles.index("δ^1 = ∂C/∂a^1 ⊙ ∂a^1/∂n^1")
    assert len(titles) == len(set(titles)), "∂C/∂a^L is shown once"
    # every title the CLI prints for the trace is among the view's titles
    text = state_text(network_state(stepper, trace=True), stepper.network.activation_names,
                      "sse")
    traced = text[text.index("== Forward"):text.index("== Outputs")].splitlines()
    cli_titles = [line for line in traced if line.startswith(("n^", "a^", "∂", "δ", "[∂"))]
    # forward: n, a per layer; backward: ∂C/∂a, ∂a/∂n, δ, gradient per layer
    assert len(cli_titles) == 2 * 3 + 4 * 3
    assert set(cli_titles) <= set(titles)


def test_update_phase_shows_the_gradient_and_the_parameters_now():
    stepper = stepper_of("seed-000.json")
    shown = blocks_by_phase(stepper)
    update = shown[Phase("update")]
    assert [b.title for b in update][:2] == ["[∂C/∂b^0; ∂C/∂W^0]  (the gradient of this iteration)",
                                             "[b^0; W^0]  (the parameters now)"]
    gradient_2 = block(update, "[∂C/∂b^2; ∂C/∂W^2]")
    parameters_2 = block(update, "[b^2; W^2]")
    assert_printed(gradient_2.result, REFERENCE["weight_gradient_2_augmented"]["value"])
    # gd with η = 0.5 from all ones: θ = 1 − 0.5 ∂C/∂θ
    expected = 1.0 - 0.5 * np.array(REFERENCE["weight_gradient_2_augmented"]["value"])
    assert_printed(parameters_2.result, expected)


def test_softmax_delta_is_not_shown_as_an_elementwise_product():
    network = Network([2, 3], ["softmax"], bias=True)
    network.theta[...] = np.linspace(-1, 1, network.theta.size)
    document = Document(network, [[0.5, -0.5]], [[0, 1, 0]],
                        TrainingConfig(loss="cross_entropy"))
    blocks = blocks_by_phase(document.make_stepper())[Phase("backward", 1)]
    delta = block(blocks, "δ^1")
    assert delta.kind == "matrix"
    assert "closed form" in delta.title


# --------------------------------------------------------------- the fingerprint of symmetry
def test_identical_columns_of_a1_on_seed_000_and_none_on_the_random_seed():
    a1 = block(blocks_by_phase(stepper_of("seed-000.json"))[Phase("forward", 1)], "a^1").result
    assert identical_columns(a1) == [[0, 1, 2]]
    assert identical_rows(a1) == []
    random_blocks = blocks_by_phase(stepper_of("seed-000-random.json"))
    for blocks in random_blocks.values():
        for b in blocks:
            if b.title.startswith(("a^", "n^", "δ")):
                assert identical_columns(b.result) == [], b.title


def test_identical_rows_of_the_weight_gradients_on_seed_000():
    shown = blocks_by_phase(stepper_of("seed-000.json"))
    for phase, k in ((Phase("backward", 3), 2), (Phase("backward", 2), 1)):
        gradient = block(shown[phase], f"[∂C/∂b^{k}; ∂C/∂W^{k}]").result
        # rows 1…3: the weights leaving the three interchangeable neurons of layer k
        assert identical_rows(gradient) == [[1, 2, 3]]
    random_update = blocks_by_phase(stepper_of("seed-000-random.json"))[Phase("update")]
    for k in range(3):
        assert identical_rows(block(random_update, f"[∂C/∂b^{k}; ∂C/∂W^{k}]").result) == []


def test_identical_groups_tolerance_and_special_values():
    matrix = np.array([[1.0, 2.0, 1.0, 2.0 + 1e-9, 1.0],
                       [np.inf, np.nan, np.inf, np.nan, np.inf]])
    assert identical_columns(matrix) == [[0, 2, 4]]
    assert identical_columns(matrix, rtol=1e-6) == [[0, 2, 4], [1, 3]]
    assert identical_rows(np.array([[0.0, 1.0], [0.0, 1.0 + 1e-13], [0.0, -1.0]])) == [[0, 1]]
    with pytest.raises(ValueError, match="2-D"):
        identical_rows([1.0, 2.0])


# --------------------------------------------------------------------------- copy formats
def parse_numpy_literal(text: str) -> np.ndarray:
    """Read as_numpy's text without evaluating it: the list inside np.array(...) as JSON."""
    assert text.startswith("np.array(") and text.endswith(")")
    inner = text[len("np.array("):-1]
    inner = (inner.replace("-np.inf", "-Infinity").replace("np.inf", "Infinity")
             .replace("np.nan", "NaN"))
    return np.array(json.loads(inner), dtype=float)


def test_as_numpy_round_trips_exactly():
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((4, 3)) * 10.0 ** rng.integers(-300, 300, (4, 3))
    matrix[0, 0], matrix[0, 1], matrix[0, 2] = 1 / 3, -0.0, 0.1 + 0.2
    text = as_numpy(matrix)
    back = parse_numpy_literal(text)
    assert back.tobytes() == matrix.tobytes()  # every bit, the sign of −0.0 too
    assert text == "np.array(" + repr(matrix.tolist()) + ")"
    assert as_numpy([[1.0, -2.5]]) == "np.array([[1.0, -2.5]])"
    special = np.array([[np.inf, -np.inf, np.nan]])
    assert as_numpy(special) == "np.array([[np.inf, -np.inf, np.nan]])"
    back = parse_numpy_literal(as_numpy(special))
    assert np.array_equal(back, special, equal_nan=True)
    assert as_numpy(np.array([0.5, 2.0])) == "np.array([0.5, 2.0])"


def test_as_latex_of_a_hand_written_matrix():
    matrix = [[1.0, 0.5], [-2.25, math.inf]]
    assert as_latex(matrix) == r"\begin{bmatrix} 1 & 0.5 \\ -2.25 & \infty \end{bmatrix}"
    assert as_latex([[0.123456789, -math.inf]]) == \
        r"\begin{bmatrix} 0.1234568 & -\infty \end{bmatrix}"


def parse_pipe_table(text: str) -> np.ndarray:
    rows = []
    for line in text.splitlines():
        assert line.startswith("| ") and line.endswith(" |"), line
        rows.append([float(cell) for cell in line[1:-1].split()])
    return np.array(rows)


def test_as_text_is_the_seeds_table_and_reads_back_to_its_precision():
    a1 = np.array(REFERENCE["activation_layer_1"])
    assert as_text(a1) == ("| 0.9002495   0.9002495   0.9002495 |\n"
                           "| 0.8320184   0.8320184   0.8320184 |")
    matrix = np.random.default_rng(1).uniform(-5, 5, (3, 4))
    np.testing.assert_allclose(parse_pipe_table(as_text(matrix)), matrix, rtol=0, atol=5e-8)


def test_block_text_is_the_clis_product_table():
    stepper = stepper_of("seed-000.json")
    stepper.step_phase()
    product = phase_blocks(stepper.network, stepper.trace, Phase("forward", 1), "sse")[0]
    assert block_text(product) == (
        "n^1 = [1 | a^0] × [b^0; W^0]\n"
        "                |   1 |   1 |   1 |\n"
        "                |   1 |   1 |   1 |\n"
        "                |   1 |   1 |   1 |\n"
        "| 1   0.8   0.4 | 2.2 | 2.2 | 2.2 |\n"
        "| 1   0.3   0.3 | 1.6 | 1.6 | 1.6 |\n")


def test_a_block_checks_its_kind_and_operands():
    with pytest.raises(ValueError, match="kind"):
        MatrixBlock("x", np.zeros((1, 1)), kind="sum")
    with pytest.raises(ValueError, match="two operands"):
        MatrixBlock("x", np.zeros((1, 1)), left=np.zeros((1, 1)), kind="product")


def brute_force_groups(rows: np.ndarray, rtol: float, atol: float) -> list[list[int]]:
    groups, used = [], set()
    for i in range(len(rows)):
        if i in used:
            continue
        members = [k for k in range(i + 1, len(rows)) if k not in used and all(
            abs(u - v) <= atol + rtol * max(abs(u), abs(v))
            for u, v in zip(rows[i], rows[k], strict=True))]
        if members:
            used.update(members)
            groups.append([i, *members])
    return groups


@pytest.mark.parametrize("seed", range(6))
def test_many_rows_with_planted_duplicates_match_a_brute_force_search(seed):
    rng = np.random.default_rng(seed)
    rows = rng.standard_normal((40, 6)) * 10.0 ** rng.integers(-3, 4)
    for target, source in rng.integers(0, 40, (8, 2)):
        rows[target] = rows[source] * (1 + rng.choice([0.0, 1e-14, 1e-6]))
    for rtol in (1e-12, 1e-5):
        expected = brute_force_groups(rows, rtol, 1e-12)
        assert identical_rows(rows, rtol=rtol) == expected
        assert identical_columns(rows.T, rtol=rtol) == expected
    assert identical_rows(rng.standard_normal((100, 3))) == []
