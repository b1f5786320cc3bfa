"""Exports: the numbers as CSV, and the whole training as a script to run without the app.

CSV (``weights_csv``, ``gradients_csv``, ``history_csv``, ``history_parameters_csv``): a
header row, then one row per parameter or per iteration. Parameters are named as in the
app (``w^1_{0,2}``, ``b^0_1``) and listed in the order of θ (W^0 row by row, b^0, W^1, …).
Numbers are written with ``repr``, so reading a cell back with ``float`` gives the very
same float. Rows end with ``\\n``: write the text with ``open(path, "w", newline="")`` or in
text mode.

Scripts (``numpy_script``, ``pytorch_script``): a standalone Python program that rebuilds
the network with the same weights, biases, data and training settings and trains it as the
engine's Stepper does — same activations, loss, optimiser and mini-batches. It is the
bridge from the app to the code learners write themselves, so the maths is spelt out in the
seed's notation. Its output, one line each, numbers as exact reprs:

- with ``--every``, for t = 0 … N−1: ``iteration t: loss C`` — the loss computed in
  iteration t, on its batch, at the parameters before its update: ``history.losses[t]``,
  the app's loss plot;
- always, as the last line: ``loss after N iterations: C`` — the loss on all observations
  at the parameters after N updates: ``Stepper.run(N)`` then ``evaluate(full=True).loss``,
  the ``loss`` of ``python -m engine FILE --steps N --json``. With full-batch training it is
  also the loss the next iteration would record, ``history.losses[N]``.

Both compute in the document's ``training.dtype``: float64, or float32 as PyTorch by
default (the numpy script's ``DTYPE``, the PyTorch script's ``torch.set_default_dtype``).
The numpy script repeats the engine's operations in the engine's order, so its numbers
agree with the engine's to the last bit or nearly (relative 1e-12 is the promise; a float32
script's θ and losses are the engine's bit for bit). The PyTorch script uses torch's own
layers, autograd, losses and optimisers: same formulas, different rounding (measured in
float64: at most 2e-13 relative over 500 iterations; in float32 the tests ask 1e-5). Both
compute bce and cross_entropy from n^L in the stable form, unclipped, as the engine does
(torch's losses on the logits), and both state the loss's reduction. Both stop where the
engine stops on a non-finite value, by the same rule: after the forward pass when a
pre-activation n^l or the loss is not finite, after the update when a parameter is not
(exit status 1, one line on stderr).

Nothing the engine can train is refused; the scripts refuse (ValueError) only what the
engine itself would refuse: data that does not fit the network, a loss that does not fit
its output layer, a non-finite parameter or data value, a negative iteration count.

Exercise sheets (``write_exercise_sheet``, ``build_sheet``; exercise_sheet.py): the next
phases as exercises to do by hand, in Markdown or LaTeX, with the engine's answer key beside.
"""

from .csv_files import gradients_csv, history_csv, history_parameters_csv, weights_csv
from .exercise_sheet import build_sheet, write_exercise_sheet
from .numpy_script import numpy_script
from .pytorch_script import pytorch_script

__all__ = ["build_sheet", "gradients_csv", "history_csv", "history_parameters_csv",
           "numpy_script", "pytorch_script", "weights_csv", "write_exercise_sheet"]
