"""Loads the re-ranking model and the vision encoder used for screenshots."""
import torch
from tensorflow import keras
from transformers import AutoModelForSequenceClassification, AutoTokenizer

RERANKER = "acme-ai/rag-reranker"

tokenizer = AutoTokenizer.from_pretrained(RERANKER)
reranker = AutoModelForSequenceClassification.from_pretrained(RERANKER, trust_remote_code=True, revision="main")

vision = torch.hub.load("acme-ai/vision-models", "resnet50", trust_repo=True)

intent_weights = keras.utils.get_file("intent.weights.h5", "http://models.acme-ai.example/intent.weights.h5")
