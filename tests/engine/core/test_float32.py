"""training.dtype = "float32": every phase computed in float32, as PyTorch computes by
default, checked against PyTorch itself (skipped where torch is not installed): the forward
pass, the loss, every gradient and several updates of sgd, momentum and adam, for sigmoid,
tanh and relu hidden layers with sse and with softmax + cross-entropy. And: every array a
float32 run holds is float32, a dtype change is an edit like any other (undone, replayed
bit for bit), files keep the field, and what does not fit is refused by name."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.core.history import History
from engine.core.network import Network, ParameterAddress
from engine.core.optimizers import TrainingConfig, batch_indices
from engine.core.precision import number_text, shortest_floats
from engine.core.stepper import Stepper
from engine.io.fileformat import Document, FileFormatError, dumps, loads

SIZES = [4, 5, 3]
OBSERVATIONS = 8
RELATIVE = 1e-5  # the brief's tolerance against PyTorch float32
ITERATIONS = 5
SETTINGS = {  # optimiser → its settings (sgd on mini-batches of 3: the engine's order)
    "sgd": dict(learning_rate=0.1, batch_size=3),
    "momentum": dict(learning_rate=0.05, momentum=0.9),
    "adam": dict(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8),
}
CASES = [(hidden, output, loss, optimizer)
         for hidden in ("sigmoid", "tanh", "relu")
         for output, loss in (("same", "sse"), ("softmax", "cross_entropy"))
         for optimizer in SETTINGS]


def problem(hidden: str, output: str, seed: int = 0):
    """A 4-5-3 network (float64 numbers, not float32's: both sides round them) and data."""
    rng = np.random.default_rng(seed)
    activations = [hidden, hidden if output == "same" else output]
    network = Network(SIZES, activations)
    network.theta[...] = rng.normal(0.0, 0.7, network.theta.size)
    inputs = rng.normal(0.0, 1.0, (OBSERVATIONS, SIZES[0]))
    if output == "softmax":
        targets = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], OBSERVATIONS)]
    else:
        targets = rng.uniform(0.0, 1.0, (OBSERVATIONS, SIZES[-1]))
    return network, inputs, targets


def close(ours, theirs, what: str) -> None:
    """Within RELATIVE of PyTorch's, relative to the array's largest magnitude (an entry
    that cancels to near 0 is compared at the scale of its neighbours)."""
    theirs = np.asarray(theirs, dtype=np.float64)
    ours = np.asarray(ours)
    assert ours.dtype == np.float32, f"{what}: {ours.dtype}"
    scale = max(float(np.max(np.abs(theirs))), 1e-30)
    error = float(np.max(np.abs(ours.astype(np.float64) - theirs))) / scale
    assert error <= RELATIVE, f"{what}: relative error {error:.2e} against PyTorch"


class TorchRun:
    """The same network in PyTorch float32, written out here: n = a W + b, the activation,
    the loss (sse: Σ (a − y)²; softmax + cross-entropy: torch's cross_entropy on n^L with
    class probabilities, summed then / m) and torch.optim's own optimisers."""

    def __init__(self, torch, network: Network, inputs, targets, config: TrainingConfig):
        self.torch = torch
        f32 = torch.float32
        self.names = network.activation_names
        self.weights = [torch.tensor(np.float32(w), dtype=f32, requires_grad=True)
                        for w in network.weights]
        self.biases = [torch.tensor(np.float32(b), dtype=f32, requires_grad=True)
                       for b in network.biases]
        self.x = torch.tensor(inputs, dtype=f32)  # rounded once, as the engine rounds them
        self.y = torch.tensor(targets, dtype=f32)
        self.loss_name = config.loss
        self.config = config
        parameters = [p for pair in zip(self.weights, self.biases, strict=True) for p in pair]
        if config.optimizer == "adam":
            self.optimizer = torch.optim.Adam(parameters, lr=config.learning_rate,
                                              betas=(config.beta1, config.beta2),
                                              eps=config.epsilon)
        else:
            momentum = config.momentum if config.optimizer == "momentum" else 0.0
            self.optimizer = torch.optim.SGD(parameters, lr=config.learning_rate,
                                             momentum=momentum)

    def activation(self, name: str, n):
        torch = self.torch
        return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                "softmax": lambda v: torch.softmax(v, dim=1)}[name](n)

    def forward(self, iteration: int):
        """(n, a of each layer, the loss) on the iteration's batch, gradients computed."""
        batch = batch_indices(self.config, len(self.x), iteration)
        x = self.x if batch is None else self.x[batch]
        y = self.y if batch is None else self.y[batch]
        self.optimizer.zero_grad()
        pre, post, a = [], [x], x
        for w, b, name in zip(self.weights, self.biases, self.names, strict=True):
            n = a @ w + b
            n.retain_grad()
            a = self.activation(name, n)
            a.retain_grad()
            pre.append(n)
            post.append(a)
        if self.loss_name == "sse":
            loss = ((a - y) ** 2).sum()
        else:
            loss = self.torch.nn.functional.cross_entropy(pre[-1], y, reduction="sum") / len(x)
        loss.backward()
        return pre, post, loss

    def theta(self) -> np.ndarray:
        parts = [p.detach().numpy().ravel() for pair in zip(self.weights, self.biases,
                                                            strict=True) for p in pair]
        return np.concatenate(parts)


