"""The networks a lesson loads: network files (docs/file-format.md) found beside the lesson
file or among the examples in resources/examples, read afresh each time a step loads one
(so that a step set up again starts from the file, and nothing is shared between runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.init import InitSpec
from ..io import fileformat
from ..io.fileformat import Document
from ..io.jsonfields import decode, parse_json

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@dataclass(frozen=True)
class NetworkFile:
    """A network file to load, with the ``init`` the lesson gives it, if any: read as if the
    file's ``network.init`` were that one, so the parameters the file leaves out are drawn
    from it and those it gives are kept, with ``init`` their record (for Re-initialise)."""

    path: Path
    init: InitSpec | None = None

    def __call__(self) -> Document:
        if self.init is None:
            return fileformat.load(self.path)
        value = parse_json(decode(self.path.read_bytes()))
        if isinstance(value, dict) and isinstance(value.get("network"), dict):
            value["network"]["init"] = {"scheme": self.init.scheme, "seed": self.init.seed,
                                        **self.init.parameters}
        return fileformat.read_document(value)


def find_network(name: str, beside: Path | None) -> Path | None:
    """The network file ``name`` (a file name, or a relative path without "..") in the
    folder ``beside`` (the lesson's), else in the examples; None when it is in neither."""
    relative = Path(name)
    if not name or relative.is_absolute() or ".." in relative.parts:
        return None
    for folder in ([beside] if beside is not None else []) + [EXAMPLES]:
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    return None
