"""Fine-tunes the re-ranker and exports it for the API."""
import joblib
import pandas as pd
import torch
from torch import nn


class Reranker(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(768, 1)


def resume(checkpoint_path: str) -> Reranker:
    model = Reranker()
    state = torch.load(checkpoint_path, map_location="cpu")
    model.load_state_dict(state["model"])
    return model


def load_teacher(path):
    # The teacher checkpoint predates torch 2.6 and stores optimizer objects.
    return torch.load(path, weights_only=False)


def training_data():
    frame = pd.read_pickle("data/train_pairs.pkl")
    calibrator = joblib.load("artifacts/calibrator.joblib")
    return frame, calibrator