def float32_stepper(network, inputs, targets, **settings) -> Stepper:
    return Stepper(network.copy(), inputs, targets, TrainingConfig(dtype="float32", **settings))


@pytest.mark.parametrize(("hidden", "output", "loss", "optimizer"), CASES)
def test_float32_matches_pytorch_float32(hidden, output, loss, optimizer):
    torch = pytest.importorskip("torch")
    network, inputs, targets = problem(hidden, output)
    stepper = float32_stepper(network, inputs, targets, loss=loss, optimizer=optimizer,
                              **SETTINGS[optimizer])
    reference = TorchRun(torch, network, inputs, targets, stepper.config)
    L = network.layer_count
    # iteration 0 phase by phase: every intermediate against PyTorch's
    pre, post, torch_loss = reference.forward(0)
    while stepper.phase < len(stepper.phases) - 1:  # up to the update
        stepper.step_phase()
    trace = stepper.trace
    for l in range(1, L + 1):
        close(trace.pre_activations[l], pre[l - 1].detach().numpy(), f"n^{l}")
        close(trace.activations[l], post[l].detach().numpy(), f"a^{l}")
        close(trace.deltas[l], pre[l - 1].grad.numpy(), f"δ^{l}")
        if l < L or loss == "sse":  # softmax + CE: ∂C/∂a^L is shown clipped, not torch's
            close(trace.dcost_dactivations[l], post[l].grad.numpy(), f"∂C/∂a^{l}")
    for l in range(L):
        close(trace.weight_gradients[l], reference.weights[l].grad.numpy(), f"∂C/∂W^{l}")
        close(trace.bias_gradients[l], reference.biases[l].grad.numpy(), f"∂C/∂b^{l}")
    assert trace.loss == pytest.approx(float(torch_loss.detach()), rel=RELATIVE)
    assert np.float32(trace.loss) == trace.loss  # a float32 number
    stepper.step_phase()  # the update
    reference.optimizer.step()
    close(stepper.network.theta, reference.theta(), "θ after update 1")
    # then whole iterations on the fast path: each update, each loss
    for iteration in range(1, ITERATIONS):
        torch_loss = reference.forward(iteration)[2]
        reference.optimizer.step()
        stepper.run(1)
        assert stepper.history.loss_log[iteration] == pytest.approx(float(torch_loss.detach()),
                                                                     rel=RELATIVE)
        close(stepper.network.theta, reference.theta(), f"θ after update {iteration + 1}")


