#!/usr/bin/env python3
"""Export facebook/dino-vits16 from Hugging Face to a lesion-search model directory (TorchScript + manifest).

Needs a machine that can download from the Hugging Face Hub (runs on CPU; uses CUDA for the checks
when there is one). From the repository root:

    python3 -m venv .venv-export && . .venv-export/bin/activate
    pip install torch "transformers<5" pillow numpy
    python3 jobs/model/export_model.py --out models/dino-vits16 --dtype both

--dtype both writes two model directories, OUT/fp32 and OUT/bf16 (each: model.pt + manifest.json);
--dtype float32 or --dtype bfloat16 writes one directly into OUT.

What it does: loads ViTImageProcessor + ViTModel (no pooler), copies the weights into the plain-PyTorch
module of jobs/model/vit.py (load_state_dict strict=True), checks that the module's output equals
HF's last_hidden_state.mean(dim=1) on random inputs and on a real image put through the processor
(fp32: max abs diff <= 1e-4; bf16: cosine >= 0.999 against HF fp32), checks that the processor's
pixel_values equal the Pillow pipeline the Java side reproduces (jobs/model/make_reference.py), reads
the processor config into the manifest (fails if it is not resize 224x224 bilinear, rescale 1/255,
ImageNet mean/std), then torch.jit.script()s, saves, reloads and re-checks the saved file.
The TorchScript takes float32 [N,3,224,224] normalised pixels and returns float32 [N,384], for both
variants (the bf16 variant casts to bf16 inside).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

DEFAULT_IMAGE = os.path.join(ROOT, "src", "test", "resources", "images", "lesion-600x450.jpg")
SHORT = {"float32": "fp32", "bfloat16": "bf16"}
FP32_TOL = 1e-4
BF16_MIN_COS = 0.999


class ExportError(Exception):
    """An export check failed; the message says which and by how much."""


def fail(msg: str) -> None:
    raise ExportError(msg)


def preprocessing_from_processor(proc) -> dict:
    """Read and validate the processor config; returns the manifest's preprocessing fields."""
    from transformers.image_utils import PILImageResampling

    problems = []
    name = type(proc).__name__
    if name not in ("ViTImageProcessor", "ViTImageProcessorFast"):
        problems.append(f"processor is {name}, expected ViTImageProcessor")
    size = dict(getattr(proc, "size", {}) or {})
    size = {k: v for k, v in size.items() if v is not None}
    if not getattr(proc, "do_resize", False) or size != {"height": 224, "width": 224}:
        problems.append(f"expected do_resize with size {{'height': 224, 'width': 224}}, got "
                        f"do_resize={getattr(proc, 'do_resize', None)} size={size}")
    resample = getattr(proc, "resample", None)
    try:
        resample_ok = PILImageResampling(int(resample)) == PILImageResampling.BILINEAR
    except Exception:  # noqa: BLE001
        resample_ok = False
    if not resample_ok:
        problems.append(f"expected resample BILINEAR (2), got {resample!r}")
    if getattr(proc, "do_center_crop", False):
        problems.append("processor does a center crop; not supported")
    rf = getattr(proc, "rescale_factor", None)
    if not getattr(proc, "do_rescale", False) or rf is None or abs(float(rf) - 1 / 255) > 1e-12:
        problems.append(f"expected do_rescale with rescale_factor 1/255, got {getattr(proc, 'do_rescale', None)} {rf}")
    mean, std = list(getattr(proc, "image_mean", []) or []), list(getattr(proc, "image_std", []) or [])
    if not getattr(proc, "do_normalize", False) or len(mean) != 3 or len(std) != 3:
        problems.append(f"expected do_normalize with 3-channel mean/std, got {mean} {std}")
    elif any(abs(a - b) > 1e-9 for a, b in zip(mean + std, [0.485, 0.456, 0.406, 0.229, 0.224, 0.225])):
        problems.append(f"expected ImageNet mean/std, got {mean} {std}")
    if problems:
        fail("unexpected image processor config:\n  " + "\n  ".join(problems))
    return {
        "image_size": {"height": int(size["height"]), "width": int(size["width"])},
        "rescale_factor": float(rf),
        "image_mean": [float(v) for v in mean],
        "image_std": [float(v) for v in std],
        "resample": "bilinear",
    }


