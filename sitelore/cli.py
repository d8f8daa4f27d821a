"""The ``sitelore`` command line.

``extract`` runs with its user's own rights: its network guard allows private networks and
every port (only http/https URLs are fetched). ``serve`` guards as its settings say
(``SITELORE_ALLOW_PRIVATE_NETWORKS``, ``SITELORE_ALLOWED_PORTS``; see SECURITY.md).

Exit status: 0 done; 1 the site could not be extracted (DNS, refused, timeout,
robots.txt forbids the start page, no page extracted); 2 bad input. Every error
is one line on stderr. Heavy modules are imported inside the commands so that
``sitelore --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from sitelore import cli_classify, cli_knowledge, cli_mcp, cli_server
from sitelore.cli_args import BadInput, check_range, server_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.progress import Progress

    from sitelore.models import CrawlOptions, Event, ExtractRequest, ExtractResult

T = TypeVar("T")

MAX_TIMEOUT = 600.0
MAX_CONCURRENCY = 32

app = typer.Typer(
    name="sitelore",
    help="Turn a company's website into a business profile and knowledge items.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it with rich costs ~0.1 s of start-up
)


def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            shown = version("sitelore")
        except PackageNotFoundError:  # run from a source tree that was never installed
            shown = "unknown (not installed)"
        sys.stdout.write(f"sitelore {shown}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version, help="Show the version."),
    ] = False,
) -> None:
    """Turn a company's website into a business profile and knowledge items."""


@app.command()
def extract(
    url: Annotated[str, typer.Argument(help="Any page of the site, e.g. https://example.com")],
    max_pages: Annotated[int, typer.Option("--max-pages", help="Pages to extract.")] = 10,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the JSON here, not to stdout.")
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="Path glob a page must match (repeatable)."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Path glob to leave out (repeatable).")
    ] = None,
    single_page: Annotated[bool, typer.Option("--single-page", help="Only URL itself.")] = False,
    urls: Annotated[
        list[str] | None,
        typer.Option(
            "--urls", help="Extract exactly these pages (repeatable, or comma-separated)."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 30.0,
    concurrency: Annotated[int, typer.Option(help="Requests at once per host.")] = 4,
    user_agent: Annotated[
        str | None, typer.Option("--user-agent", help="User-Agent header.")
    ] = None,
    no_robots: Annotated[bool, typer.Option("--no-robots", help="Ignore robots.txt.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No progress bar.")] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Say why: each page's kind and why it was planned or skipped, each item's "
            "category and title (a report on stderr, an 'explain' object in the JSON).",
        ),
    ] = False,
    save: Annotated[
        bool,
        typer.Option(
            "--save", help="Also keep the result in the local knowledge store (see search)."
        ),
    ] = False,
    render: Annotated[
        str,
        typer.Option(
            "--render",
            help="auto: render script-built pages in Chromium; never: the HTTP text only; "
            "always: every page.",
        ),
    ] = "auto",
    server: Annotated[
        str | None, typer.Option("--server", help="Run on a sitelore server at this URL.")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="Key for --server (or SITELORE_API_KEY).")
    ] = None,
) -> None:
    """Crawl a site and print its profile and knowledge items as JSON."""
    from sitelore.models import DEFAULT_USER_AGENT, CrawlOptions, ExtractRequest, RenderMode

    if render not in tuple(RenderMode):
        raise BadInput(f"--render must be auto, never or always, got {render!r}")
    check_range("--timeout", timeout, 0.1, MAX_TIMEOUT)
    check_range("--concurrency", concurrency, 1, MAX_CONCURRENCY)
    request = ExtractRequest(
        url=url,
        max_pages=max_pages,
        single_page=single_page,
        include_patterns=tuple(include or ()),
        exclude_patterns=tuple(exclude or ()),
        urls=_split_urls(urls),
        explain=explain,
        render=RenderMode(render),
    )
    options = CrawlOptions(
        user_agent=user_agent or DEFAULT_USER_AGENT,
        timeout=timeout,
        concurrency=concurrency,
        obey_robots=not no_robots,
    )
    if output is not None:
        _check_writable(output)  # before the crawl, not after it
    if server is not None:
        request = _schemed(request, "https", guessed="the server is sent")
        result = _run_remote(server, api_key, request, show_progress=not quiet)
    else:
        request = _local_request(request, options)  # before the progress bar draws
        result = _run_extraction(request, options, show_progress=not quiet, save=save)
    if explain:
        from sitelore.cli_report import explain_report

        sys.stderr.write(explain_report(result))
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _local_request(request: ExtractRequest, options: CrawlOptions) -> ExtractRequest:
    """The request validated; a URL typed without its scheme gets https, or http when its
    host does not speak TLS (tried only once the rest of the request is known to be good)."""
    import asyncio

    from sitelore.core.netpolicy import NetworkPolicy
    from sitelore.core.request import LOCAL_MAX_PAGES_CAP, validate_request
    from sitelore.crawl.fetcher import Fetcher
    from sitelore.crawl.scheme import choose_scheme, is_bare

    policy = NetworkPolicy.permissive()
    checked = validate_request(_schemed(request, "https"), LOCAL_MAX_PAGES_CAP, policy)
    if not is_bare(request.url):
        return checked

    async def probe() -> tuple[str, str | None]:
        async with Fetcher(options, policy=policy) as fetcher:
            return await choose_scheme(request.url, fetcher)

    scheme, why = asyncio.run(probe())
    if scheme == "https":
        return checked
    checked = validate_request(_schemed(request, scheme), LOCAL_MAX_PAGES_CAP, policy)
    sys.stderr.write(f"sitelore: {why}: using {checked.url}\n")
    return checked


