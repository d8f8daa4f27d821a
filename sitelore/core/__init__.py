"""The pure core: everything sitelore knows about pages and sites, and nothing about how
they arrive.

The layers, top to bottom (imports point down only)::

    cli, api            read the environment and configuration; HTTP and the command line
    jobs, runtime       stores, queues, workers, webhooks
    pipeline            extract_site = crawl + core
    crawl               the only code that talks to websites (fetcher, robots, sitemaps,
                        page processes)
    core                this package: URLs, globs, the network policy (as rules), HTML to
                        document, blocks, tables, knowledge items, categories, profile;
                        which raw pages are script shells (shells) or bot walls (challenges)
    models, errors      shared value types and the error tree

The core is pure: no network, no asyncio, no database, no web framework, no processes. It
takes strings and values and returns values, so every rule can be tested with a literal
page and runs the same in a worker, a page process or a notebook.
``tests/core/test_purity.py`` fails if a core module imports any of those.
"""