def check_config(cfg, vit) -> int:
    expect = {
        "hidden_size": vit.HIDDEN, "num_attention_heads": vit.HEADS, "intermediate_size": vit.MLP,
        "patch_size": vit.PATCH_SIZE, "image_size": vit.IMAGE_SIZE, "num_channels": 3,
        "hidden_act": "gelu", "qkv_bias": True,
    }
    bad = {k: getattr(cfg, k, None) for k, v in expect.items() if getattr(cfg, k, None) != v}
    if abs(float(getattr(cfg, "layer_norm_eps", 0)) - vit.LN_EPS) > 1e-15:
        bad["layer_norm_eps"] = getattr(cfg, "layer_norm_eps", None)
    if bad:
        fail(f"model config differs from ViT-S/16 as implemented in vit.py: {bad}")
    return int(cfg.num_hidden_layers)


def pick_device(name: str):
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def export(hf, proc, out: str, dtypes=("float32", "bfloat16"), *, model_id: str, image: str = DEFAULT_IMAGE,
           device: str = "auto", nested: bool = True, allow_processor_mismatch: bool = False,
           log=print) -> dict:
    """Export an in-memory HF ViTModel (no pooler) + ViTImageProcessor to lesion-search model directories.

    Copies the weights into vit.py's module, checks it against hf's last_hidden_state.mean(dim=1) on
    random inputs and on `image` put through `proc`, scripts, saves, reloads and re-checks each model.
    nested: each dtype goes to OUT/fp32, OUT/bf16; otherwise the one dtype goes straight into OUT.
    Returns {"pixels_max_abs_diff": float, "models": {name: {"dir", "max_abs_diff", "min_cosine"}}}.
    Raises ExportError when a check fails.
    """
    import numpy as np
    import torch
    import transformers
    from PIL import Image

    import vit
    from make_reference import preprocess_pil
    from make_test_model import manifest

    if not nested and len(dtypes) != 1:
        fail("nested=False needs exactly one dtype")
    device = pick_device(device) if isinstance(device, str) else device
    if device.type == "cuda":  # exact fp32 for the comparisons
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    log(f"torch {torch.__version__}, transformers {transformers.__version__}, checks on {device}")

    pre = preprocessing_from_processor(proc)
    hf = hf.eval()
    depth = check_config(hf.config, vit)

    sd = vit.hf_state_dict_to_module(hf.state_dict())
    ours = vit.ViTMeanPool(depth=depth, compute_dtype="float32")
    ours.load_state_dict(sd, strict=True)  # raises on any missing/unexpected key or shape
    ours.eval()

    # inputs: random normalised pixels + one real image through the HF processor
    g = torch.Generator().manual_seed(0)
    rand = torch.randn(3, 3, vit.IMAGE_SIZE, vit.IMAGE_SIZE, generator=g)
    if not os.path.exists(image):
        fail(f"image {image} does not exist")
    with Image.open(image) as img:
        rgb = img.convert("RGB")
        proc_px = proc(images=rgb, return_tensors="pt")["pixel_values"].float()
        _, ref_px = preprocess_pil(img)
    px_diff = float(np.abs(proc_px[0].numpy() - ref_px).max())
    log(f"processor pixel_values vs Pillow reference pipeline (make_reference.py): max abs diff {px_diff:.3g}")
    if px_diff > 1e-6:
        msg = (f"the processor's pixel_values differ from the Pillow pipeline the Java side implements "
               f"(max abs diff {px_diff}); a transformers version whose ViTImageProcessor does not resize with "
               f"Pillow? (use --allow-processor-mismatch to export anyway)")
        if not allow_processor_mismatch:
            fail(msg)
        log("WARNING: " + msg)
    inputs = torch.cat([rand, proc_px], dim=0)

    with torch.no_grad():
        hf_d = hf.to(device)
        want = hf_d(pixel_values=inputs.to(device)).last_hidden_state.mean(dim=1).float().cpu()
        hf.cpu()

    results = {"pixels_max_abs_diff": px_diff, "models": {}}

    def check(model, dtype: str, label: str) -> dict:
        with torch.no_grad():
            got = model.to(device)(inputs.to(device)).cpu()
        model.cpu()
        if got.dtype != torch.float32 or tuple(got.shape) != (inputs.shape[0], vit.HIDDEN):
            fail(f"{label}: output {got.dtype} {tuple(got.shape)}, expected float32 {(inputs.shape[0], vit.HIDDEN)}")
        diff = (got - want).abs().max().item()
        cos = torch.nn.functional.cosine_similarity(got, want, dim=1)
        log(f"{label}: max abs diff vs HF fp32 {diff:.3g}, min cosine {cos.min().item():.6f} "
            f"(real image: diff {(got[-1] - want[-1]).abs().max().item():.3g})")
        if dtype == "float32" and not diff <= FP32_TOL:
            fail(f"{label}: max abs diff {diff} > {FP32_TOL}")
        if dtype == "bfloat16" and not cos.min().item() >= BF16_MIN_COS:
            fail(f"{label}: cosine {cos.min().item()} < {BF16_MIN_COS}")
        return {"max_abs_diff": diff, "min_cosine": cos.min().item()}

    for dtype in dtypes:
        target = os.path.join(out, SHORT[dtype]) if nested else out
        model = vit.ViTMeanPool(depth=depth, compute_dtype="float32")
        model.load_state_dict(sd, strict=True)
        model = model.set_compute_dtype(dtype).eval()
        check(model, dtype, f"{dtype} eager")
        scripted = vit.script(model.cpu())
        os.makedirs(target, exist_ok=True)
        path = os.path.join(target, "model.pt")
        scripted.save(path)
        reloaded = torch.jit.load(path, map_location="cpu").eval()
        figures = check(reloaded, dtype, f"{dtype} saved TorchScript")
        with torch.no_grad():  # dynamic batch
            one = reloaded(inputs[:1])
        if tuple(one.shape) != (1, vit.HIDDEN):
            fail(f"batch of 1 gave {tuple(one.shape)}")
        man = manifest(
            model_id=model_id,
            compute_dtype=dtype,
            transformers_version=transformers.__version__,
            note=(f"{model_id} (Hugging Face ViTModel, no pooler) exported to TorchScript: mean over the 197 "
                  f"tokens of last_hidden_state, {dtype} compute, float32 in/out"),
            preprocessing=pre,
        )
        write_manifest(target, man)
        for fn in ("model.pt", "manifest.json"):
            p = os.path.join(target, fn)
            log(f"wrote {p} ({os.path.getsize(p)} bytes)")
        results["models"][SHORT[dtype]] = {"dir": target, **figures}
    return results


