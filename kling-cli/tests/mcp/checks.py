"""What the MCP test clients share: a tool result's text, and a checked step."""

import sys


def text(result) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def check(ok: bool, what: str, detail=""):
    if not ok:
        print(f"FAILED: {what}: {detail}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)
