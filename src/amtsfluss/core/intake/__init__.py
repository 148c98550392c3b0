"""Generic intake channels: an IMAP mailbox and a watched folder (docs/design/intake.md).

Apps register a handler per purpose (``handlers.register_handler("rechnung", fn)``); the worker
polls every active channel each minute (``tasks``) and hands every message or file to it as an
:class:`~amtsfluss.core.intake.items.IntakeItem`.
"""