def write_manifest(out: str, man: dict) -> None:
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (for --dtype both: OUT/fp32 and OUT/bf16)")
    ap.add_argument("--model", default="facebook/dino-vits16", help="Hugging Face model id or local path")
    ap.add_argument("--dtype", choices=["float32", "bfloat16", "both"], default="both")
    ap.add_argument("--image", default=DEFAULT_IMAGE, help="a real image for the end-to-end check")
    ap.add_argument("--device", default="auto", help="device for the checks: auto, cpu, cuda, cuda:1 ...")
    ap.add_argument("--allow-processor-mismatch", action="store_true",
                    help="only warn when the processor's pixel_values differ from the Pillow pipeline")
    args = ap.parse_args()

    try:
        import numpy  # noqa: F401
        import PIL  # noqa: F401
        import torch  # noqa: F401
        from transformers import ViTImageProcessor, ViTModel
    except ImportError as e:
        die(f"{e}; install the export dependencies first: pip install torch \"transformers<5\" pillow numpy")

    try:
        proc = ViTImageProcessor.from_pretrained(args.model)
        hf = ViTModel.from_pretrained(args.model, add_pooling_layer=False).eval()
        both = args.dtype == "both"
        export(hf, proc, args.out, ["float32", "bfloat16"] if both else [args.dtype], model_id=args.model,
               image=args.image, device=args.device, nested=both,
               allow_processor_mismatch=args.allow_processor_mismatch)
    except ExportError as e:
        die(str(e))


def die(msg: str) -> None:
    print(f"export_model: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
