"""The job records' JSON: a stored request reads back as it was written, old ones too."""

from __future__ import annotations

import json

from sitelore.jobs.models import request_from_json, request_to_json
from sitelore.models import ExtractRequest


def test_explain_is_stored_with_the_request() -> None:
    request = ExtractRequest("https://acme.test/", max_pages=3, explain=True)
    assert request_from_json(request_to_json(request)) == request


def test_a_request_stored_before_explain_existed_reads_back_without_it() -> None:
    stored = json.loads(request_to_json(ExtractRequest("https://acme.test/")))
    del stored["explain"]
    assert request_from_json(json.dumps(stored)).explain is False
