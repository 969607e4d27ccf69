"""Model files (ONNX, TorchScript, safetensors), the standalone script, and the export process."""
