"""Text-to-SQL: the model writes a query against the orders database, the assistant runs it."""
import sqlite3

from anthropic import Anthropic

client = Anthropic()
db = sqlite3.connect("orders.db")


def answer_with_sql(question: str):
    reply = client.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=300,
        system="Write one SQLite query that answers the question. Reply with SQL only.",
        messages=[{"role": "user", "content": question}],
    )
    query = reply.content[0].text.strip().strip("`")
    return db.execute(query).fetchall()
