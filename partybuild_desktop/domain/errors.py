"""The one kind of error whose message is written for the clerk: what is wrong and what to do, in Chinese.

Every service's refusal derives from it, so the window can show the message as it is; any other
exception is a fault of the program and is shown as such, with the details in the log only.
"""

from dataclasses import dataclass


class Refusal(ValueError):
    """A change or file the program refuses, with the reason in Chinese."""


@dataclass(frozen=True)
class Warning:  # noqa: A001 (the services' name for it; the builtin is not used here)
    """What the clerk is told about a change that was saved all the same: ``code`` names the rule for
    scripts, ``message`` says it in Chinese."""

    code: str
    message: str

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message}


def has_chinese(text: str) -> bool:
    """Whether a message was written for the clerk (older refusals are plain ValueErrors in Chinese)."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
