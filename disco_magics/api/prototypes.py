"""``%prototype``: the thinnest prototype per hypothesis, drafted, written and stored."""

from __future__ import annotations

from ..errors import ValidationFailed
from ..session import Session
from ._common import _session

PROTOTYPE_EXAMPLE = "%prototype H1 --kind fake-door"


def prototype(
    ids: str | list[str],
    kind: str | None = None,
    out: str = "prototypes",
    *,
    problem: str | None = None,
    progress: bool = True,
    session: Session | None = None,
):
    """Draft the thinnest prototype for each hypothesis ID, write its files under ``out/ID/``, store it.

    Returns one ``DraftedPrototype`` per ID (its ``launcher`` is the code that starts the prototype; it is
    not run). Kinds: see ``disco_magics.generate.templates.kinds()``; the default follows each hypothesis'
    risk. A file the user changed since it was generated is never overwritten: the draft goes to a new
    version folder and a note says so.
    """
    from ..generate.prototype import draft_prototypes
    from ..model.prototype import DraftedPrototype
    from ..prototypes import launcher, write_prototype

    s = _session(session)
    wanted = [ids] if isinstance(ids, str) else list(ids)
    if not wanted:
        raise ValidationFailed("name at least one hypothesis ID", example=PROTOTYPE_EXAMPLE)
    found = [s.resolve_hypothesis(i, problem, example=PROTOTYPE_EXAMPLE) for i in dict.fromkeys(wanted)]
    drafted = draft_prototypes(s, found, kind, progress=progress)
    store_path = str(s.store.path) if s.store.path is not None else None
    made = []
    for proto in drafted:
        written = write_prototype(proto, out, store_path=store_path)
        s.store.add_artifact(
            "prototype",
            f"{proto.problem}/{proto.hypothesis}",
            proto.model_dump(mode="json") | {"folder": str(written.folder), "version": written.version},
        )
        made.append(
            DraftedPrototype(
                prototype=proto,
                folder=str(written.folder),
                version=written.version,
                written=written.written,
                unchanged=written.unchanged,
                notes=written.notes,
                launcher=launcher(proto, written.folder, out),
            )
        )
    return made