def _schemed(request: ExtractRequest, scheme: str, *, guessed: str = "") -> ExtractRequest:
    """``request`` with ``scheme`` before its URLs typed without one (``--urls`` too, which
    take the scheme of URL when it has one); with ``guessed``, says so on stderr."""
    from dataclasses import replace
    from urllib.parse import urlsplit

    from sitelore.crawl.scheme import is_bare, with_scheme

    if not is_bare(request.url):
        scheme = urlsplit(request.url.strip()).scheme.lower() or scheme
    elif guessed:
        sys.stderr.write(
            f"sitelore: no scheme in {request.url}: {guessed} {with_scheme(request.url, scheme)}"
            " (write http:// for a site without TLS)\n"
        )
    urls = request.urls
    return replace(
        request,
        url=with_scheme(request.url, scheme),
        urls=None if urls is None else tuple(with_scheme(url, scheme) for url in urls),
    )


def _check_writable(output: Path) -> None:
    """``-o`` names a file that can be written: tried now, by opening it (a permission
    check would not see a read-only file system, nor run as root), and left as it was."""
    existed = output.exists()
    try:
        with output.open("a", encoding="utf-8"):
            pass
    except OSError as error:
        raise BadInput(f"--output: cannot write {output}: {error.strerror or error}") from None
    if not existed:
        output.unlink()


