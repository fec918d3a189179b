"""The classifier's tokenizer: ONE spec, implemented here (training) and in
server/src/classifier/tokenizer.ts (inference). Golden vectors written by train.py keep them equal.

Spec (version 1):
  1. "\r\n" -> "\n".
  2. UTF-8 encode.
  3. ASCII letters A-Z are lowered (bytes 0x41-0x5A -> +0x20); no other normalisation.
  4. Token id = byte + 1 (1..256); 0 is padding.
  5. Windows of WINDOW tokens, starting every STRIDE tokens, until a window reaches the end
     (a text of n tokens has max(1, ceil((n - WINDOW) / STRIDE) + 1) windows); the last window
     may be shorter and is padded with 0. A text's score is the max over its windows.
"""
WINDOW = 512
STRIDE = 384
PAD = 0
VOCAB = 257


def encode(text: str) -> list[int]:
    data = text.replace("\r\n", "\n").encode("utf-8")
    return [(b + 0x20 if 0x41 <= b <= 0x5A else b) + 1 for b in data]


def windows(ids: list[int]) -> list[tuple[int, list[int]]]:
    """(start token offset, WINDOW ids padded with PAD) for every window of a text."""
    out = []
    start = 0
    while True:
        chunk = ids[start : start + WINDOW]
        out.append((start, chunk + [PAD] * (WINDOW - len(chunk))))
        if start + WINDOW >= len(ids):
            return out
        start += STRIDE
