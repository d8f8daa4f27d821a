"""The extraction request body: parsed by pydantic (for the OpenAPI docs), checked by the core."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.request import validate_request
from sitelore.models import ExtractRequest

MAX_LIST = 100


class ExtractBody(BaseModel):
    """Fields of API.md's extraction request; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    url: StrictStr = Field(
        description="URL of any page of the site, starting with `http://` or `https://`"
    )
    maxPages: StrictInt = Field(10, description="pages to extract, 1 to the server cap")
    singlePage: StrictBool = Field(False, description="only `url` is scraped")
    includePatterns: list[StrictStr] = Field(default_factory=list, max_length=MAX_LIST)
    excludePatterns: list[StrictStr] = Field(default_factory=list, max_length=MAX_LIST)
    urls: list[StrictStr] | None = Field(None, max_length=MAX_LIST)
    callbackUrl: StrictStr | None = Field(
        None, description="webhook target: `/v1/extract/async` only (a 400 on the other routes)"
    )
    explain: StrictBool = Field(
        False,
        description="add `explain` to the result: each page's kind and why it was "
        "planned or skipped, each item's category and title reasons",
    )

    def to_request(self, max_pages_cap: int, policy: NetworkPolicy | None = None) -> ExtractRequest:
        """The validated request; URLs ``policy`` refuses for certain are a 400 now."""
        request = ExtractRequest(
            url=self.url,
            max_pages=self.maxPages,
            single_page=self.singlePage,
            include_patterns=tuple(self.includePatterns),
            exclude_patterns=tuple(self.excludePatterns),
            urls=None if self.urls is None else tuple(self.urls),
            callback_url=self.callbackUrl,
            explain=self.explain,
        )
        return validate_request(request, max_pages_cap, policy)
