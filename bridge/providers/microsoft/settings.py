"""The `[microsoft]` settings section (`CALBRIDGE_MICROSOFT_*` in the environment)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MicrosoftSettings(BaseModel):
    """The `[microsoft]` settings: CalBridge's app registration and, for tests, where Graph lives.

    `tenant` is the Microsoft Entra tenant in the sign-in URLs: `common`
    accepts work, school and personal accounts.
    """

    client_id: str = ""
    client_secret: str = Field(default="", repr=False)
    tenant: str = "common"
    login_base: str = "https://login.microsoftonline.com"
    graph_base: str = "https://graph.microsoft.com"
