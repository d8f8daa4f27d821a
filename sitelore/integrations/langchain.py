"""``SiteloreLoader``: a site's knowledge as LangChain documents, one per knowledge item.

    from sitelore.integrations.langchain import SiteloreLoader

    documents = SiteloreLoader("https://acme.com", max_pages=20).load()  # extracted here
    documents = SiteloreLoader(domain="acme.com").load()  # the local store (extract --save)
    documents = SiteloreLoader(
        job_id="job_...", base_url="http://localhost:8000", api_key="sl_..."
    ).load()  # a server's job

Each ``Document``'s ``page_content`` is the item's text, its ``metadata`` the item's
``item_id``, ``domain``, ``category``, ``source``, ``title``, ``description``,
``business`` (and ``job_id``), and its ``id`` the item's id: the options and the rules are
:mod:`sitelore.integrations.items`'. Needs ``langchain-core`` (``sitelore[langchain]``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Unpack

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from sitelore.integrations.items import ItemSource, LoadedItem, LoadOptions


class SiteloreLoader(BaseLoader):
    """One ``Document`` per knowledge item of a URL (extracted now), a server's job
    (``job_id=``) or a stored site (``domain=``); in this process, or on a server
    (``base_url=``, ``api_key=``)."""

    def __init__(self, url: str | None = None, **options: Unpack[LoadOptions]) -> None:
        self.source = ItemSource.of(url, options)

    def lazy_load(self) -> Iterator[Document]:
        for item in self.source.load():
            yield _document(item)

    async def alazy_load(self) -> AsyncIterator[Document]:
        for item in await self.source.aload():
            yield _document(item)


def _document(item: LoadedItem) -> Document:
    return Document(page_content=item.text, metadata=item.metadata(), id=item.id)
