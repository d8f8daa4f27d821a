"""The LangChain loader and the LlamaIndex reader (:mod:`sitelore.integrations.langchain`,
:mod:`sitelore.integrations.llamaindex`), each blocking and async, against the real
frameworks: one document per knowledge item, with complete metadata, from a URL extracted
here, from the local store, and from a real server by URL, job id and domain."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sitelore.client import Client
from sitelore.errors import (
    AuthenticationError,
    ExtractionFailed,
    KnowledgeNotFound,
    NotFoundError,
)
from sitelore.models import CrawlOptions
from tests.apikit import Api
from tests.integrations.conftest import Load, Loaded, Saved
from tests.sitekit import ACME, ACME_HOME, serve_acme
from tests.webserver import WebServer, closed_port

HERMETIC = CrawlOptions(timeout=5, trust_env=False, max_retries=0, max_crawl_delay=0.2)
METADATA = {"item_id", "domain", "category", "source", "title", "description", "business"}
NEVER_EMPTY = METADATA - {"description"}


def check_documents(
    documents: list[Loaded], items: list[dict[str, Any]], domain: str, job_id: str | None
) -> None:
    """One document per item, with the item's fields in its metadata and text."""
    assert len(documents) == len(items) > 0
    expected = METADATA if job_id is None else METADATA | {"job_id"}
    for doc in documents:
        assert set(doc.metadata) == expected, doc.metadata
        assert all(isinstance(value, str) for value in doc.metadata.values())
        assert all(doc.metadata[name] for name in NEVER_EMPTY), doc.metadata
        assert doc.metadata["domain"] == domain
        assert doc.id == doc.metadata["item_id"] and doc.metadata["item_id"].startswith("kn_")
        assert doc.metadata["title"] in doc.text
        assert doc.metadata.get("job_id") == job_id
    assert sorted(_fields(doc.metadata) for doc in documents) == sorted(map(_fields, items))


def _fields(item: dict[str, Any]) -> tuple[str, str, str]:
    return item["title"], item["category"], item["source"]


def test_a_url_is_extracted_here(each_load: Load, saved: Saved, local_site: str) -> None:
    documents = each_load(local_site, max_pages=5, crawl_options=HERMETIC)
    check_documents(documents, saved.result["knowledgeItems"], "127.0.0.1", None)
    business = saved.result["business"]["name"]
    assert {doc.metadata["business"] for doc in documents} == {business}


def test_a_stored_domain_is_read_from_the_local_store(
    load: Load, saved: Saved, local_site: str
) -> None:
    stored = load(domain="127.0.0.1", data_dir=saved.data_dir)
    check_documents(stored, saved.result["knowledgeItems"], "127.0.0.1", "local")
    # An item extracted here has the id it has in the local store once saved.
    extracted = load(local_site, max_pages=5, crawl_options=HERMETIC)
    assert Counter(doc.id for doc in extracted) == Counter(doc.id for doc in stored)


def test_a_url_runs_as_a_job_on_a_server(load: Load, server: Api, web: WebServer) -> None:
    serve_acme(web)
    documents = load(ACME_HOME, max_pages=4, base_url=server.url, api_key=server.key.key)
    with Client(server.url, server.key.key) as client:
        (job,) = client.list_jobs()["jobs"]
        result = client.get_job(job["id"])["result"]
    assert result["pagesScraped"] == 4
    check_documents(documents, result["knowledgeItems"], ACME, job["id"])


def test_a_servers_job_and_domain_are_read(each_load: Load, server: Api, web: WebServer) -> None:
    serve_acme(web)
    with Client(server.url, server.key.key) as client:
        job_id = client.extract_async(ACME_HOME, max_pages=3)  # still running: waited for
        by_job = each_load(job_id=job_id, base_url=server.url, api_key=server.key.key)
        result = client.get_job(job_id)["result"]
        stored = client.knowledge(ACME)["knowledgeItems"]
    check_documents(by_job, result["knowledgeItems"], ACME, job_id)
    by_domain = each_load(domain="www.acme.test", base_url=server.url, api_key=server.key.key)
    check_documents(by_domain, stored, ACME, job_id)
    assert {doc.id for doc in by_domain} == {item["id"] for item in stored}


def test_the_server_says_what_is_wrong(load: Load, server: Api, web: WebServer) -> None:
    serve_acme(web)
    remote = {"base_url": server.url, "api_key": server.key.key}
    with pytest.raises(NotFoundError, match=r"no knowledge of nowhere\.test"):
        load(domain="nowhere.test", **remote)
    with pytest.raises(NotFoundError):
        load(job_id="job_doesnotexist1", **remote)
    with pytest.raises(AuthenticationError):
        load(domain=ACME, base_url=server.url, api_key="sl_nope_nope")
    with pytest.raises(ExtractionFailed, match="failed"):
        load(f"http://127.0.0.1:{closed_port()}/", **remote)


def test_a_domain_the_local_store_lacks_is_not_found(load: Load, saved: Saved) -> None:
    with pytest.raises(KnowledgeNotFound, match=r"no knowledge of nowhere\.test"):
        load(domain="nowhere.test", data_dir=saved.data_dir)
    empty = saved.data_dir.parent / "empty"
    with pytest.raises(KnowledgeNotFound, match="no local knowledge store"):
        load(domain="acme.test", data_dir=empty)
    assert not empty.exists()  # looking did not make one


def test_the_frameworks_own_types(saved: Saved) -> None:
    from langchain_core.document_loaders import BaseLoader
    from langchain_core.documents import Document as LangChainDocument
    from llama_index.core import Document as LlamaDocument
    from llama_index.core.readers.base import BaseReader
    from llama_index.core.schema import MetadataMode

    from sitelore.integrations.langchain import SiteloreLoader
    from sitelore.integrations.llamaindex import SiteloreReader

    loader = SiteloreLoader(domain="127.0.0.1", data_dir=saved.data_dir)
    reader = SiteloreReader(domain="127.0.0.1", data_dir=saved.data_dir)
    assert isinstance(loader, BaseLoader) and isinstance(reader, BaseReader)
    assert all(isinstance(doc, LangChainDocument) for doc in loader.load())
    documents = reader.load_data()
    assert all(isinstance(doc, LlamaDocument) for doc in documents)
    embedded = documents[0].get_content(metadata_mode=MetadataMode.EMBED)
    assert "item_id" not in embedded and "title: " in embedded
    with pytest.raises(TypeError, match="when made"):
        reader.load_data("http://acme.test/")
