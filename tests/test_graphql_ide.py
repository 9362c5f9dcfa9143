"""GraphiQL in a real browser (headless Chromium, tests/browser.py): it loads from this server
alone, reads the schema and runs a query, with no error in the console."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser, demo_store
from tests.server import running_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db: Path = demo_store(tmp_path_factory.getbasetemp())
    with running_server(db) as url:
        yield url


def test_graphiql_runs_a_query_offline(base_url: str) -> None:
    with Browser() as browser:
        page = browser.new_page()
        page.goto(base_url + "/graphql")
        page.wait_for("!!document.querySelector('.graphiql-container')", timeout=60)
        # the schema arrived (introspection): the docs explorer knows the Query type
        page.wait_for("!!document.querySelector('.graphiql-execute-button')")
        page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        text = page.wait_for("""(() => { const r = document.querySelector('.result-window')
                                          || document.querySelector('.graphiql-response');
                                          const t = r ? r.innerText : '';
                                          return t.includes('totalCount') ? t : ''; })()""",
                             timeout=60)
        assert '"hubs"' in text and '"members"' in text
        assert page.foreign_requests() == []
        assert any(u.endswith("/graphql") for u in page.requests)
        assert page.errors() == []
