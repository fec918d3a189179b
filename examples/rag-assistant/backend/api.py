"""HTTP API of the assistant: answers questions about uploaded documents."""
import pickle

import yaml
from fastapi import FastAPI, Request

from .rag import answer

app = FastAPI()

with open("config/assistant.yaml") as fh:
    CONFIG = yaml.load(fh, Loader=yaml.FullLoader)


@app.post("/ask")
async def ask(request: Request):
    body = await request.body()
    # Clients send a pickled feature vector to skip re-embedding the question.
    features = pickle.loads(body)
    return {"answer": answer(features, top_k=CONFIG["top_k"])}
