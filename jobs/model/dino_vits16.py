"""facebook/dino-vits16's Hugging Face configuration, and the model and processor built from it.

The two dicts are the published config.json and preprocessor_config.json of facebook/dino-vits16
(the fields transformers reads). Built with random weights, the model has the same code path and cost
as the real one, so the peer benchmark (jobs/bench/peer.py) and the export check
(jobs/model/check_export.py) need nothing from the Hub. Needs torch and "transformers<5".
"""

DINO_VITS16 = dict(hidden_size=384, num_hidden_layers=12, num_attention_heads=6, intermediate_size=1536,
                   hidden_act="gelu", hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                   initializer_range=0.02, layer_norm_eps=1e-12, image_size=224, patch_size=16,
                   num_channels=3, qkv_bias=True)
DINO_VITS16_PROCESSOR = dict(do_resize=True, size={"height": 224, "width": 224}, resample=2, do_rescale=True,
                             rescale_factor=1 / 255, do_normalize=True, image_mean=[0.485, 0.456, 0.406],
                             image_std=[0.229, 0.224, 0.225])


def dino_vits16(depth: int = 12, seed: int = 42):
    """(ViTImageProcessor, ViTModel without pooler) from the published configuration, random weights
    drawn by transformers' own initialisation after torch.manual_seed(seed)."""
    import torch
    from transformers import ViTConfig, ViTImageProcessor, ViTModel

    torch.manual_seed(seed)
    config = ViTConfig(**{**DINO_VITS16, "num_hidden_layers": depth})
    model = ViTModel(config, add_pooling_layer=False).eval()
    return ViTImageProcessor(**DINO_VITS16_PROCESSOR), model
