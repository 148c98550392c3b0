"""One router per domain; each operation declares its input and output schemas."""
