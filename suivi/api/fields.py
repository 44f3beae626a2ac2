"""Field types shared by the routers of each app's ``api.py`` (this module knows no app)."""

from typing import Annotated

from pydantic import Field

# The id of a row: refused at once when it cannot be one (database keys are 64-bit).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
