// ZOTransformer: the escalation to a real pretrained transformer (all-MiniLM-L6-v2, BERT encoder):
// assets from PyPI packages, safetensors, WordPiece, the model's forward/backward, data, fine-tuning.
import ZOCore
