"""``SiteloreReader``: a site's knowledge as LlamaIndex documents, one per knowledge item.

    from sitelore.integrations.llamaindex import SiteloreReader

    documents = SiteloreReader("https://acme.com", max_pages=20).load_data()
    documents = SiteloreReader(domain="acme.com").load_data()  # the local store

The same options and documents as :class:`sitelore.integrations.langchain.SiteloreLoader`
(:mod:`sitelore.integrations.items`): ``text`` is the item's text, ``metadata`` its
``item_id``, ``domain``, ``category``, ``source``, ``title``, ``description``,
``business`` (and ``job_id``), ``id_`` the item's id. The ids and the description are
kept out of the text that embeddings and the LLM see; the rest of the metadata goes with
it, as LlamaIndex does by default. Needs ``llama-index-core`` (``sitelore[llamaindex]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Unpack

from llama_index.core import Document
from llama_index.core.readers.base import BaseReader

from sitelore.integrations.items import ItemSource, LoadedItem, LoadOptions

HIDDEN = ["item_id", "job_id", "description"]  # noise, or the content again, for a model


class SiteloreReader(BaseReader):
    """One ``Document`` per knowledge item of a URL (extracted now), a server's job
    (``job_id=``) or a stored site (``domain=``); in this process, or on a server
    (``base_url=``, ``api_key=``)."""

    def __init__(self, url: str | None = None, **options: Unpack[LoadOptions]) -> None:
        self.source = ItemSource.of(url, options)

    def lazy_load_data(self, *args: Any, **load_kwargs: Any) -> Iterable[Document]:
        _no_arguments(args, load_kwargs)
        for item in self.source.load():
            yield _document(item)

    async def alazy_load_data(self, *args: Any, **load_kwargs: Any) -> Iterable[Document]:
        _no_arguments(args, load_kwargs)
        return [_document(item) for item in await self.source.aload()]

    async def aload_data(self, *args: Any, **load_kwargs: Any) -> list[Document]:
        return list(await self.alazy_load_data(*args, **load_kwargs))


def _no_arguments(args: tuple[Any, ...], load_kwargs: dict[str, Any]) -> None:
    # The base class lets readers take their source when loading; this one takes it when
    # made, so that both frameworks' classes take the same options the same way.
    if args or load_kwargs:
        raise TypeError("SiteloreReader takes its source and options when made, not here")


def _document(item: LoadedItem) -> Document:
    return Document(
        id_=item.id,
        text=item.text,
        metadata=item.metadata(),
        excluded_embed_metadata_keys=HIDDEN,
        excluded_llm_metadata_keys=HIDDEN,
    )
