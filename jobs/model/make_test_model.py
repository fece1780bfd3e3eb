#!/usr/bin/env python3
"""Make a random-weight ViT-S/16 test model (TorchScript + manifest.json) with plain PyTorch.

Same architecture and parameter names as facebook/dino-vits16 (see vit.py), random weights: not
clinically meaningful. Needs torch (plus onnx and onnxruntime for --format onnx), e.g. in a venv:
    python3 -m venv .venv && . .venv/bin/activate && pip install torch "transformers<5" onnx onnxruntime pillow numpy

The models the repository ships (depth 1, <= 10 MB each; the two TorchScript ones were made by torch 1.13):
    python3 jobs/model/make_test_model.py --depth 1 --dtype float32  --seed 42 --out src/test/resources/models/vit-s16-d1/fp32
    python3 jobs/model/make_test_model.py --depth 1 --dtype bfloat16 --seed 42 --out src/test/resources/models/vit-s16-d1/bf16
    python3 jobs/model/make_test_model.py --depth 1 --dtype float32 --seed 42 --format onnx --out src/test/resources/models/vit-s16-d1/onnx-fp32
Full depth for benchmarks (not shipped; default --out is target/models/vit-s16-d12-bf16, -onnx-fp32 for ONNX,
-sdpa with --attention sdpa):
    python3 jobs/model/make_test_model.py --depth 12 --dtype bfloat16 [--attention sdpa]

--format onnx writes model.onnx (engine OnnxRuntime: input "pixel_values" float32 [N,3,224,224],
output "embedding" float32 [N,384], dynamic N) instead of TorchScript; it needs torch >= 2.1 with
the onnx package (pip install torch onnx onnxruntime) and checks the file with onnxruntime.

Weights: normal(0, 0.02) for linear/conv weights, cls token and position embeddings (as HF's init);
biases normal(0, 0.02) and LayerNorm weight 1 + normal(0, 0.05), bias normal(0, 0.02) instead of
HF's constant init, so that biases and LayerNorm affine parameters are exercised. The weights are
drawn in float32 from one seeded generator in state_dict order; the bf16 variant with the same
seed and depth has the same weights rounded to bf16.
"""
import argparse
import json
import os
import sys
import warnings

import torch

warnings.filterwarnings("ignore", category=FutureWarning, message=".*torch.jit.*")  # still what DJL loads

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vit  # noqa: E402

MANIFEST_FORMAT = "lesion-search-model/1"


def manifest(model_id: str, compute_dtype: str, transformers_version, note: str,
             preprocessing: dict = None) -> dict:
    pre = preprocessing or {
        "image_size": {"height": vit.IMAGE_SIZE, "width": vit.IMAGE_SIZE},
        "rescale_factor": 1.0 / 255.0,
        "image_mean": [0.485, 0.456, 0.406],
        "image_std": [0.229, 0.224, 0.225],
        "resample": "bilinear",
    }
    return {
        "format": MANIFEST_FORMAT,
        "model_id": model_id,
        "torchscript": "model.pt",
        "image_size": pre["image_size"],
        "rescale_factor": pre["rescale_factor"],
        "image_mean": pre["image_mean"],
        "image_std": pre["image_std"],
        "resample": pre["resample"],
        "embedding_size": vit.HIDDEN,
        "pooling": "mean",
        "compute_dtype": compute_dtype,
        "exported_with": {"torch": torch.__version__, "transformers": transformers_version},
        "note": note,
    }


def onnx_manifest(man: dict) -> dict:
    """The same manifest for model.onnx under ONNX Runtime (engine absent means PyTorch)."""
    out = {k: v for k, v in man.items() if k != "torchscript"}
    out = {"format": out.pop("format"), "model_id": out.pop("model_id"), "engine": "OnnxRuntime",
           "onnx": "model.onnx", **out}
    out["exported_with"] = {**man["exported_with"], "onnx_opset": ONNX_OPSET}
    return out


def random_model(depth: int, seed: int, attention: str = "matmul") -> vit.ViTMeanPool:
    model = vit.ViTMeanPool(depth=depth, compute_dtype="float32", attention=attention)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.state_dict(keep_vars=True).items():
            shape = p.shape
            if "layernorm" in name and name.endswith(".weight"):
                val = 1.0 + 0.05 * torch.randn(shape, generator=g)
            elif name.endswith(".bias"):
                val = 0.02 * torch.randn(shape, generator=g)
            else:  # linear/conv weights, cls_token, position_embeddings
                val = 0.02 * torch.randn(shape, generator=g)
            p.copy_(val)
    return model.eval()