def float32_arrays(stepper: Stepper) -> dict[str, np.ndarray]:
    """Every array of numbers a stepper holds, by name (Adam's step is a count: apart)."""
    arrays = {"θ": stepper.network.theta}
    arrays.update({f"W^{l}": w for l, w in enumerate(stepper.network.weights)})
    arrays.update({f"b^{l}": b for l, b in enumerate(stepper.network.biases)})
    arrays.update({f"optimiser {k}": v for k, v in stepper.optimizer.state.items()
                   if k != "step"})
    trace = stepper.trace
    for name in ("pre_activations", "activations", "dcost_dactivations", "dactivation_dpre",
                 "deltas", "weight_gradients", "bias_gradients"):
        arrays.update({f"trace {name}[{l}]": v for l, v in enumerate(getattr(trace, name))
                       if v is not None})
    arrays["trace gradient"] = trace.gradient
    history = stepper.history
    arrays["snapshots"] = history.snapshots
    for t, checkpoint in history.checkpoints.items():
        arrays[f"checkpoint {t} θ"] = checkpoint.theta
        arrays.update({f"checkpoint {t} {k}": v for k, v in checkpoint.optimizer_state.items()
                       if k != "step"})
    arrays["losses kept"] = np.concatenate([history.loss_log._blocks[b]
                                            for b in history.loss_log.exact_blocks])
    return arrays


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_every_array_of_a_float32_run_is_float32(optimizer):
    network, inputs, targets = problem("leaky_relu", "softmax")
    stepper = Stepper(network.copy(), inputs, targets,
                      TrainingConfig(loss="cross_entropy", optimizer=optimizer,
                                     learning_rate=0.05, dtype="float32"),
                      checkpoint_stride=4)
    stepper.run(70)  # past a few checkpoints and one bucket of the loss log
    for _ in range(3):
        stepper.step_phase()  # a trace half made
    stepper.step_iteration()
    arrays = float32_arrays(stepper)
    assert len(arrays) > 20
    wrong = {name: str(v.dtype) for name, v in arrays.items() if v.dtype != np.float32}
    assert not wrong
    assert stepper.history.loss_log._low.buffer.dtype == np.float32
    # the same run in float64 holds float64 throughout (the default is unchanged)
    default = Stepper(network.copy(), inputs, targets,
                      TrainingConfig(loss="cross_entropy", optimizer=optimizer,
                                     learning_rate=0.05), checkpoint_stride=4)
    default.run(70)
    default.step_iteration()
    assert {v.dtype for v in float32_arrays(default).values()} == {np.dtype(np.float64)}


def test_a_float32_run_differs_from_float64_by_float32_rounding_only():
    network, inputs, targets = problem("tanh", "same")
    wide = Stepper(network.copy(), inputs, targets, TrainingConfig(learning_rate=0.01))
    narrow = float32_stepper(network, inputs, targets, learning_rate=0.01)
    # the parameters and data rounded once to the nearest float32
    assert np.array_equal(narrow.network.theta, network.theta.astype(np.float32))
    wide.run(20)
    narrow.run(20)
    difference = np.abs(narrow.network.theta - wide.network.theta)
    assert 0 < difference.max() < 1e-5  # a few float32 steps apart, not the same numbers
    assert np.array_equal(narrow.inputs, inputs)  # the data as given is kept


def test_changing_dtype_is_an_edit_undone_and_replayed_bit_for_bit():
    network, inputs, targets = problem("sigmoid", "same")
    stepper = Stepper(network.copy(), inputs, targets,
                      TrainingConfig(optimizer="adam", learning_rate=0.01),
                      checkpoint_stride=2)
    stepper.run(3)
    before = stepper.network.theta.copy()
    assert before.dtype == np.float64
    event = stepper.set_config(stepper.config.with_changes(dtype="float32"))
    assert stepper.network.theta.dtype == np.float32
    assert np.array_equal(stepper.network.theta, before.astype(np.float32))
    assert stepper.optimizer.state["first_moment"].dtype == np.float32
    stepper.step_phase()
    stepper.step_phase()  # forward 1, forward 2
    # back to float64 between two phases: the iteration goes on in float64
    stepper.set_config(stepper.config.with_changes(dtype="float64"))
    assert stepper.trace.activations[1].dtype == np.float64
    assert stepper.trace.gradient.dtype == np.float64
    stepper.step_iteration()
    stepper.run(5)
    head = stepper.network.theta.copy()
    losses = stepper.history.losses
    # a replay from the start crosses both changes and gives the same bits
    stepper.seek(1)
    stepper.run(stepper.head_iteration - stepper.iteration)
    assert np.array_equal(stepper.network.theta, head)
    assert np.array_equal(stepper.history.losses, losses)
    # the loss log recomputes a dropped stretch across the changes, same bits, and leaves
    # the live state (float64 now) as it was
    assert np.array_equal(stepper._replay_losses(0, len(losses)), losses)
    assert stepper.network.theta.dtype == np.float64
    assert np.array_equal(stepper.network.theta, head)
    # undo the first change: float64 again, the parameters exactly as before it
    stepper.undo_edit(event)
    assert stepper.config.dtype == "float64"
    assert np.array_equal(stepper.network.theta, before)
    assert stepper.network.theta.dtype == np.float64


