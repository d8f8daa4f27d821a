"""sitelore for agents: an MCP server (the optional extra ``sitelore[mcp]``).

``service`` is what the tools ask of sitelore (:class:`~sitelore.mcp.service.ToolService`)
and its implementation on the job store and workers, with a key's id as the owner;
``paging`` cuts answers to a budget and continues them with cursors; ``answers`` holds
the answers' shapes; ``descriptions`` what the tools say to an agent; ``tools`` declares
the tools on the official ``mcp`` SDK (with ``stdio``, the only modules here that import
it); ``stdio`` runs them for ``sitelore mcp``. The HTTP API mounts the same tools at
``/mcp`` (:mod:`sitelore.api.mcphttp`).
"""
