"""``python -m lamina.engine``: run the engine on stdin/stdout (see `lamina.engine.server`)."""

from lamina.engine.server import main

main()