def _split_urls(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(part for value in values for part in value.replace(",", " ").split())


def _run_extraction(
    request: ExtractRequest, options: CrawlOptions, *, show_progress: bool, save: bool = False
) -> dict[str, object]:
    import asyncio
    import os

    from sitelore.models import PageScraped, PageStatus
    from sitelore.pipeline import extract_locally

    chromium = os.environ.get("SITELORE_CHROMIUM") or None

    async def run(bar: _ProgressBar) -> ExtractResult:
        return await extract_locally(request, listener(bar), options=options, chromium=chromium)

    done: set[str] = set()  # the pages extracted, for --save

    def listener(bar: _ProgressBar) -> Callable[[Event], None] | None:
        if not save:
            return bar.on_event if bar.shows else None  # no listener: the crawl skips plans

        def heard(event: Event) -> None:
            if isinstance(event, PageScraped) and event.status == PageStatus.DONE:
                done.add(event.url)
            if bar.shows:
                bar.on_event(event)

        return heard

    with _ProgressBar(enabled=show_progress) as bar:
        result = asyncio.run(run(bar))
    if save:
        sys.stderr.write(f"sitelore: {cli_knowledge.save_locally(request, result, done)}\n")
    return result.to_dict()


def _run_remote(
    server: str, api_key: str | None, request: ExtractRequest, *, show_progress: bool
) -> dict[str, object]:
    """The same extraction on a server, followed through its event stream."""
    from sitelore.client import Client
    from sitelore.errors import ExtractionFailed
    from sitelore.models import PageScraped, PagesPlanned, PlannedPage, RenderMode

    key = server_key(api_key)
    fields = {
        "maxPages": request.max_pages,
        "singlePage": request.single_page,
        "includePatterns": list(request.include_patterns),
        "excludePatterns": list(request.exclude_patterns),
        "urls": None if request.urls is None else list(request.urls),
    }
    if request.explain:  # only then: a server older than the field refuses it
        fields["explain"] = True
    if request.render is not RenderMode.AUTO:  # likewise
        fields["render"] = str(request.render)
    with Client(server, key) as client, _ProgressBar(enabled=show_progress) as bar:
        for event in client.stream(request.url, **fields):
            data = event.data
            if event.event == "pages_planned":
                pages = tuple(PlannedPage(p["url"], p["purpose"]) for p in data["pages"])
                bar.on_event(PagesPlanned(pages, data["urlsDiscovered"]))
            elif event.event == "page_scraped":
                bar.on_event(
                    PageScraped(
                        data["url"], data["index"], data["total"], data["status"], data["error"]
                    )
                )
            elif event.event == "complete":
                result: dict[str, object] = data["result"]
                return result
            elif event.event == "error":
                raise ExtractionFailed(str(data.get("message", "extraction failed")))
    raise ExtractionFailed("the server closed the stream before the extraction ended")


class _ProgressBar:
    """Pages done / planned and the current URL, on stderr (never in logs and pipes)."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Progress | None = None
        if enabled and sys.stderr.isatty():
            # rich is imported only for a bar that shows: ~30 ms of start-up otherwise
            self._progress = _new_progress()
            self._task = self._progress.add_task("pages", total=None, url="")

    @property
    def shows(self) -> bool:
        return self._progress is not None

    def __enter__(self) -> _ProgressBar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def on_event(self, event: Event) -> None:
        if self._progress is None:
            return
        from sitelore.models import PageScraped, PagesPlanned

        if isinstance(event, PagesPlanned):
            self._progress.update(self._task, total=len(event.pages))
        elif isinstance(event, PageScraped):
            url = event.url if len(event.url) <= 70 else event.url[:67] + "..."
            done = event.status == "done"
            self._progress.update(self._task, advance=1 if done else 0, url=url)


def _new_progress() -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}", style="cyan"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[url]}", style="dim"),
        console=Console(stderr=True),
        transient=True,
    )


cli_server.register(app)
cli_knowledge.register(app)
cli_classify.register(app)
cli_mcp.register(app)


INTERRUPTED = 130  # the shell's status for a command ended by SIGINT (128 + 2)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status instead of raising ``SystemExit``."""
    from sitelore.errors import APIError, InvalidRequest, SiteloreError

    try:
        status = app(args=argv, prog_name="sitelore", standalone_mode=False)
    except InvalidRequest as error:
        return _fail(_in_options(str(error), error.field), 2)
    except BadInput as error:
        return _fail(str(error), 2)
    except APIError as error:
        return _fail(error.message, 2 if error.status == 400 else 1)
    except SiteloreError as error:
        return _fail(str(error), 1)
    except typer.Exit as done:
        return int(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted", INTERRUPTED)
    except OSError as error:
        return _fail(f"cannot write output: {error}", 1)
    except Exception as error:
        if _is_usage_error(error):
            return _usage_error(error)
        raise
    if status == INTERRUPTED:  # typer's answer to Ctrl-C (it returns the status): say it
        return _fail("interrupted", INTERRUPTED)
    return status if isinstance(status, int) else 0


# The request's fields as the command line calls them ("maxPages must be ..." is the API's).
OPTIONS = {
    "maxPages": "--max-pages",
    "includePatterns": "--include",
    "excludePatterns": "--exclude",
    "urls": "--urls",
    "singlePage": "--single-page",
    "explain": "--explain",
    "render": "--render",
}


def _in_options(message: str, field: str | None) -> str:
    option = OPTIONS.get(field or "")
    if option is None or not message.startswith(field or ""):
        return message
    return option + message[len(field or "") :]


def _is_usage_error(error: Exception) -> bool:
    # Typer raises click's usage errors (vendored in recent releases): they carry the
    # exit status 2 and a message formatter.
    return getattr(error, "exit_code", None) == 2 and hasattr(error, "format_message")


def _usage_error(error: Exception) -> int:
    if type(error).__name__ == "NoArgsIsHelpError":
        return 2  # the help text has been printed already
    return _fail(str(error.format_message()), 2)  # type: ignore[attr-defined]


def _fail(message: str, status: int) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    sys.stderr.write(f"sitelore: error: {first_line}\n")
    return status


def entry_point() -> None:
    """The console script: ``sitelore ...``."""
    _skip_httpx_cli()
    sys.exit(main())


def _skip_httpx_cli() -> None:
    """httpx imports its own command line (click, rich, pygments: ~65 ms) whenever those are
    installed, as they are beside typer. This process never runs it: an empty module in its
    place makes httpx fall back to its stub, as it does when they are missing."""
    import types

    sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))


if __name__ == "__main__":
    entry_point()
