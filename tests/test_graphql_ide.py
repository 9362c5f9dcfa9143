"""GraphiQL in a real browser (headless Chromium, tests/browser.py): it loads from this server
alone, reads the schema and runs a query, with no error in the console."""

from __future__ import annotations

from tests.browser import Browser


def test_graphiql_runs_a_query_offline(demo_url: str) -> None:
    with Browser() as browser:
        page = browser.new_page()
        page.goto(demo_url + "/graphql")
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
