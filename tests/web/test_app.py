"""The application starts over the demo store and serves its pages."""


def test_overview_lists_every_stored_verdict(client, web_res):
    import sqlalchemy as sa

    from trendline.core import schema

    with web_res.engine.connect() as conn:
        ids = {r[0] for r in conn.execute(sa.select(schema.verdicts.c.indicator_id))}
    body = client.get("/").text
    assert ids and all(i in body for i in ids)


def test_unknown_page_is_a_404_page(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "Trendline" in r.text
