"""The knowledge store's tables in the embedded SQLite file (created when missing, so an
existing data directory gets them the first time a newer sitelore opens it).

Items are searched through ``knowledge_fts``, an FTS5 index over their title and content
that reads the text from ``knowledge_items`` (external content) and that triggers keep in
step with it. Its tokenizer folds case and accents and splits on anything that is not a
letter or a digit, in any script (no stemming: English rules would hurt other languages).
"""

from __future__ import annotations

KNOWLEDGE_SCHEMA = """
CREATE TABLE IF NOT EXISTS knowledge_sites (
    owner TEXT NOT NULL, domain TEXT NOT NULL, profile TEXT NOT NULL, job_id TEXT NOT NULL,
    updated_at REAL NOT NULL, PRIMARY KEY (owner, domain)
);
CREATE TABLE IF NOT EXISTS knowledge_items (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL,
    domain TEXT NOT NULL, job_id TEXT NOT NULL, category TEXT NOT NULL, title TEXT NOT NULL,
    description TEXT NOT NULL, content TEXT NOT NULL, source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS knowledge_items_by_site ON knowledge_items (owner, domain, source);
CREATE TABLE IF NOT EXISTS knowledge_previous (
    owner TEXT NOT NULL, domain TEXT NOT NULL, job_id TEXT NOT NULL, items TEXT NOT NULL,
    replaced_at REAL NOT NULL, PRIMARY KEY (owner, domain)
);
CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5(
    title, content, content='knowledge_items', content_rowid='seq',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS knowledge_items_indexed AFTER INSERT ON knowledge_items BEGIN
    INSERT INTO knowledge_fts (rowid, title, content)
        VALUES (new.seq, new.title, new.content);
END;
CREATE TRIGGER IF NOT EXISTS knowledge_items_unindexed AFTER DELETE ON knowledge_items BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, title, content)
        VALUES ('delete', old.seq, old.title, old.content);
END;
CREATE TRIGGER IF NOT EXISTS knowledge_items_reindexed AFTER UPDATE ON knowledge_items BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, title, content)
        VALUES ('delete', old.seq, old.title, old.content);
    INSERT INTO knowledge_fts (rowid, title, content)
        VALUES (new.seq, new.title, new.content);
END;
"""
