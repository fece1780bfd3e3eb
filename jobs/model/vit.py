"""Plain-PyTorch ViT-S/16 numerically equal to Hugging Face ``ViTModel`` (no pooler), mean-pooled.

Parameter names are exactly those of ``transformers.ViTModel(...).state_dict()`` minus ``pooler.*``,
so the weights of ``facebook/dino-vits16`` load with ``load_state_dict(strict=True)``.

forward(pixel_values: float32 [N, 3, 224, 224], normalised) -> float32 [N, 384]
    = mean over all 197 tokens of the final-layernormed last_hidden_state
      (``ViTModel(...).last_hidden_state.mean(dim=1)``).

compute_dtype "bfloat16": the weights are stored in bf16, the input is cast to bf16 inside forward,
the whole encoder runs in bf16, and the final hidden states are cast to float32 before the mean, so the
graph still takes and returns float32 (DJL cannot create bf16 arrays from Java).

attention "matmul" (default) computes softmax(q k^T / 8) v with two matmuls and a softmax, as HF's "eager"
attention; "sdpa" calls ``F.scaled_dot_product_attention`` (fused kernels, as HF's "sdpa"; torch 2.0 or
newer). The choice is a constant of the scripted graph: only the chosen path is saved.

The module is ``torch.jit.script``-able (batch size stays dynamic). Needs only torch (1.13 or newer).
"""
from typing import List

try:
    from typing import Final
except ImportError:  # Python < 3.8
    from torch.jit import Final

import torch
import torch.nn.functional as F
from torch import nn

PATCH_SIZE = 16
IMAGE_SIZE = 224
HIDDEN = 384
HEADS = 6
MLP = 1536
LN_EPS = 1e-12
NUM_PATCHES = (IMAGE_SIZE // PATCH_SIZE) ** 2  # 196
NUM_TOKENS = NUM_PATCHES + 1  # 197 with CLS

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
ATTENTIONS = ("matmul", "sdpa")


class PatchEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.projection = nn.Conv2d(3, HIDDEN, kernel_size=PATCH_SIZE, stride=PATCH_SIZE)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        # [N, 384, 14, 14] -> [N, 196, 384]
        return self.projection(pixel_values).flatten(2).transpose(1, 2)


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, HIDDEN))
        self.patch_embeddings = PatchEmbeddings()
        self.position_embeddings = nn.Parameter(torch.zeros(1, NUM_TOKENS, HIDDEN))

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        x = self.patch_embeddings(pixel_values)
        cls = self.cls_token.expand(x.size(0), -1, -1)
        x = torch.cat((cls, x), dim=1)
        return x + self.position_embeddings


class SelfAttention(nn.Module):
    fused: Final[bool]

    def __init__(self, attention: str = "matmul"):
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}, got {attention!r}")
        self.fused = attention == "sdpa"
        self.num_heads = HEADS
        self.head_dim = HIDDEN // HEADS
        self.scale = 1.0 / float(self.head_dim) ** 0.5  # 1/8 exactly
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        # [N, T, 384] -> [N, 6, T, 64]
        return x.view(x.size(0), x.size(1), self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = self._heads(self.query(x))
        k = self._heads(self.key(x))
        v = self._heads(self.value(x))
        if self.fused:
            ctx = F.scaled_dot_product_attention(q, k, v)  # scale 1/sqrt(64) by default
        else:
            scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale
            probs = torch.softmax(scores, dim=-1)
            ctx = torch.matmul(probs, v)  # [N, 6, T, 64]
        ctx = ctx.permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size(0), ctx.size(1), self.num_heads * self.head_dim)


class SelfOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dense(x)


class Attention(nn.Module):
    def __init__(self, attention: str = "matmul"):
        super().__init__()
        self.attention = SelfAttention(attention)
        self.output = SelfOutput()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.attention(x))


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, MLP)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))  # exact (erf) GELU, as HF's "gelu"


class Output(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(MLP, HIDDEN)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.dense(x) + residual


class Layer(nn.Module):
    def __init__(self, attention: str = "matmul"):
        super().__init__()
        self.attention = Attention(attention)
        self.intermediate = Intermediate()
        self.output = Output()
        self.layernorm_before = nn.LayerNorm(HIDDEN, eps=LN_EPS)
        self.layernorm_after = nn.LayerNorm(HIDDEN, eps=LN_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.attention(self.layernorm_before(x)) + x
        return self.output(self.intermediate(self.layernorm_after(x)), x)


class Encoder(nn.Module):
    def __init__(self, depth: int, attention: str = "matmul"):
        super().__init__()
        self.layer = nn.ModuleList([Layer(attention) for _ in range(depth)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layer:
            x = layer(x)
        return x


class ViTMeanPool(nn.Module):
    """HF ViTModel (no pooler) + mean over the 197 tokens of last_hidden_state."""

    def __init__(self, depth: int = 12, compute_dtype: str = "float32", attention: str = "matmul"):
        super().__init__()
        if compute_dtype not in DTYPES:
            raise ValueError(f"compute_dtype must be one of {sorted(DTYPES)}, got {compute_dtype!r}")
        self.depth = depth
        self.compute_dtype = compute_dtype
        self.attention = attention
        self.embeddings = Embeddings()
        self.encoder = Encoder(depth, attention)
        self.layernorm = nn.LayerNorm(HIDDEN, eps=LN_EPS)

    def set_compute_dtype(self, compute_dtype: str) -> "ViTMeanPool":
        """Store the weights in the given dtype (call after loading fp32 weights)."""
        if compute_dtype not in DTYPES:
            raise ValueError(f"compute_dtype must be one of {sorted(DTYPES)}, got {compute_dtype!r}")
        self.compute_dtype = compute_dtype
        return self.to(DTYPES[compute_dtype])

    def last_hidden_state(self, pixel_values: torch.Tensor) -> torch.Tensor:
        # Cast the (float32) input to the dtype the weights are stored in: no-op for fp32.
        x = pixel_values.to(self.embeddings.cls_token.dtype)
        x = self.embeddings(x)
        x = self.encoder(x)
        return self.layernorm(x)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        h = self.last_hidden_state(pixel_values)
        return h.float().mean(dim=1)


def build(depth: int = 12, compute_dtype: str = "float32", attention: str = "matmul") -> ViTMeanPool:
    return ViTMeanPool(depth=depth, compute_dtype="float32", attention=attention).set_compute_dtype(compute_dtype).eval()


def hf_state_dict_to_module(sd) -> dict:
    """Drop keys of HF ViTModel that this module does not have (the pooler)."""
    return {k: v for k, v in sd.items() if not k.startswith("pooler.")}


def expected_keys(depth: int) -> List[str]:
    return list(ViTMeanPool(depth).state_dict().keys())


def script(model: ViTMeanPool) -> torch.jit.ScriptModule:
    model = model.eval()
    return torch.jit.script(model)
