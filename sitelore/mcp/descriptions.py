"""What the MCP server and each of its tools say to an agent: when to use which.

The words are plain and factual, as the clients' policies ask (no "you must", no urgency);
each tool's text says what it costs (a live crawl, or no web request at all) and which
tool to use instead for a neighbouring need.
"""

from __future__ import annotations

INSTRUCTIONS = """\
sitelore reads company websites: a business profile (name, industry, description) and
knowledge items (plans and prices, features, FAQ answers, contact details, policies ...),
each with the URL of the page it comes from; cite it. What was extracted is kept: look it
up with search_knowledge or get_knowledge before crawling a site again. Answers are cut
to a size budget; pass nextCursor back as cursor for the rest."""

QUERY = (
    'words that must all appear (case and accents do not matter); "a phrase" in double '
    "quotes must appear as written; nothing else is an operator"
)
EXTRACT = """\
Crawl a company's website and answer its business profile (name, industry, description)
and its knowledge items: one per plan and price, feature, FAQ answer, contact detail,
policy ..., each with the URL of its page. The most informative pages are crawled first
(pricing, features, about, FAQ, contact), up to maxPages. Use it to learn what a company
offers, charges or says. It fetches live pages and takes seconds to minutes; what it finds
is kept, so look a site up with search_knowledge or get_knowledge before crawling it again.
For one page's text use scrape_page; to see a site's pages first, get_sitemap. If the crawl
outlasts waitSeconds the answer has status processing: get_job(jobId, waitSeconds) waits on.
More items than fit come with nextCursor: get_knowledge(cursor=nextCursor) gives the rest."""
SITEMAP = """\
List the URLs of a site that a crawl would consider (from its sitemaps and its start
page), best first, each with its kind (pricing, faq, about, blog ...). Only robots.txt,
the sitemaps and the start page are fetched. Use it to see what a site has before choosing
pages for extract_knowledge(urls=...) or scrape_page. Long lists come in pages: pass
nextCursor back as cursor (url is then ignored)."""
SCRAPE = """\
One web page's main text as Markdown, with its title, description and links; no crawl,
nothing kept. Use it to read a particular page; to learn about a company as a whole use
extract_knowledge. Long pages come in pieces: pass nextCursor back as cursor (url is then
ignored)."""
CLASSIFY = """\
Who a company is, from its home page and up to three about pages: its name, industry
sector (with how sure that is), schema.org type, audience, description, headline and
selling points; a field the pages give no sign of is null, never guessed. Quicker than
extract_knowledge (four pages at most) and nothing is kept; for what a company offers and
charges use extract_knowledge. If it outlasts waitSeconds, pass nextCursor back as cursor
to wait on (url is then ignored)."""
SEARCH = """\
Search the knowledge items of every site extracted before (with extract_knowledge, or
through the HTTP API with the same key), best first, each with a snippet and the URL of
its page. No web page is fetched: use it first when the answer may be known already.
More hits come with nextCursor: pass it back as cursor (the other arguments are then
those of the first call)."""
KNOWLEDGE = """\
The knowledge items of one extraction (jobId) or one site (domain, as extracted last),
all of them or one category's, page by page, with the business profile. With neither
jobId nor domain: the sites there is knowledge of. Use it to read all that is known about
a company; to find something particular, search_knowledge. Pass nextCursor back as cursor
for the next page (the other arguments are then those of the first call)."""
GET_JOB = """\
A job's status and progress (pages scraped of pages planned); for a completed extraction
its business profile and item counts by category (its items: get_knowledge). waitSeconds
waits for a running job to finish, with progress notifications."""
LIST_JOBS = """\
The jobs of this caller, newest first: each one's id, task, URL and status (no results).
Pass nextCursor back as cursor for older ones."""
CANCEL = """\
Stop a pending or running job; it ends failed with 'Job cancelled'. A finished job
cannot be cancelled."""