def save(model: vit.ViTMeanPool, out_dir: str, man: dict) -> None:
    os.makedirs(out_dir, exist_ok=True)
    scripted = vit.script(model)
    # sanity: scripted == eager, dynamic batch, float32 in/out
    x = torch.randn(2, 3, vit.IMAGE_SIZE, vit.IMAGE_SIZE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        a, b = model(x), scripted(x)
        c = scripted(x[:1])
    assert a.shape == (2, vit.HIDDEN) and a.dtype == torch.float32, (a.shape, a.dtype)
    assert c.shape == (1, vit.HIDDEN)
    assert torch.equal(a, b) or (a - b).abs().max().item() < 1e-5, (a - b).abs().max().item()
    path = os.path.join(out_dir, "model.pt")
    scripted.save(path)
    # reload check
    re = torch.jit.load(path)
    with torch.no_grad():
        d = re(x)
    assert (d - b).abs().max().item() == 0.0
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")


ONNX_INPUT, ONNX_OUTPUT, ONNX_OPSET = "pixel_values", "embedding", 17


def save_onnx(model: vit.ViTMeanPool, out_dir: str, man: dict) -> None:
    """Exports the float32 module to ONNX and checks the file under onnxruntime against eager."""
    import numpy as np
    import onnxruntime as ort

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    x = torch.randn(2, 3, vit.IMAGE_SIZE, vit.IMAGE_SIZE, generator=torch.Generator().manual_seed(0))
    torch.onnx.export(model, (x,), path, input_names=[ONNX_INPUT], output_names=[ONNX_OUTPUT],
                      dynamic_axes={ONNX_INPUT: {0: "batch"}, ONNX_OUTPUT: {0: "batch"}},
                      opset_version=ONNX_OPSET, dynamo=False)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    with torch.no_grad():
        want = model(x).numpy()
    got = session.run(None, {ONNX_INPUT: x.numpy()})[0]
    one = session.run(None, {ONNX_INPUT: x[:1].numpy()})[0]
    assert got.shape == (2, vit.HIDDEN) and got.dtype == np.float32, (got.shape, got.dtype)
    assert one.shape == (1, vit.HIDDEN)
    assert float(np.abs(got - want).max()) <= 1e-4, float(np.abs(got - want).max())
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--depth", type=int, default=12)
    ap.add_argument("--dtype", choices=sorted(vit.DTYPES), default="bfloat16")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--format", choices=["torchscript", "onnx"], default="torchscript")
    ap.add_argument("--attention", choices=list(vit.ATTENTIONS), default="matmul",
                    help="TorchScript attention: matmul + softmax + matmul, or F.scaled_dot_product_attention")
    ap.add_argument("--out", default=None,
                    help="default target/models/vit-s16-d<depth>-[onnx-]<fp32|bf16>[-sdpa]")
    args = ap.parse_args()
    short = {"float32": "fp32", "bfloat16": "bf16"}[args.dtype]
    if args.format == "onnx" and args.dtype != "float32":
        sys.exit("make_test_model: --format onnx is float32 only")
    if args.format == "onnx" and args.attention != "matmul":
        sys.exit("make_test_model: --attention is for TorchScript; the ONNX graph is exported from matmul")
    kind = "onnx-" if args.format == "onnx" else ""
    suffix = "-sdpa" if args.attention == "sdpa" else ""
    out = args.out or os.path.join("target", "models", f"vit-s16-d{args.depth}-{kind}{short}{suffix}")

    torch.manual_seed(args.seed)
    model = random_model(args.depth, args.seed, args.attention).set_compute_dtype(args.dtype).eval()
    man = manifest(
        model_id=f"random/vit-s16-depth{args.depth}-seed{args.seed}",
        compute_dtype=args.dtype,
        transformers_version=None,
        note=(f"TEST MODEL: random weights (seed {args.seed}), ViT-S/16 architecture of facebook/dino-vits16 "
              f"at depth {args.depth}, {args.dtype} compute"
              + (", F.scaled_dot_product_attention" if args.attention == "sdpa" else "")
              + "; not clinically meaningful"),
    )
    if args.format == "onnx":
        man = onnx_manifest(man)
        save_onnx(model, out, man)
    else:
        save(model, out, man)
    for fn in (man.get("onnx", "model.pt"), "manifest.json"):
        p = os.path.join(out, fn)
        print(f"wrote {p} ({os.path.getsize(p)} bytes)")


if __name__ == "__main__":
    main()