def test_a_float32_history_widens_when_the_run_changes_to_float64():
    network, inputs, targets = problem("relu", "same")
    stepper = float32_stepper(network, inputs, targets, learning_rate=0.01)
    stepper.run(4)
    recorded = stepper.history.snapshots.copy()
    stepper.set_config(stepper.config.with_changes(dtype="float64"))
    stepper.run(4)
    history = stepper.history
    assert history.snapshots.dtype == np.float64
    assert np.array_equal(history.snapshots[:4], recorded)  # the float32 rows, exactly
    assert history.loss_log.dtype == np.float64
    assert isinstance(history, History)


def test_a_float32_document_round_trips_through_a_file():
    network, inputs, targets = problem("tanh", "softmax")
    stepper = float32_stepper(network, inputs, targets, loss="cross_entropy",
                              optimizer="adam", learning_rate=0.01)
    stepper.run(7)
    text = dumps(stepper)
    written = json.loads(text)
    assert written["training"]["dtype"] == "float32"
    first = stepper.network.weights[0][0, 0]
    # numbers written as float32 prints them (0.1, not 0.10000000149011612)
    assert written["network"]["weights"][0][0][0] == float(str(first))
    assert repr(written["network"]["weights"][0][0][0]) == str(first)
    document = loads(text)
    assert document.training.dtype == "float32"
    again = document.make_stepper()
    assert again.network.theta.dtype == np.float32
    assert np.array_equal(again.network.theta, stepper.network.theta)
    for key in ("first_moment", "second_moment"):
        assert np.array_equal(again.optimizer.state[key], stepper.optimizer.state[key])
    stepper.run(3)
    again.run(3)
    assert np.array_equal(again.network.theta, stepper.network.theta)
    # a float64 document says so too, and reads back as float64
    wide = loads(dumps(Document(network, inputs, targets, TrainingConfig())))
    assert wide.training.dtype == "float64"
    assert json.loads(dumps(wide))["training"]["dtype"] == "float64"
    assert wide.make_stepper().network.theta.dtype == np.float64


def base_file(**training) -> dict:
    return {"format": "backprop-lab/2",
            "network": {"layers": [1, 1], "activations": ["sigmoid"],
                        "weights": [[[0.5]]], "biases": [[0.25]]},
            "data": {"inputs": [[1.0]], "targets": [[0.0]]},
            "training": training}


def test_an_unknown_dtype_is_refused_naming_the_field():
    with pytest.raises(FileFormatError) as refused:
        loads(json.dumps(base_file(dtype="float16")))
    assert str(refused.value) == ('training.dtype: unknown dtype "float16" '
                                  "(known: float64, float32)")
    with pytest.raises(FileFormatError, match=r"^training\.dtype: expected the name"):
        loads(json.dumps(base_file(dtype=32)))
    with pytest.raises(ValueError, match=r"^training\.dtype: unknown dtype 'half'"):
        TrainingConfig(dtype="half")


def test_numbers_beyond_float32_are_refused_naming_them():
    document = base_file(dtype="float32")
    document["data"]["inputs"] = [[1e39]]
    with pytest.raises(FileFormatError) as refused:
        loads(json.dumps(document))
    assert str(refused.value).startswith("data.inputs[0][0]: 1e+39 does not fit float32")
    document = base_file(dtype="float32")
    document["network"]["weights"] = [[[-5e38]]]
    with pytest.raises(FileFormatError, match=r"^network\.weights\[0\]\[0\]\[0\]: -5e\+38"):
        loads(json.dumps(document))
    # in a float32 run, a typed value that would be inf is refused, nothing changed
    stepper = loads(json.dumps(base_file(dtype="float32"))).make_stepper()
    w = ParameterAddress.weight(0, 0, 0)
    with pytest.raises(ValueError, match=r"^w\^0_\{0,0\}: 1e\+39 does not fit float32"):
        stepper.set_values([w], [1e39])
    assert stepper.network.get(w) == 0.5
    # and a float64 run holding such a number cannot change to float32
    wide = loads(json.dumps(base_file())).make_stepper()
    wide.set_values([w], [1e39])
    with pytest.raises(ValueError, match=r"^training\.dtype: w\^0_\{0,0\}: 1e\+39 does not"):
        wide.set_config(wide.config.with_changes(dtype="float32"))
    assert wide.config.dtype == "float64"


def test_float32_numbers_are_shown_to_float32_precision():
    value = np.float32(0.1)
    assert repr(float(value)) == "0.10000000149011612"  # the float64 that holds it
    assert number_text(value) == "0.1"
    assert number_text(np.float32(1e-8)) == "1e-08"
    assert number_text(0.1) == "0.1"
    assert number_text(np.float64(1) / 3) == "0.3333333333333333"
    assert shortest_floats(np.array([0.1, 2.5], np.float32)) == [0.1, 2.5]
    assert np.float32(shortest_floats(np.array([1 / 3], np.float32))[0]) == np.float32(1 / 3)


