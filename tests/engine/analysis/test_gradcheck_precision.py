"""The gradient check flags by the precision of the run: a float32 run's rounding is not a
mistake, a wrong gradient still is."""

from __future__ import annotations

from pathlib import Path

from engine.analysis.gradcheck import FLAG_ABOVE, FLAG_ABOVE_FLOAT32, gradient_check
from engine.io import fileformat

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


def test_a_float32_run_flags_by_its_own_precision_and_still_catches_a_wrong_gradient():
    """float32 rounding gives relative errors near 1e-5 with nothing wrong (flagged above
    1e-6 they would be false alarms); a gradient off by 1 % is still flagged."""
    stepper = fileformat.load(EXAMPLES / "band.json").make_stepper()
    stepper.set_config(stepper.config.with_changes(dtype="float32"))
    stepper.run(20)
    result = gradient_check(stepper)
    assert result.threshold == FLAG_ABOVE_FLOAT32
    assert result.relative_error.max() > FLAG_ABOVE  # float32's rounding shows …
    assert result.flagged() == []  # … and is not taken for a mistake
    assert result.flagged(FLAG_ABOVE)  # the float64 threshold would have flagged it
    original = stepper.evaluate

    def wrong(*args, **kwargs):
        trace = original(*args, **kwargs)
        trace.gradient[3] *= 1.01
        return trace

    stepper.evaluate = wrong
    assert gradient_check(stepper).flagged() == [stepper.network.addresses()[3]]
    stepper.set_config(stepper.config.with_changes(dtype="float64"))
    assert gradient_check(stepper, indices=[0]).threshold == FLAG_ABOVE
