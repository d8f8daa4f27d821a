"""``sitelore classify URL``: the business from the site's key pages, as JSON on stdout.

It reads what ``POST /v1/classify`` reads (the home page and up to three about pages) on
this machine, with its user's own rights, as ``extract`` does.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from sitelore.cli_args import check_range


def register(app: typer.Typer) -> None:
    app.command()(classify)


def classify(
    url: Annotated[str, typer.Argument(help="The site's home page, e.g. https://example.com")],
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 30.0,
) -> None:
    """Classify a business from its home and about pages (JSON on stdout), without a full
    extraction: a field the pages give no sign of is null."""
    import asyncio
    import os

    from sitelore.classifying import classify_site
    from sitelore.cli import MAX_TIMEOUT, _local_request
    from sitelore.core.classification import Classification
    from sitelore.core.netpolicy import NetworkPolicy
    from sitelore.crawl.means import CrawlMeans
    from sitelore.crawl.pagework import PageProcesses
    from sitelore.crawl.sources.rendering import browser_for
    from sitelore.models import CrawlOptions, ExtractRequest

    check_range("--timeout", timeout, 0.1, MAX_TIMEOUT)
    options = CrawlOptions(timeout=timeout)
    request = _local_request(ExtractRequest(url, max_pages=1), options)
    policy = NetworkPolicy.permissive()
    chromium = os.environ.get("SITELORE_CHROMIUM") or None

    async def run() -> Classification:
        async with (
            PageProcesses() as work,
            browser_for(chromium, options, None, policy) as renderer,
        ):
            means = CrawlMeans(options, policy=policy, work=work, renderer=renderer)
            return await classify_site(request, means)

    answer = asyncio.run(run()).to_dict()
    sys.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False) + "\n")
