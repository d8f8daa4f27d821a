"""The knowledge store's tables in PostgreSQL (migration 4 of :mod:`sitelore.jobs.pgschema`).

Items carry a generated ``tsvector`` (title weighed A, content B) under a GIN index. Its text
search configuration, ``sitelore_fold``, is ``simple`` (no stemming, no stop words: it works
for any language) with the ``unaccent`` dictionary in front, so accents fold on both sides of
a match and ``ts_headline`` finds the matched words in the raw content; hyphenated words are
their parts only, as in SQLite's tokenizer. The extension goes to
``public`` unless the database has it elsewhere already; the configuration names its
dictionary with the schema it found, so either works.
"""

from __future__ import annotations

KNOWLEDGE_TABLES = """
DO $$
DECLARE home text;
BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
    SELECT extnamespace::regnamespace::text INTO home FROM pg_extension
        WHERE extname = 'unaccent';
    CREATE TEXT SEARCH CONFIGURATION sitelore_fold (COPY = pg_catalog.simple);
    EXECUTE format('ALTER TEXT SEARCH CONFIGURATION sitelore_fold ALTER MAPPING FOR '
        'asciiword, word, numword, hword_asciipart, hword_part, hword_numpart '
        'WITH %s.unaccent, simple', home);
    -- "sign-on" is the words sign and on, as in SQLite, not also one "sign-on" token
    -- (which would stand between "single" and "sign" and break the phrase).
    ALTER TEXT SEARCH CONFIGURATION sitelore_fold
        DROP MAPPING FOR asciihword, hword, numhword;
END $$;
CREATE TABLE sitelore_knowledge_sites (
    owner text NOT NULL, domain text NOT NULL, profile text NOT NULL, job_id text NOT NULL,
    updated_at double precision NOT NULL, PRIMARY KEY (owner, domain)
);
CREATE TABLE sitelore_knowledge_items (
    id text PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, owner text NOT NULL,
    domain text NOT NULL, job_id text NOT NULL, category text NOT NULL, title text NOT NULL,
    description text NOT NULL, content text NOT NULL, source text NOT NULL,
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('sitelore_fold'::regconfig, title), 'A')
        || setweight(to_tsvector('sitelore_fold'::regconfig, content), 'B')
    ) STORED
);
CREATE INDEX sitelore_knowledge_items_by_site
    ON sitelore_knowledge_items (owner, domain, source);
CREATE INDEX sitelore_knowledge_items_search ON sitelore_knowledge_items USING GIN (search);
CREATE TABLE sitelore_knowledge_previous (
    owner text NOT NULL, domain text NOT NULL, job_id text NOT NULL, items text NOT NULL,
    replaced_at double precision NOT NULL, PRIMARY KEY (owner, domain)
);
"""
