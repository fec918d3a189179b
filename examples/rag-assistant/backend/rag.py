"""Retrieval: a FAISS index over the document chunks plus cached embeddings."""
import numpy as np
from langchain_community.embeddings import HuggingFaceEmbeddings
from langchain_community.vectorstores import FAISS

embeddings = HuggingFaceEmbeddings(model_name="sentence-transformers/all-MiniLM-L6-v2")

# The index folder is synced from a shared bucket that several teams write to.
store = FAISS.load_local("indexes/docs", embeddings, allow_dangerous_deserialization=True)

cached = np.load("indexes/chunk_embeddings.npy", allow_pickle=True)


def answer(features, top_k=4):
    hits = store.similarity_search_by_vector(features, k=top_k)
    return "\n".join(h.page_content for h in hits)
