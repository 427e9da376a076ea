import sys


def _run() -> int:
    from desktop_app.core.sandbox_child import FLAG, run_child

    if sys.argv[1:2] == [FLAG]:
        # A bundle runs model code with its own executable (core/sandbox_child.py): decided
        # before the rest of the app is imported, so the code starts in a near-empty process.
        return run_child(sys.argv[2:])
    from desktop_app.cli import main

    return main()


sys.exit(_run())
