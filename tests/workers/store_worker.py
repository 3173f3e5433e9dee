"""A separate process that uses the store the way a kernel does, for the reliability tests.

    python store_worker.py record STORE HYPOTHESIS FIRST COUNT [--stop PATH]
    python store_worker.py append STORE HYPOTHESIS FIRST COUNT
    python store_worker.py open STORE
    python store_worker.py declare STORE HYPOTHESIS FIRST COUNT

Both print ``ready`` once the package is imported, then wait for one line on stdin, so that the parent can
release several workers at the same instant.

``record`` calls ``disco_magics.measure`` (aggregates; the treatment's ``n`` runs from FIRST) COUNT times, or
until the file ``--stop`` exists when COUNT is 0, and prints ``ack HYPOTHESIS N`` after each call *returns*.
``append`` writes COUNT results through ``Store.add_result`` alone (the write ``measure`` ends with, without
its reads and statistics, so that thousands fit in a test's time): copies of the Result whose JSON is in
``DISCO_TEST_RESULT``, result ``N`` with ``look == N``.
``open`` opens the store (creating it when new) and prints ``opened`` with the table counts.
``declare`` re-declares problem ``onboarding`` and hypothesis HYPOTHESIS COUNT times (the same names as
every other worker: a team running the same notebook at once) and prints ``ack HYPOTHESIS N`` after each.

Errors are not caught: whatever a user would see lands on stderr and the exit status is non-zero.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    mode, store = argv[0], argv[1]
    import disco_magics as disco
    from disco_magics.session import Session, Settings

    session = Session(settings=Settings(store=store))
    if mode == "open":
        import disco_magics.store  # imported now, so that only the opening races
    else:
        if mode == "record":
            import disco_magics.stats  # loaded now, not during the first write
        session.store.counts()  # opened now: "go" starts the writes themselves
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "open":
        print("opened", session.store.counts(), flush=True)
        return 0
    hypothesis, first, count = argv[2], int(argv[3]), int(argv[4])
    stop = argv[argv.index("--stop") + 1] if "--stop" in argv else None
    if mode == "declare":
        statement = "Trial admins don't reach a first shared dashboard.\n"
        metrics = "metric: invite_rate = share of trials inviting a teammate (baseline 0.18)\n"
        belief = "We believe a checklist will raise invites, because admins don't see the team features."
        for n in range(first, first + count):
            disco.problem("onboarding", statement + metrics, session=session)
            disco.hypothesis(hypothesis, belief, metric="invite_rate", target=0.3, risk="value", session=session)
            print(f"ack {hypothesis} {n}", flush=True)
        return 0
    if mode == "append":
        from disco_magics.model.result import Result

        store = session.store
        # One real Result (JSON in DISCO_TEST_RESULT); each write is a copy for HYPOTHESIS whose ``look``
        # names it in the ack.
        template = Result.model_validate_json(os.environ["DISCO_TEST_RESULT"])
        for n in range(first, first + count):
            made = template.model_copy(update={"hypothesis": hypothesis, "look": n})
            store.add_result("onboarding", made, status=made.verdict)
            print(f"ack {hypothesis} {n}", flush=True)
        return 0
    n = first
    while (count and n < first + count) or (not count and not os.path.exists(stop)):
        disco.measure(hypothesis, observed=0.2, n=n, baseline=0.18, session=session)
        print(f"ack {hypothesis} {n}", flush=True)
        n += 1
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
