"""The chain rule of the selected weight, written out with symbols and today's numbers.

One weight: every path from it to the outputs as a product of factors, per observation and
summed (seed 001's ∂J/∂w1 = ∂J/∂a3 · ∂a3/∂z3 · ∂z3/∂a1 · ∂a1/∂z1 · ∂z1/∂w1 for its 2-2-1
net, seed 000's ∂C/∂n … notation always), or the δ form when there are too many paths.
Two weights: both chains side by side, the factors that differ marked — seed 001's whole
explanation of why neurons with equal weights never part.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from engine.analysis.chain_rule import ChainRule, Factor, chain_rule, differing_factors
from engine.core.network import ParameterAddress
from engine.io.tables import format_number

from ..notation import typeset

MAX_OBSERVATIONS_SHOWN = 8
CHAIN_ROOM = 160  # a chain keeps at least this much height beside a tall inspector
DIFFERS = "background-color:#ffd8a8; font-weight:bold"


def _factor_name(factor: Factor, plain: bool) -> str:
    name = factor.plain if plain and factor.plain else factor.symbol
    if factor.meaning:
        name += f" = {factor.meaning}"
    return typeset(name)


def _numbers(factors: list[Factor], observation: int) -> list[str]:
    return [format_number(f.values[observation]) for f in factors]


def chain_html(rule: ChainRule, marked_delta=(), marked_paths=(), vertical: bool = False) -> str:
    """The chain as HTML: the symbolic product, then the numbers per observation and the
    sum. ``marked_*`` are positions to highlight (from ``differing_factors``); ``vertical``
    puts one factor per line (two chains side by side in a narrow panel)."""
    plain = rule.plain_name is not None
    cost = "J" if plain else "C"
    target = typeset(rule.plain_name if plain else str(rule.address))
    out = [f"<h3>∂{cost}/∂{html.escape(target)}"
           + (f" <small>({html.escape(typeset(str(rule.address)))})</small>" if plain else "")
           + "</h3>"]
    observations = len(rule.per_observation)
    shown = min(observations, MAX_OBSERVATIONS_SHOWN)

    def product_block(factors: list[Factor], marked: set[int], title: str) -> None:
        names = [html.escape(_factor_name(f, plain)) for f in factors]
        names = [f'<span style="{DIFFERS}">{n}</span>' if k in marked else n
                 for k, n in enumerate(names)]
        out.append(f"<p><b>{title}</b><br>" + " · ".join(names) + "</p><table cellspacing=4>")
        product = ChainRule.product(factors)
        for o in range(shown):
            cells = [f'<span style="{DIFFERS}">{v}</span>' if k in marked else v
                     for k, v in enumerate(_numbers(factors, o))]
            result = f"=&nbsp;<b>{format_number(product[o])}</b>"
            if vertical:  # a row of its own per observation: the numbers get the width
                lines = [cells[0]] + [f"·&nbsp;{c}" for c in cells[1:]] + [result]
                out.append(f"<tr><td><i>o = {o}</i><br>{'<br>'.join(lines)}</td></tr>")
            else:
                out.append(f"<tr><td valign=top>o = {o}:</td>"
                           f"<td>{' · '.join(cells)} {result}</td></tr>")
        out.append("</table>")

    if rule.paths is not None and len(rule.paths) > 0 and rule.address.kind == "w":
        for p, path in enumerate(rule.paths):
            marked = {k for (q, k) in marked_paths if q == p}
            title = f"path {p + 1} of {len(rule.paths)}" if len(rule.paths) > 1 else "chain"
            product_block(path, marked, title)
    product_block(rule.delta_form, set(marked_delta),
                  "δ form: ∂C/∂n · ∂n/∂w" if rule.address.kind == "w" else "∂C/∂n · ∂n/∂b")
    for note in rule.notes:
        out.append(f"<p><i>{html.escape(typeset(note))}</i></p>")
    if observations > shown:
        out.append(f"<p><i>first {shown} of {observations} observations shown</i></p>")
    per = " + ".join(format_number(v) for v in rule.per_observation[:shown])
    if observations > shown:
        per += " + …"
    out.append(f"<p>summed over the observations: ∂{cost}/∂{html.escape(target)} = {per} = "
               f"<b>{format_number(rule.total)}</b></p>")
    return "".join(out)


class ChainRulePanel(QWidget):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("chain_rule_panel")
        self.controller = controller
        self.addresses: list[ParameterAddress] = []
        self.message = QLabel()
        self.message.setObjectName("chain_rule_message")
        self.message.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setObjectName("chain_rule_text")
        self.text.setToolTip("The chain rule of the selected weight (Ctrl+click a second "
                             "weight to compare: the factors that differ are marked)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.text, 1)
        self.rules: list[ChainRule] = []
        self.refresh()

    def show_parameters(self, addresses: list[ParameterAddress]) -> None:
        self.addresses = list(addresses)[:2]
        self.refresh()

    def refresh(self) -> None:
        network = self.controller.network
        self.rules = []
        addresses = []
        for address in self.addresses:
            try:
                network.check_address(address)
            except ValueError:
                continue
            addresses.append(address)
        self.addresses = addresses
        if not addresses:
            self._say("Select a weight or bias in the graph; Ctrl+click a second "
                                 "one to compare their chains.")
            self._show_html("")
            return
        trace = self.controller.display_trace(backward=True)
        try:
            stepper = self.controller.stepper
            self.rules = [chain_rule(network, trace, a, loss=stepper.loss,
                                     frozen=stepper.config.frozen) for a in addresses]
        except ValueError as error:
            self._say(typeset(f"{error}"))
            self._show_html("")
            return
        if len(self.rules) == 1:
            self._say("")
            self._show_html(chain_html(self.rules[0]))
            return
        first, second = self.rules
        delta, paths = differing_factors(first, second)
        names = [r.plain_name or typeset(str(r.address)) for r in self.rules]
        self._say(
            f"{names[0]} against {names[1]}: "
            + ("every factor is equal — these two weights get the same gradient"
               if not delta and not paths else "the factors that differ are marked"))
        self._show_html(
            "<table width=100%><tr><td valign=top width=50%>"
            + chain_html(first, delta, paths, vertical=True) + "</td><td valign=top>"
            + chain_html(second, delta, paths, vertical=True) + "</td></tr></table>")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))  # no empty line above the chain

    def _show_html(self, text: str) -> None:
        """The chain, or no pane at all: without one the panel is as short as its message,
        and a panel above it (the inspector, in a splitter) takes the room."""
        self.text.setHtml(text)
        self.text.setVisible(bool(text))
        self.setMinimumHeight(0 if text else content_height(self))
        share_room(self.parentWidget())

    @property
    def wants_room(self) -> bool:
        """Whether it has a chain to show (and takes the room the inspector leaves)."""
        return self.text.isVisibleTo(self)

    def room_needed(self) -> int:
        return content_height(self)


def content_height(widget: QWidget) -> int:
    """The height of ``widget``'s layout at its width (word-wrapped text included)."""
    layout = widget.layout()
    layout.activate()
    width = widget.width() if widget.width() > 0 else widget.sizeHint().width()
    return (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
            else layout.sizeHint().height())


def share_room(splitter) -> None:
    """The inspector above the chain rule in a splitter (gui/parts/docks.py): the inspector
    as tall as its numbers; the chain rule the rest when it has a chain, else only its
    message's height. Set again only when what they need changes, so that a handle the
    learner dragged stays while stepping."""
    if not isinstance(splitter, QSplitter) or splitter.count() != 2:
        return
    top, bottom = splitter.widget(0), splitter.widget(1)
    if not (hasattr(top, "room_needed") and hasattr(bottom, "wants_room")):
        return
    total = sum(splitter.sizes())
    if total <= 0:
        return
    wanted = (top.room_needed(), bottom.wants_room, bottom.room_needed(), total)
    if splitter.property("room_shared") == str(wanted):
        return
    splitter.setProperty("room_shared", str(wanted))
    if bottom.wants_room:
        upper = min(wanted[0], max(total - CHAIN_ROOM, total // 3))
    else:
        upper = max(total - wanted[2], 0)
    splitter.setSizes([upper, total - upper])
