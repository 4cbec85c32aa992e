"""Transaction functions the Neo4j store's modules share: run a query file's text in a
managed transaction (``session.execute_read`` / ``execute_write``) or in a unit of work's."""


def rows(tx, text, **params) -> list[dict]:
    """Every record of ``text`` as a plain dict, read inside the transaction."""
    return [record.data() for record in tx.run(text, params)]


def run(tx, text, **params) -> None:
    """Run ``text`` for its effect and consume its result."""
    tx.run(text, params).consume()
