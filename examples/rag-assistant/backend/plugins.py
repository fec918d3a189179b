"""Optional plugins: a legacy Keras intent model, custom ops and a code cache."""
import marshal
import os

import onnxruntime as ort
from tensorflow import keras

intent_model = keras.models.load_model("models/intent_classifier.h5")

options = ort.SessionOptions()
options.register_custom_ops_library(os.environ.get("CUSTOM_OPS_PATH", "libcustom_ops.so"))

with open("cache/prompt_filters.bin", "rb") as fh:
    filters = marshal.loads(fh.read())
