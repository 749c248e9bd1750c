"""ctxpress training toolkit: byte-level BPE, a Llama-style decoder, data pipeline, ONNX export."""
