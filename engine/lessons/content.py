"""The four lessons, as data: each step's text, actions, claims, what to select and which
topics it shows (the window maps a topic to the panel that shows it)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.init import InitSpec
from ..core.network import ParameterAddress
from .actions import (
    Load,
    Nudge,
    Reinitialise,
    Remember,
    RunTo,
    StepPhases,
    Tie,
)
from .checks import (
    Check,
    all_parameters,
    classified,
    columns_differ,
    different_run_from,
    distinct_hidden,
    distinct_outputs,
    equal_pairs,
    identical,
    initial_weights_drawn,
    loss_below,
    one_distinct_throughout,
    one_neuron_equivalent,
    outputs_near_target_means,
    outputs_near_targets,
    parted,
    same_run_as,
    weights_differ,
)
from .documents import (
    band_seed,
    band_zeros,
    logistic_zeros,
    seed_000,
    seed_001_tied,
)


@dataclass(frozen=True)
class Step:
    title: str
    text: str  # simple HTML
    actions: tuple = ()
    checks: tuple[Check, ...] = ()
    select: tuple = ()  # ParameterAddress or (layer, neuron) to select in the graph
    # what the step is about, for the window to bring forward the panels that show it:
    # "selection" (the selected neuron or weight and its chain rule), "matrices", "loss",
    # "weights", "symmetry", "decision boundary", "initialisation"
    show: tuple[str, ...] = ()
    reference: str | None = None  # a remembered run for the loss plot to show beside
    matrix: str | None = None  # the Matrices block to scroll to: text in its title


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    summary: str
    steps: tuple[Step, ...]


def _w(layer: int, source: int, target: int) -> ParameterAddress:
    return ParameterAddress.weight(layer, source, target)


# seed 001's plain numbering in the 2-2-1 network (Network.plain_weight_names)
W1, W2, W3, W4 = _w(0, 0, 0), _w(0, 1, 0), _w(0, 0, 1), _w(0, 1, 1)
W5, W6 = _w(1, 0, 0), _w(1, 1, 0)
TIED = (("w1 − w3", W1, W3), ("w2 − w4", W2, W4), ("w5 − w6", W5, W6))
RANDOM = InitSpec("uniform", 0)  # uniform(−1, 1), seed 0

ALL_WEIGHTS_EQUAL = Lesson(
    "all-equal", "All weights equal",
    "Seed 000: a 2-3-3-2 network with every weight 1 never differentiates its neurons.",
    (
        Step("Every weight is 1",
             "<p>This is seed 000's network: two inputs, two hidden layers of three sigmoid "
             "neurons, two outputs, every weight and bias 1, the cost C = Σ (a − y)², "
             "learning rate 0.5.</p>"
             "<p>The three neurons of layer 1 get the same inputs through the same weights. "
             "They are <b>interchangeable</b>: the graph outlines them in one colour and the "
             "status bar counts one distinct neuron per layer. So are the three of layer 2, "
             "and, for now, the two outputs.</p>",
             (Load(seed_000, "Lesson: seed 000, every weight 1"),),
             (all_parameters(1.0), distinct_hidden(1)),
             select=((1, 0),), show=("selection",)),
        Step("Forward: identical columns",
             "<p>The lesson stepped iteration 0 forward through layers 1 and 2 (F11 steps "
             "one phase). <b>Matrices</b> shows the last one: [1 | a<sup>1</sup>] × "
             "[b<sup>1</sup>; W<sup>1</sup>] = n<sup>2</sup>, then a<sup>2</sup> = "
             "f(n<sup>2</sup>).</p>"
             "<p>For each observation (a row) the three columns of a<sup>1</sup> (the left "
             "table) are the same number, and so are those of a<sup>2</sup> (the block "
             "below): one tint marks them. The three neurons compute the same thing. These "
             "are the numbers seed 000 printed.</p>",
             (StepPhases("forward layer 3"),),
             (identical("activations", (1, 2), 1, "a^{l}"),),
             show=("matrices",), matrix="n^2 = "),
        Step("Backward: identical rows",
             "<p>On through layer 3 and the loss, then back through the output layer. "
             "<b>Matrices</b> now shows the table seed 000 printed: [∂C/∂b<sup>2</sup>; "
             "∂C/∂W<sup>2</sup>] = [1 | a<sup>2</sup>]<sup>T</sup> × δ<sup>3</sup>, where "
             "δ<sup>3</sup> = ∂C/∂n<sup>3</sup> is the seed's ∂C/∂a<sup>3</sup> · "
             "∂a<sup>3</sup>/∂n<sup>3</sup>.</p>"
             "<p>Row 0 is the bias. Rows 1 to 3, one per neuron of layer 2, are identical "
             "(0.028122 | 0.0580562): the three neurons feed the same a<sup>2</sup> forward, "
             "so their weights get the same gradient. The two columns differ: the two "
             "outputs have different targets.</p>",
             (StepPhases("backward layer 2"),),
             (identical("weight_gradients", (2,), 0, "∂C/∂W^{l}",
                        "The rows of ∂C/∂W^2 for the three neurons of layer 2 are identical"),
              columns_differ("weight_gradients", 2, "∂C/∂W^2",
                             "Its two columns differ (the outputs have other targets)")),
             show=("matrices",), matrix="∂C/∂W^2]"),
        Step("The update keeps them equal",
             "<p>The lesson finished the iteration: back through layers 2 and 1, then the "
             "update W ← W − 0.5 · ∂C/∂W (plain gradient descent). The three neurons of each "
             "hidden layer got identical gradients, so they change by the same amount and "
             "stay identical.</p>"
             "<p>The two <b>output</b> neurons have parted (their outline is gone): same "
             "inputs and weights, but different targets, 0.2 against 0.4, so a different "
             "∂C/∂a and a different update. Neurons part when something in their chain "
             "differs: a target, an outgoing weight or a starting value. Hidden neurons "
             "have no target of their own and their outgoing weights are equal, so only "
             "different starting weights can part them.</p>"
             "<p>Step on yourself (F10) and watch the outlines stay.</p>",
             (StepPhases("next iteration"),),
             (distinct_hidden(1), distinct_outputs(2)),
             select=((1, 0),), show=("selection",)),
        Step("The outputs settle on the averages",
             "<p>The lesson ran on to iteration 2000. The outputs are the same for both "
             "observations (the Inspector lists them per observation): close to the "
             "<b>averages of the targets</b>, [0.6, 0.2]. With "
             "one effective neuron per layer, this is the best the network found for a "
             "long while: the loss sits on a plateau from about iteration 50 to "
             "5000.</p>",
             (RunTo(2000),),
             (outputs_near_target_means(0.01), distinct_hidden(1)),
             select=((3, 0),), show=("loss", "selection")),
        Step("A plateau, not a cure",
             "<p>The lesson ran on to 6000. After about iteration 5000 the loss falls: with "
             "only two observations, one neuron per layer is enough to fit them. But the "
             "neurons never differentiated: each hidden layer has had one distinct neuron "
             "at every iteration. This network has the power of a 2-1-1-2 network; two "
             "observations cannot show what it lost, more data would (the lesson Zero "
             "initialisation shows it).</p>",
             (RunTo(6000),),
             (loss_below(0.01), one_distinct_throughout()),
             show=("symmetry",)),
        Step("Random initial weights break the symmetry",
             "<p>The same network, re-initialised with uniform(−1, 1) and seed 0, then run "
             "to iteration 2000. Every neuron starts different, gets its own gradient and "
             "keeps its own role: three distinct neurons per hidden layer. The loss falls "
             "below 0.01 by iteration 571, where the tied network took 5660.</p>"
             "<p>Try another seed: the Initialisation box of the <b>Network</b> panel "
             "(right), then Re-initialise.</p>",
             (Load(seed_000, "Lesson: seed 000 again"), Reinitialise(RANDOM), RunTo(2000)),
             (distinct_hidden(None), outputs_near_targets(0.03)),
             show=("loss", "initialisation")),
    ))

W5_EQUALS_W6 = Lesson(
    "w5-w6", "w5 = w6",
    "Seed 001: with w1 = w3, w2 = w4 and w5 = w6 two hidden neurons stay identical for ever.",
    (
        Step("Two neurons, tied",
             "<p>Seed 001's network: two inputs, two hidden sigmoid neurons, one output, no "
             "biases. The weights are tied: <b>w1 = w3</b>, <b>w2 = w4</b> (the two hidden "
             "neurons see the inputs the same way) and <b>w5 = w6</b> (the output sees them "
             "the same way).</p>"
             "<p>The chain rule panel (right) sets ∂J/∂w1 beside ∂J/∂w3. The chains "
             "differ only where the neurons do: w5 against w6, and a1 against a2 (through "
             "∂a/∂z). Tied, every factor is equal, so the gradients are equal.</p>",
             (Load(seed_001_tied, "Lesson: seed 001, tied"),),
             (equal_pairs(TIED, throughout=False), distinct_hidden(1)),
             select=(W1, W3), show=("selection",)),
        Step("They move as one",
             "<p>The lesson ran 500 iterations: equal gradients, equal updates, for ever. "
             "The <b>Weights</b> plot colours each weight by the neuron it goes to: w1 (into "
             "neuron 1) lies exactly on w3 (into neuron 2), and w2 on w4, so four weights "
             "draw two curves. w5 and w6 both go to the output and share one colour.</p>",
             (RunTo(500),),
             (equal_pairs(TIED, throughout=True), distinct_hidden(1)),
             select=(W1, W3), show=("weights", "selection")),
        Step("Nudge one weight",
             "<p>The lesson added 0.1 to w5 (Edit ▸ Undo takes it back) and ran 500 more "
             "iterations. In the chain rule the factor w5 against w6 is now marked: that one "
             "factor is why the two neurons learn different things. Same data, different "
             "weights, so different gradients, and the trajectories part.</p>"
             "<p>That is the answer to seed 001: neurons that see the same data end up "
             "different because they <i>start</i> different.</p>"
             "<p>Try your own: double-click any weight, type a value, run on (F5).</p>",
             (Nudge(W5, 0.1, "w5"), RunTo(1000)),
             (parted("w1 − w3", W1, W3, 0.01), parted("w5 − w6", W5, W6, 0.1),
              distinct_hidden(None)),
             select=(W1, W3), show=("weights", "selection")),
        Step("Tie them again",
             "<p>Setting w3 = w1, w4 = w2 and w6 = w5 (select two weights, Edit ▸ Set equal, "
             "Ctrl+E) makes the neurons one again, and they stay one from there: symmetry "
             "is a property of the weights now, not of their past. The lesson did it and ran "
             "on to 1500. The loss jumps up at 1000: tied, the network loses what the "
             "difference had learnt.</p>",
             (Tie(((W3, W1), (W4, W2), (W6, W5)), "Lesson: w3 = w1, w4 = w2, w6 = w5"),
              RunTo(1500)),
             (equal_pairs(TIED, throughout=False), distinct_hidden(1)),
             select=(W5, W6), show=("weights",)),
    ))

ZERO_INITIALISATION = Lesson(
    "zeros", "Zero initialisation",
    "All-zero weights are fine without a hidden layer and fatal with one.",
    (
        Step("Logistic regression from zeros",
             "<p>One sigmoid neuron on seed 001's six observations (cross-entropy loss), "
             "every weight and the bias 0: each output is σ(0) = 0.5.</p>"
             "<p>The chain rule (right) sets ∂J/∂w1 beside ∂J/∂w2: they differ in the input "
             "each weight multiplies, x1 against x2.</p>",
             (Load(logistic_zeros, "Lesson: logistic regression, zeros"),),
             (all_parameters(0.0),),
             select=(_w(0, 0, 0), _w(0, 1, 0)), show=("selection",)),
        Step("It learns",
             "<p>After 2000 iterations the neuron separates the classes. The gradient of "
             "w<sub>i</sub> is (1/m) Σ<sub>o</sub> (a<sub>o</sub> − y<sub>o</sub>) "
             "x<sub>o,i</sub>, summed over the m observations o: the inputs differ, so the "
             "weights get different gradients and move apart. With no hidden layer there "
             "is no symmetry to break.</p>",
             (RunTo(2000),),
             (loss_below(0.2), classified(at_least=6),
              weights_differ(_w(0, 0, 0), _w(0, 1, 0), "w1 and w2")),
             show=("decision boundary",)),
        Step("A hidden layer from zeros",
             "<p>Now a 2-4-1 sigmoid network, every weight 0, on a band: class 1 where the "
             "first input (x_0 on the decision boundary's axis) is 0.25 or 0.5; the Data "
             "panel lists the 15 points. No straight line separates the band; two lines "
             "do.</p>"
             "<p>The four hidden neurons start identical.</p>",
             (Load(band_zeros, "Lesson: 2-4-1 from zeros"),),
             (all_parameters(0.0), distinct_hidden(1)),
             show=("decision boundary",)),
        Step("Four neurons acting as one",
             "<p>After 2000 iterations the network has learnt something, but the four hidden "
             "neurons are still one: same weights, same bias, same outgoing weight at every "
             "iteration. It computes exactly what a network with one hidden neuron "
             "computes: one straight line, 12 of 15 right at best. The decision boundary "
             "is straight.</p>",
             (RunTo(2000),),
             (one_distinct_throughout(), one_neuron_equivalent(),
              classified(at_most=12, why="a straight line's best on the band")),
             show=("decision boundary", "weights")),
        Step("Random initial weights",
             "<p>The same network from uniform(−1, 1), seed 0, for 2000 iterations: four "
             "distinct neurons, a boundary on each side of the band, all 15 right.</p>",
             (Load(band_seed(0), "Lesson: 2-4-1 from random weights"), RunTo(2000)),
             (distinct_hidden(None), classified(at_least=15, why="all of them")),
             show=("decision boundary",)),
    ))

SEED_1, SEED_2 = InitSpec("uniform", 1), InitSpec("uniform", 2)

FIX_THE_SEED = Lesson(
    "seed", "Why fix the random seed",
    "The same seed gives the same run, bit for bit; another seed another run.",
    (
        Step("Run A",
             "<p>The 2-4-1 network on the band, initialised with uniform(−1, 1) and "
             "<b>seed 1</b>, trained for 2000 iterations. The lesson remembers this run as "
             "run A.</p>"
             "<p>A seed fixes the random draw: numpy's random generator, given the same "
             "seed, gives the same numbers on every machine (with the same numpy version). "
             "It does not make w1 = w3: every weight gets its own number from the draw. "
             "The seed ties one run to the next, not one neuron to another.</p>",
             (Load(band_seed(1), "Lesson: band, seed 1"), RunTo(2000), Remember("A")),
             (initial_weights_drawn(SEED_1),),
             show=("initialisation", "loss")),
        Step("The same seed again",
             "<p>The network loaded afresh, seed 1 again, 2000 iterations. The loss curve "
             "lies on run A's (the grey one) and every weight at the end is run A's, bit for "
             "bit. This is what makes a run reproducible: to check your own backprop "
             "against this one, or a change against the run before it, fix the seed "
             "first.</p>",
             (Load(band_seed(1), "Lesson: band, seed 1 again"), RunTo(2000)),
             (same_run_as("A"),),
             show=("loss",), reference="A"),
        Step("Another seed, another run",
             "<p>Seed 2: other initial weights, another loss curve, other final weights. "
             "Both runs learn the band, by different routes. Without a fixed seed you cannot "
             "tell whether a difference comes from your change or from the draw.</p>"
             "<p>With mini-batches (a batch size below the number of observations) the "
             "batches are drawn too, every epoch; the file's <tt>training.shuffle_seed</tt> "
             "fixes that draw in the same way.</p>",
             (Load(band_seed(2), "Lesson: band, seed 2"), RunTo(2000)),
             (different_run_from("A"), classified(at_least=15, why="it learns the band too")),
             show=("loss",), reference="A"),
    ))

LESSONS: tuple[Lesson, ...] = (ALL_WEIGHTS_EQUAL, W5_EQUALS_W6, ZERO_INITIALISATION,
                               FIX_THE_SEED)


def lesson(key: str) -> Lesson:
    for candidate in LESSONS:
        if candidate.key == key:
            return candidate
    known = ", ".join(candidate.key for candidate in LESSONS)
    raise ValueError(f"unknown lesson {key!r} (known: {known})")
