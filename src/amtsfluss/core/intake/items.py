"""What a channel hands to a handler, and the limits that protect the worker."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from amtsfluss.core.models import IntakeChannel, Mandant, Organisationseinheit

MIB = 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    filename: str  # sanitised: no path, no control characters, never empty
    content_type: str  # as declared by the sender (not trusted)
    data: bytes


@dataclass(frozen=True)
class IntakeItem:
    """One message or one file: where it came from, its text and its files."""

    channel: IntakeChannel
    source: str  # "mail" | "ordner"
    provenance: dict[str, str]
    body_text: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def mandant(self) -> Mandant:
        return self.channel.mandant

    @property
    def label(self) -> str:
        """Subject or file name, for lists of items."""
        return self.provenance.get("subject") or self.provenance.get("filename") or ""

    @property
    def unit(self) -> Organisationseinheit:
        return self.channel.unit


@dataclass(frozen=True)
class Limits:
    """Resource limits for untrusted mail and files; a breach refuses the item with a reason."""

    max_message_bytes: int = 50 * MIB
    max_parts: int = 200
    max_depth: int = 8
    max_attachment_bytes: int = field(default_factory=lambda: settings.AMTSFLUSS_MAX_UPLOAD_BYTES)
    max_body_chars: int = 1_000_000
    max_file_bytes: int = field(default_factory=lambda: settings.AMTSFLUSS_MAX_UPLOAD_BYTES)
    #: a file changed more recently than this is taken to be still being written
    settle_seconds: int = 15
    #: items per channel run; the rest come in the next minute
    max_items_per_run: int = 50
