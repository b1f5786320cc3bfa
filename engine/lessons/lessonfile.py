"""Reading a lesson file (docs/lesson-format.md): JSON, checked field by field like a
network file (engine/io/jsonfields.py), so that every error names the field's path:
``steps[1].claims[0].kind: unknown claim "identicall" (known: …)``.

The loader walks the steps in order and keeps the network the last ``load`` gave, so that
what depends on it is checked where it can be: parameter names (``w^1_{0,0}`` or seed 001's
``w5``), layers, phases, prediction exercises, neurons to select. Nothing in a lesson file is
ever executed: actions and claims are names looked up in the tables below, their parameters
plain values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.init import SCHEME_PARAMETERS, InitSpec
from ..core.network import Network, ParameterAddress
from ..core.phases import phases_of
from ..io.fileformat import MAX_SEED, Document
from ..io.jsonfields import (
    FileFormatError,
    decode,
    describe,
    expect_object,
    fail,
    integer,
    known_name,
    list_of,
    no_duplicates,
    number,
    parse_json,
    quote,
)
from . import checks
from .actions import Load, Nudge, Reinitialise, Remember, RunTo, StepPhases, Tie
from .catalogue import (
    MAX_LESSON_BYTES,
    check_format,
    lesson_bytes,
    lesson_key,
    text_field,
)
from .content import TOPICS, Exercise, Lesson, Step
from .documents import NetworkFile, find_network
from .markup import to_html

MAX_RUN_TO = 10_000_000  # iterations a step may run to (a lesson waits for them)
NEXT_ITERATION = "next iteration"  # step_phases: finish the iteration in progress

# what identical and columns_differ compare: a Trace's matrices, and their layers
TRACE_QUANTITIES = ("activations", "pre_activations", "dcost_dactivations", "dactivation_dpre",
                    "deltas", "weight_gradients", "bias_gradients")


def load_lesson(path: str | Path) -> Lesson:
    """A lesson from its file; FileFormatError naming the field, OSError passes through."""
    path = Path(path)
    value = parse_json(decode(lesson_bytes(path)))
    return read_lesson(value, lesson_key(path), path.resolve().parent, path.resolve())


def loads_lesson(text: str, key: str = "lesson", beside: Path | None = None) -> Lesson:
    """A lesson from JSON text (network files looked for in ``beside``, then the examples)."""
    if len(text) > MAX_LESSON_BYTES:
        fail("file", f"larger than the limit of {MAX_LESSON_BYTES} bytes for a lesson")
    return read_lesson(parse_json(text), key, beside)


# ====================================================================== the lesson
class _Context:
    """What the steps so far have set up: the network loaded last, the runs remembered."""

    def __init__(self, beside: Path | None) -> None:
        self.beside = beside
        self.document: Document | None = None
        self.remembered: set[str] = set()
        self._phases: dict[str, tuple[str, ...]] | None = None

    @property
    def network(self) -> Network:
        return self.document.network

    def loaded(self, document: Document) -> None:
        self.document, self._phases = document, None

    def phase_names(self) -> tuple[str, ...]:
        return tuple(str(phase) for phase in phases_of(self.network.layer_count))

    def phase_quantities(self) -> dict[str, tuple[str, ...]]:
        """What each phase of this network computes, as compare.py names the quantities
        (and "loss"; the update: "W^k new", "b^k new")."""
        if self._phases is None:
            from ..analysis.compare import quantities  # only where a lesson predicts
            from ..core.backprop import Trace

            network = self.network
            trace = Trace(network.layer_count, self.document.inputs[:1],
                          self.document.targets[:1])
            names = self.phase_names()
            computed: dict[str, list[str]] = {name: [] for name in names}
            for item in quantities(network, trace):
                if not item.key.startswith("W^") and item.key != "a^0":  # inputs, not results
                    computed[names[item.phase_index]].append(item.key)
            computed["loss"].insert(0, "loss")
            for k in range(network.layer_count):
                computed["update"] += [f"W^{k} new"] + ([f"b^{k} new"] if network.bias else [])
            self._phases = {name: tuple(keys) for name, keys in computed.items()}
        return self._phases


def read_lesson(value, key: str, beside: Path | None = None, path: Path | None = None) -> Lesson:
    """A lesson from parsed JSON (``parse_json``'s values); raises FileFormatError."""
    if not isinstance(value, dict):
        fail("file", f"expected a JSON object {{…}} at the top level, got {describe(value)}")
    no_duplicates(value, "document")
    check_format(value)
    expect_object(value, "", ("format", "title", "summary", "steps"))
    title = text_field(value["title"], "title")
    summary = text_field(value["summary"], "summary")
    items = list_of(value["steps"], "steps", None, "steps")
    if not items:
        fail("steps", "a lesson needs at least one step")
    context = _Context(beside)
    steps = tuple(_step(item, f"steps[{index}]", context, index)
                  for index, item in enumerate(items))
    return Lesson(key, title, summary, steps, path)


STEP_FIELDS = ("actions", "claims", "select", "show", "reference", "matrix", "predict")


def _step(value, path: str, context: _Context, index: int) -> Step:
    expect_object(value, path, ("title", "text"), STEP_FIELDS)
    title = text_field(value["title"], f"{path}.title")
    text = to_html(text_field(value["text"], f"{path}.text", allow_lines=True))
    actions = tuple(_action(item, f"{path}.actions[{k}]", context)
                    for k, item in enumerate(list_of(value.get("actions", []),
                                                     f"{path}.actions", None, "actions")))
    if index == 0 and not (actions and isinstance(actions[0], Load)):
        fail(f"{path}.actions", "the first step must start by loading a network "
                                '({"load": "seed-000.json"})')
    if any(isinstance(a, Remember) for a in actions) and not isinstance(actions[0], Load):
        fail(f"{path}.actions", "a step that remembers a run must start by loading a network "
                                "(so that it can be set up again on its own)")
    claims = tuple(_claim(item, f"{path}.claims[{k}]", context)
                   for k, item in enumerate(list_of(value.get("claims", []),
                                                    f"{path}.claims", None, "claims")))
    select = tuple(_selected(item, f"{path}.select[{k}]", context)
                   for k, item in enumerate(list_of(value.get("select", []),
                                                    f"{path}.select", None,
                                                    "parameters or neurons")))
    show = tuple(known_name(item, f"{path}.show[{k}]", TOPICS, "topic")
                 for k, item in enumerate(list_of(value.get("show", []), f"{path}.show",
                                                  None, "topics")))
    reference = value.get("reference")
    if reference is not None:
        reference = _run(reference, f"{path}.reference", context)
    matrix = value.get("matrix")
    if matrix is not None:
        matrix = text_field(matrix, f"{path}.matrix")
    predict = tuple(_exercise(item, f"{path}.predict[{k}]", context)
                    for k, item in enumerate(list_of(value.get("predict", []),
                                                     f"{path}.predict", None, "exercises")))
    return Step(title, text, actions, claims, select, show, reference, matrix, predict)


# ========================================================================= values
def _name(value, path: str, what: str = "a name") -> str:
    if not isinstance(value, str) or not value.strip():
        fail(path, f"expected {what}, got {describe(value)}")
    return value


def _address(value, path: str, context: _Context) -> ParameterAddress:
    """A parameter, written as the notation writes it (``w^1_{0,0}``, ``b^0_1``) or, in a
    network of at most 12 weights, by seed 001's numbering (``w5``)."""
    network = context.network
    plain = {name: address for address, name in (network.plain_weight_names() or {}).items()}
    text = _name(value, path, "a parameter's name (like w^0_{1,0}, b^1_0 or w5)")
    if text.strip() in plain:
        return plain[text.strip()]
    try:
        address = ParameterAddress.parse(text)
    except ValueError as error:
        numbered = f", or w1 … w{len(plain)} in this network" if plain else ""
        fail(path, f"{error}{numbered}")
    try:
        network.check_address(address)
    except ValueError as error:
        fail(path, f"no such parameter in this network: {error}")
    return address


def _pair(value, path: str, context: _Context) -> tuple[str, ParameterAddress, ParameterAddress]:
    """Two parameters ``[u, v]``, and their difference's name "u − v" as written."""
    items = list_of(value, path, 2, "parameter names (two)")
    u, v = (_address(item, f"{path}[{k}]", context) for k, item in enumerate(items))
    return f"{items[0].strip()} − {items[1].strip()}", u, v


def _init(value, path: str) -> InitSpec:
    """``{"scheme": …, "seed": …, …}`` as a network file's ``network.init``."""
    if not isinstance(value, dict):
        fail(path, f"expected an object {{…}}, got {describe(value)}")
    if "scheme" not in value:
        fail(f"{path}.scheme", "missing")
    scheme = known_name(value["scheme"], f"{path}.scheme", tuple(SCHEME_PARAMETERS),
                        "init scheme")
    names = tuple(SCHEME_PARAMETERS[scheme])
    expect_object(value, path, ("scheme",), ("seed", *names))
    seed = integer(value.get("seed", 0), f"{path}.seed", 0, MAX_SEED)
    parameters = {key: number(value[key], f"{path}.{key}") for key in names if key in value}
    try:
        return InitSpec(scheme, seed, parameters)
    except ValueError as error:  # "init.low: must not be greater than init.high"
        field, _, message = str(error).partition(": ")
        fail(f"{path}.{field.removeprefix('init.')}", message)


def _run(value, path: str, context: _Context) -> str:
    key = _name(value, path, "the key of a remembered run")
    if key not in context.remembered:
        known = ", ".join(sorted(context.remembered)) or "none yet"
        fail(path, f"no run {quote(key)} remembered by this step or an earlier one "
                   f"(remembered: {known})")
    return key


def _selected(value, path: str, context: _Context):
    """A parameter's name, or a neuron as ``[layer, neuron]``."""
    if isinstance(value, list):
        layer, neuron = list_of(value, path, 2, "whole numbers (a layer and a neuron)")
        sizes = context.network.sizes
        layer = integer(layer, f"{path}[0]", 0, len(sizes) - 1)
        integer(neuron, f"{path}[1]", 0, sizes[layer] - 1)
        return layer, neuron
    return _address(value, path, context)


def _exercise(value, path: str, context: _Context) -> Exercise:
    expect_object(value, path, ("phase", "quantity"))
    phases = context.phase_quantities()
    phase = known_name(value["phase"], f"{path}.phase", tuple(phases), "phase of this network")
    quantity = _name(value["quantity"], f"{path}.quantity", "a quantity (like a^1 or delta^2)")
    if quantity not in phases[phase]:
        fail(f"{path}.quantity", f"{quote(quantity)} is not computed by {phase} in this "
                                 f"network (it computes: {', '.join(phases[phase])})")
    return Exercise(phase, quantity)


# ======================================================================== actions
def _load(value, path: str, context: _Context) -> Load:
    name = _name(value["load"], f"{path}.load", "a network file's name")
    found = find_network(name, context.beside)
    if found is None:
        fail(f"{path}.load", f"no network file {quote(name)} beside the lesson or in the "
                             "examples")
    init = _init(value["init"], f"{path}.init") if "init" in value else None
    make = NetworkFile(found, init)
    try:
        # the file as it is: its structure and data are the step's (an init given here
        # changes only the parameters, and drawing them waits until a step loads it)
        document = NetworkFile(found)()
    except OSError as error:
        fail(f"{path}.load", f"{name}: {error.strerror or error}")
    except FileFormatError as error:
        fail(f"{path}.load", f"{name}: {error}")
    context.loaded(document)
    text = text_field(value["text"], f"{path}.text") if "text" in value else f"Lesson: {name}"
    return Load(make, text)


def _step_phases(value, path: str, context: _Context) -> StepPhases:
    names = (*context.phase_names(), NEXT_ITERATION)
    return StepPhases(known_name(value["step_phases"], f"{path}.step_phases", names,
                                 "phase of this network"))


def _run_to(value, path: str, context: _Context) -> RunTo:
    return RunTo(integer(value["run_to"], f"{path}.run_to", 0, MAX_RUN_TO))


def _nudge(value, path: str, context: _Context) -> Nudge:
    address = _address(value["nudge"], f"{path}.nudge", context)
    name = (text_field(value["name"], f"{path}.name") if "name" in value
            else value["nudge"].strip())
    return Nudge(address, number(value["by"], f"{path}.by"), name)


def _tie(value, path: str, context: _Context) -> Tie:
    items = list_of(value["tie"], f"{path}.tie", None, "[copy, source] pairs")
    if not items:
        fail(f"{path}.tie", "expected at least one [copy, source] pair")
    pairs = tuple(_pair(item, f"{path}.tie[{k}]", context) for k, item in enumerate(items))
    default = "Lesson: " + ", ".join(name.replace(" − ", " = ") for name, _, _ in pairs)
    text = text_field(value["text"], f"{path}.text") if "text" in value else default
    return Tie(tuple((copy, source) for _, copy, source in pairs), text)


def _reinitialise(value, path: str, context: _Context) -> Reinitialise:
    return Reinitialise(_init(value["reinitialise"], f"{path}.reinitialise"))


def _remember(value, path: str, context: _Context) -> Remember:
    key = _name(value["remember"], f"{path}.remember", "a key for the run")
    context.remembered.add(key)
    return Remember(key)


# each action: its reader, and its other keys (required, optional)
ACTIONS: dict[str, tuple[Callable, tuple[str, ...], tuple[str, ...]]] = {
    "load": (_load, (), ("text", "init")),
    "step_phases": (_step_phases, (), ()),
    "run_to": (_run_to, (), ()),
    "nudge": (_nudge, ("by",), ("name",)),
    "tie": (_tie, (), ("text",)),
    "reinitialise": (_reinitialise, (), ()),
    "remember": (_remember, (), ()),
}


def _action(value, path: str, context: _Context):
    if not isinstance(value, dict):
        fail(path, f"expected an action {{\"run_to\": 500}}, got {describe(value)}")
    kinds = [key for key in value if key in ACTIONS]
    if len(kinds) != 1:
        known = ", ".join(ACTIONS)
        if kinds:
            fail(path, f"one action per object, got {', '.join(kinds)}")
        unknown = next(iter(value), None)
        if unknown is None:
            fail(path, f"no action named (known: {known})")
        fail(path, f"unknown action {quote(unknown)} (known: {known})")
    kind = kinds[0]
    reader, required, optional = ACTIONS[kind]
    expect_object(value, path, (kind, *required), optional)
    if kind != "load" and context.document is None:
        fail(path, "no network loaded yet: the lesson's first action must load one")
    return reader(value, path, context)


# ========================================================================= claims
class _Fields:
    """A claim's parameters, read one by one with their path (absent optional ones give
    their default)."""

    def __init__(self, value: dict, path: str, context: _Context) -> None:
        self.value, self.path, self.context = value, path, context

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return key in self.value

    def number(self, key: str, default=None) -> float:
        return number(self.value[key], self.at(key)) if key in self.value else default

    def whole(self, key: str, low: int, high: int, default=None) -> int:
        if key not in self.value:
            return default
        return integer(self.value[key], self.at(key), low, high)

    def text(self, key: str, default=None) -> str | None:
        return text_field(self.value[key], self.at(key)) if key in self.value else default

    def flag(self, key: str, default: bool) -> bool:
        item = self.value.get(key, default)
        if not isinstance(item, bool):
            fail(self.at(key), f"expected true or false, got {describe(item)}")
        return item

    def tolerance(self) -> float:
        """``tolerance`` (default 0: exactly): not negative."""
        value = self.number("tolerance", 0.0)
        if value < 0:
            fail(self.at("tolerance"), f"must not be negative, got {value:g}")
        return value

    def pair(self, key: str):
        return _pair(self.value[key], self.at(key), self.context)

    def quantity(self) -> tuple[str, int, int]:
        """A Trace quantity and the layers it has (first, last)."""
        name = known_name(self.value["quantity"], self.at("quantity"), TRACE_QUANTITIES,
                          "quantity")
        L = self.context.network.layer_count
        if name == "activations":
            return name, 0, L
        if name in ("weight_gradients", "bias_gradients"):
            return name, 0, L - 1
        return name, 1, L

    def symbol(self, key: str, layered: bool) -> str:
        """A quantity's name in the claim; ``{l}`` stands for the layer where ``layered``."""
        name = text_field(self.value[key], self.at(key))
        rest = name.replace("{l}", "") if layered else name
        if layered and ("{" in rest or "}" in rest):
            fail(self.at(key), "braces other than {l} (the layer) cannot be used here: "
                               "write n^l as n^{l}")
        return name


def _identical(f: _Fields) -> checks.Check:
    quantity, low, high = f.quantity()
    layers = list_of(f.value["layers"], f.at("layers"), None, "layer numbers")
    if not layers:
        fail(f.at("layers"), "expected at least one layer")
    layers = tuple(integer(layer, f"{f.at('layers')}[{k}]", low, high)
                   for k, layer in enumerate(layers))
    axis = {"columns": 1, "rows": 0}[known_name(f.value["of"], f.at("of"),
                                                ("columns", "rows"), "part")]
    return checks.identical(quantity, layers, axis, f.symbol("name", True), f.text("text"))


def _columns_differ(f: _Fields) -> checks.Check:
    quantity, low, high = f.quantity()
    layer = f.whole("layer", low, high)
    name = f.symbol("name", False)
    return checks.columns_differ(quantity, layer, name,
                                 f.text("text", f"The columns of {name} differ"))


def _distinct_hidden(f: _Fields) -> checks.Check:
    count = f.value["count"]
    if count == "all":
        return checks.distinct_hidden(None)
    return checks.distinct_hidden(integer(count, f.at("count"), 1, 4096))


def _classified(f: _Fields) -> checks.Check:
    m = len(f.context.document.inputs)
    at_least, at_most = f.whole("at_least", 0, m), f.whole("at_most", 0, m)
    if (at_least is None) == (at_most is None):
        fail(f.path, "give one of at_least and at_most")
    return checks.classified(at_least, at_most, f.text("why", ""))


def _quantity_near(f: _Fields) -> checks.Check:
    """One number of a trace quantity: ``at`` is [observation, neuron] (for ∂C/∂W^l [source,
    target]; for ∂C/∂b^l [neuron]), checked against the step's network."""
    quantity, low, high = f.quantity()
    layer = f.whole("layer", low, high)
    network, document = f.context.network, f.context.document
    if quantity == "weight_gradients":
        shape = (network.sizes[layer], network.sizes[layer + 1])
    elif quantity == "bias_gradients":
        shape = (network.sizes[layer + 1],)
    else:
        shape = (len(document.inputs), network.sizes[layer])
    items = list_of(f.value["at"], f.at("at"), len(shape),
                    "whole numbers (its row and column)" if len(shape) == 2
                    else "whole number (its neuron)")
    at = tuple(integer(item, f"{f.at('at')}[{k}]", 0, size - 1)
               for k, (item, size) in enumerate(zip(items, shape, strict=True)))
    name = f.symbol("name", False) if f.has("name") else None
    return checks.quantity_near(quantity, layer, at, f.number("value"), f.tolerance(), name)


def _observation(f: _Fields) -> int:
    return f.whole("observation", 0, len(f.context.document.inputs) - 1)


# each claim: its reader, its parameters (required, optional); every claim may also give
# "text", the claim in the step's own words
CLAIMS: dict[str, tuple[Callable[[_Fields], checks.Check], tuple[str, ...], tuple[str, ...]]] = {
    "identical": (_identical, ("quantity", "layers", "of", "name"), ()),
    "columns_differ": (_columns_differ, ("quantity", "layer", "name"), ()),
    "distinct_hidden": (_distinct_hidden, ("count",), ()),
    "distinct_outputs": (lambda f: checks.distinct_outputs(f.whole("count", 1, 4096)),
                         ("count",), ()),
    "one_distinct_throughout": (lambda f: checks.one_distinct_throughout(), (), ()),
    "all_parameters": (lambda f: checks.all_parameters(f.number("value")), ("value",), ()),
    "outputs_near_target_means": (
        lambda f: checks.outputs_near_target_means(f.number("tolerance")), ("tolerance",), ()),
    "outputs_near_targets": (lambda f: checks.outputs_near_targets(f.number("tolerance")),
                             ("tolerance",), ()),
    "output_near": (lambda f: checks.output_near(_observation(f), f.number("value"),
                                                 f.number("tolerance", 0.0)),
                    ("observation", "value"), ("tolerance",)),
    "quantity_near": (_quantity_near, ("quantity", "layer", "at", "value"),
                      ("tolerance", "name")),
    "parameter_near": (lambda f: checks.parameter_near(
        f.value["parameter"].strip(), _address(f.value["parameter"], f.at("parameter"),
                                               f.context),
        f.number("value"), f.tolerance()), ("parameter", "value"), ("tolerance",)),
    "loss_near": (lambda f: checks.loss_near(f.number("value"), f.tolerance()),
                  ("value",), ("tolerance",)),
    "loss_below": (lambda f: checks.loss_below(f.number("limit")), ("limit",), ()),
    "loss_at_least": (lambda f: checks.loss_at_least(f.number("limit")), ("limit",), ()),
    "classified": (_classified, (), ("at_least", "at_most", "why")),
    "equal_pairs": (lambda f: checks.equal_pairs(
        tuple(_pair(item, f"{f.at('pairs')}[{k}]", f.context) for k, item in
              enumerate(list_of(f.value["pairs"], f.at("pairs"), None, "pairs"))),
        f.flag("throughout", False)), ("pairs",), ("throughout",)),
    "parted": (lambda f: checks.parted(*f.pair("pair"), f.number("more_than")),
               ("pair", "more_than"), ()),
    "weights_differ": (lambda f: _weights_differ(f), ("pair",), ("names",)),
    "one_neuron_equivalent": (lambda f: checks.one_neuron_equivalent(), (), ()),
    "initial_weights_drawn": (lambda f: checks.initial_weights_drawn(
        _init(f.value["init"], f.at("init"))), ("init",), ()),
    "same_run_as": (lambda f: checks.same_run_as(_run(f.value["run"], f.at("run"), f.context)),
                    ("run",), ()),
    "different_run_from": (lambda f: checks.different_run_from(
        _run(f.value["run"], f.at("run"), f.context)), ("run",), ()),
}


def _weights_differ(f: _Fields) -> checks.Check:
    name, u, v = f.pair("pair")
    return checks.weights_differ(u, v, f.text("names", name.replace(" − ", " and ")))


def _claim(value, path: str, context: _Context) -> checks.Check:
    if not isinstance(value, dict):
        fail(path, f'expected a claim {{"kind": "loss_below", …}}, got {describe(value)}')
    if "kind" not in value:
        fail(f"{path}.kind", f"missing (known: {', '.join(CLAIMS)})")
    kind = value["kind"]
    if not isinstance(kind, str) or kind not in CLAIMS:
        shown = quote(kind) if isinstance(kind, str) else describe(kind)
        fail(f"{path}.kind", f"unknown claim {shown} (known: {', '.join(CLAIMS)})")
    reader, required, optional = CLAIMS[kind]
    expect_object(value, path, ("kind", *required), (*optional, "text"))
    if context.document is None:
        fail(path, "no network loaded yet: the lesson's first action must load one")
    check = reader(_Fields(value, path, context))
    # the claim in the step's own words (identical and columns_differ take it themselves)
    if kind not in ("identical", "columns_differ") and "text" in value:
        check = checks.Check(text_field(value["text"], f"{path}.text"), check.test)
    return check
