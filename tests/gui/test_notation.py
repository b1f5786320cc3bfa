"""gui/notation.py's typesetting (issue 14, point 12): the seeds' ASCII notation with real
superscripts and subscripts for the window, the engine's own texts left in ASCII."""

from __future__ import annotations

import pytest
from gui_helpers import SEED_000, SEED_001_FREE, W5

from engine.core.network import ParameterAddress
from engine.io import fileformat
from gui.notation import parameter_label, short_parameter_name, typeset


@pytest.mark.parametrize(("ascii_text", "shown"), [
    ("w^1_{0,0}", "w¹₀,₀"),  # the issue's own examples
    ("n^1", "n¹"),
    ("a^0", "a⁰"),
    ("∂C/∂W^2", "∂C/∂W²"),
    ("[∂C/∂b^2; ∂C/∂W^2] = [1 | a^2]ᵀ × δ^3", "[∂C/∂b²; ∂C/∂W²] = [1 | a²]ᵀ × δ³"),
    ("∂a^3_1/∂n^3_1", "∂a³₁/∂n³₁"),
    ("b^0_12", "b⁰₁₂"),
    ("w^{10}_{12,3}", "w¹⁰₁₂,₃"),
    ("∂C/∂a^{l+1}", "∂C/∂aˡ⁺¹"),
    ("x_0", "x₀"),
    ("C = Σ (a − y)^2", "C = Σ (a − y)²"),
])
def test_the_notation_is_typeset(ascii_text, shown):
    assert typeset(ascii_text) == shown


@pytest.mark.parametrize("text", ["cross_entropy", "leaky_relu(n)", "seed 001", "a^{x}",
                                  "1e-3", "iteration 40"])
def test_what_is_not_notation_stays_as_written(text):
    assert typeset(text) == text


def test_parameter_names_for_the_window_and_for_undo_texts():
    seed_001 = fileformat.load(SEED_001_FREE).network
    assert parameter_label(seed_001, W5) == "w¹₀,₀ (w5)"
    assert short_parameter_name(seed_001, W5) == "w5"  # seed 001 names its six weights
    seed_000 = fileformat.load(SEED_000).network  # 21 weights: no plain names
    address = ParameterAddress.weight(1, 0, 2)
    assert parameter_label(seed_000, address) == "w¹₀,₂"
    assert short_parameter_name(seed_000, address) == "w¹₀,₂"
    assert short_parameter_name(seed_000, ParameterAddress.bias(2, 1)) == "b²₁"


def test_the_graphs_tooltips_are_typeset():
    from gui.notation import neuron_tooltip, parameter_tooltip

    stepper = fileformat.load(SEED_001_FREE).make_stepper()
    trace = stepper.evaluate()
    tip = parameter_tooltip(stepper.network, trace, W5)
    assert tip.startswith("w¹₀,₀ (w5): weight from neuron 0 of layer 1")
    assert "∂C/∂w¹₀,₀ = " in tip and "^" not in tip
    tip = neuron_tooltip(stepper.network, trace, 1, 0, [0])
    assert "n¹₀ per observation: " in tip and "a¹₀ per observation: " in tip
    assert "δ¹₀ per observation: " in tip and "^" not in tip


def test_a_float32_weights_tooltip_shows_it_as_pytorch_prints_it():
    """In a float32 run the tooltip's value is float32's shortest text (0.1), not the 9
    digits of the float64 that holds it (0.100000001); a float64 run keeps 9 digits."""
    from gui.notation import parameter_tooltip

    stepper = fileformat.load(SEED_001_FREE).make_stepper()
    stepper.set_values([W5], [0.1])
    assert "value = 0.1\n" in parameter_tooltip(stepper.network, stepper.evaluate(), W5)
    stepper.set_values([W5], [0.123456789012])
    assert "value = 0.123456789\n" in parameter_tooltip(stepper.network, stepper.evaluate(), W5)
    stepper.set_config(stepper.config.with_changes(dtype="float32"))
    stepper.set_values([W5], [0.1])
    tip = parameter_tooltip(stepper.network, stepper.evaluate(), W5)
    assert "value = 0.1\n" in tip and "0.100000001" not in tip
    stepper.set_values([W5], [0.123456789012])
    assert "value = 0.12345679\n" in parameter_tooltip(stepper.network, stepper.evaluate(), W5)


def test_a_claims_notation_is_set_as_html():
    """The lesson panel's claims: superscripts and subscripts, a single index too
    (the hidden-bias lesson's σ(b^0_0)), a snake_case word left alone, and HTML escaped."""
    from gui.views.lesson_view import rich

    assert rich("σ(b^0_0) < 1") == "σ(b<sup>0</sup><sub>0</sub>) &lt; 1"
    assert rich("w^1_{0,0} and loss_below") == "w<sup>1</sup><sub>0,0</sub> and loss_below"