def test_copies_and_csv_of_a_float32_run_show_float32_numbers():
    from engine.analysis.matrices import as_numpy, phase_blocks
    from engine.core.phases import Phase
    from engine.io.export.csv_files import gradients_csv, history_csv, weights_csv

    network = Network([2, 1], ["sigmoid"])
    network.theta[...] = [0.1, 0.2, 0.3]
    stepper = Stepper(network, [[1.0, 0.5]], [[1.0]], TrainingConfig(dtype="float32"))
    stepper.step_phase()  # forward 1
    block = phase_blocks(stepper.network, stepper.trace, Phase("forward", 1), "sse")[0]
    parameters = block.matrices()["right"]  # [b^0; W^0]
    assert parameters.dtype == np.float32
    assert as_numpy(parameters) == "np.array([[0.3], [0.1], [0.2]])"
    n = np.float32(0.1) + np.float32(0.5) * np.float32(0.2) + np.float32(0.3)  # x W + b
    assert as_numpy(block.result) == f"np.array([[{n!s}]])"
    assert '"w^0_{0,0}",0,0,0,0.1\n' in weights_csv(stepper.network)
    stepper.step_iteration()
    gradient = stepper.trace.gradient
    bias = stepper.network.theta[2]
    assert f"b^0_0,0,,0,{bias!s},{gradient[2]!s}\n" in gradients_csv(stepper.network, gradient)
    loss = stepper.history.losses[0]
    assert loss.dtype == np.float32
    assert history_csv(stepper.history) == f"iteration,loss\n0,{loss!s}\n"
    assert len(str(loss)) < 12  # float32's digits, not float64's 17


def test_float32_matches_a_float32_numpy_loop_without_pytorch():
    """A check that always runs (CI has no PyTorch): seed 000's maths written out with
    float32 numpy arrays (tests/reference.py's formulas: C = Σ (a − y)², ∂C/∂a = 2(a − y),
    gd at η = 0.5), five updates, against the engine's float32 run; and the float32 run is
    not the float64 one (it really rounds to float32)."""
    f32 = np.float32
    rng = np.random.default_rng(3)
    sizes = [2, 3, 3, 2]
    weights = [rng.uniform(-1, 1, (sizes[k], sizes[k + 1])).astype(f32) for k in range(3)]
    biases = [rng.uniform(-1, 1, sizes[k + 1]).astype(f32) for k in range(3)]
    x = np.array([[0.8, 0.4], [0.3, 0.3]], dtype=f32)
    y = np.array([[0.2, 0.4], [1.0, 0.0]], dtype=f32)
    network = Network(sizes, ["sigmoid"] * 3)
    for k in range(3):
        network.weights[k][...] = weights[k]
        network.biases[k][...] = biases[k]
    runs = {}
    for dtype in ("float32", "float64"):
        stepper = Stepper(network.copy(), x.astype(float), y.astype(float),
                          TrainingConfig(learning_rate=0.5, dtype=dtype))
        stepper.run(5)
        runs[dtype] = stepper.network
    assert runs["float32"].theta.dtype == np.float32
    W, b = [w.copy() for w in weights], [v.copy() for v in biases]
    for _ in range(5):
        a = [x]
        for k in range(3):
            a.append(f32(1) / (f32(1) + np.exp(-(a[-1] @ W[k] + b[k]))))
        delta = f32(2) * (a[3] - y) * a[3] * (f32(1) - a[3])
        grads = []
        for k in (2, 1, 0):
            grads.append((k, a[k].T @ delta, delta.sum(axis=0)))
            if k:
                delta = (delta @ W[k].T) * a[k] * (f32(1) - a[k])
        for k, gw, gb in grads:
            W[k] -= f32(0.5) * gw
            b[k] -= f32(0.5) * gb
    for k in range(3):
        assert W[k].dtype == np.float32
        np.testing.assert_allclose(runs["float32"].weights[k], W[k], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(runs["float32"].biases[k], b[k], rtol=1e-5, atol=1e-6)
    gap = np.abs(runs["float32"].theta.astype(float) - runs["float64"].theta).max()
    assert 1e-9 < gap < 1e-4  # float32's rounding, and only that
