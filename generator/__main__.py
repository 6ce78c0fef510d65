"""The entry point of `trellis` and `python -m generator`: importing the CLI takes a moment,
and a Ctrl-C within it ends trellis like one at any other time, without a traceback."""

import sys


def main() -> None:
    try:
        from generator.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("trellis: error: interrupted\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
