#!/usr/bin/env python3
"""Export facebook/dino-vits16 from Hugging Face to lesion-search model directories.

Needs a machine that can download from the Hugging Face Hub (runs on CPU; uses CUDA for the checks
when there is one). From the repository root:

    python3 -m venv .venv-export && . .venv-export/bin/activate
    pip install torch "transformers<5" onnx onnxruntime pillow numpy
    python3 jobs/model/export_model.py --out models/dino-vits16            # add --int8 for OUT/onnx-int8

--dtype both (the default) writes OUT/fp32 and OUT/bf16 (TorchScript: model.pt + manifest.json, engine
PyTorch), OUT/onnx-fp32 (model.onnx + manifest.json, engine OnnxRuntime; --no-onnx leaves it out) and,
with --int8 (opt-in), OUT/onnx-int8: the fp32 ONNX with onnxruntime's dynamic int8 quantization of the
Linear layers' weights (compute_dtype "int8"; not exact, its fidelity is measured by check_export.py, see README).
--dtype float32 or --dtype bfloat16 writes that one TorchScript model directly into OUT.

What it does: loads ViTImageProcessor + ViTModel (no pooler), copies the weights into the plain-PyTorch
module of jobs/model/vit.py (load_state_dict strict=True), checks that the module's output equals
HF's last_hidden_state.mean(dim=1) on random inputs and on a real image put through the processor
(fp32: max abs diff <= 1e-4; bf16: cosine >= 0.999 against HF fp32), checks that the processor's
pixel_values equal the Pillow pipeline the Java side reproduces (jobs/model/make_reference.py), reads
the processor config into the manifest (fails if it is not resize 224x224 bilinear, rescale 1/255,
ImageNet mean/std), then torch.jit.script()s / exports to ONNX (opset 17), saves, reloads (torch.jit.load,
onnxruntime) and re-checks each saved file against HF the same way (int8: cosine >= 0.98, a floor that
catches a broken quantization). Every model takes float32 [N,3,224,224] normalised pixels and returns
float32 [N,384] (the bf16 variant casts to bf16 inside).

The export itself is export(hf_model, processor, out, ...), which jobs/model/check_export.py calls on a
randomly initialised ViTModel of the same configuration to check this code path without the Hub.
"""
import argparse
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore", category=FutureWarning, message=".*torch.jit.*")  # still what DJL loads

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

DEFAULT_IMAGE = os.path.join(ROOT, "src", "test", "resources", "images", "lesion-600x450.jpg")
SHORT = {"float32": "fp32", "bfloat16": "bf16"}
DEFAULT_ATTENTION = "matmul"
PIP = 'pip install torch "transformers<5" onnx onnxruntime pillow numpy'
FP32_TOL = 1e-4
BF16_MIN_COS = 0.999
# int8: a loose floor that catches a broken quantization, not a parity bound (see check_export.py for the
# measured cosine and top-10 neighbour overlap)
INT8_MIN_COS = 0.98
# onnxruntime.quantization.quantize_dynamic settings for OUT/onnx-int8, chosen by fidelity (check_export.py):
# the Linear layers' MatMul weights only (the attention MatMuls have no constant side; the patch Conv is
# 1% of the FLOPs), signed int8 weights per output channel, full 8-bit range (VNNI/AMX CPUs need no 7-bit).
INT8_SETTINGS = {"op_types": ["MatMul"], "per_channel": True, "reduce_range": False, "weight_type": "QInt8"}


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
           device: str = "auto", nested: bool = True, onnx: bool = False, int8: bool = False,
           attention: str = DEFAULT_ATTENTION, allow_processor_mismatch: bool = False, log=print) -> dict:
    """Export an in-memory HF ViTModel (no pooler) + ViTImageProcessor to lesion-search model directories.

    Copies the weights into vit.py's module, checks it against hf's last_hidden_state.mean(dim=1) on
    random inputs and on `image` put through `proc`, writes each model, reloads it and re-checks it.
    TorchScript for each of `dtypes` (nested: OUT/fp32, OUT/bf16; otherwise the one dtype straight into
    OUT); onnx: OUT/onnx-fp32 (engine OnnxRuntime); int8 (needs onnx): OUT/onnx-int8, the fp32 ONNX
    with onnxruntime's dynamic int8 quantization of its MatMul weights. attention ("matmul" or "sdpa", see
    vit.py) is the TorchScript's; the ONNX graph is always exported from "matmul" (onnxruntime fuses itself).
    Returns {"pixels_max_abs_diff": float, "models": {name: {"dir", "max_abs_diff", "min_cosine"}}}.
    Raises ExportError when a check fails.
    """
    import numpy as np
    import torch
    import transformers
    from PIL import Image

    import vit
    from make_reference import preprocess_pil
    from make_test_model import manifest, onnx_manifest, save_onnx

    if not nested and (len(dtypes) != 1 or onnx or int8):
        fail("nested=False writes exactly one TorchScript model")
    if int8 and not onnx:
        fail("int8 is quantized from the fp32 ONNX model: needs onnx")
    device = pick_device(device) if isinstance(device, str) else device
    if device.type == "cuda":  # exact fp32 for the comparisons
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    log(f"torch {torch.__version__}, transformers {transformers.__version__}, checks on {device}")

    pre = preprocessing_from_processor(proc)
    hf = hf.eval()
    depth = check_config(hf.config, vit)
    sd = vit.hf_state_dict_to_module(hf.state_dict())

    def module(dtype: str, attention: str = attention):
        m = vit.ViTMeanPool(depth=depth, compute_dtype="float32", attention=attention)
        m.load_state_dict(sd, strict=True)  # raises on any missing/unexpected key or shape
        return m.set_compute_dtype(dtype).eval()

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
        want = hf.to(device)(pixel_values=inputs.to(device)).last_hidden_state.mean(dim=1).float().cpu()
        hf.cpu()

    results = {"pixels_max_abs_diff": px_diff, "models": {}}

    def on_device(model):
        def run(x):
            with torch.no_grad():
                y = model.to(device)(x.to(device)).cpu()
            model.cpu()
            return y
        return run

    def check(run, dtype: str, label: str) -> dict:
        got = run(inputs)
        if got.dtype != torch.float32 or tuple(got.shape) != (inputs.shape[0], vit.HIDDEN):
            fail(f"{label}: output {got.dtype} {tuple(got.shape)}, expected float32 {(inputs.shape[0], vit.HIDDEN)}")
        one = run(inputs[:1])  # dynamic batch
        if tuple(one.shape) != (1, vit.HIDDEN):
            fail(f"{label}: batch of 1 gave {tuple(one.shape)}")
        diff = (got - want).abs().max().item()
        cos = torch.nn.functional.cosine_similarity(got, want, dim=1).min().item()
        log(f"{label}: max abs diff vs HF fp32 {diff:.3g}, min cosine {cos:.6f} "
            f"(real image: diff {(got[-1] - want[-1]).abs().max().item():.3g})")
        if dtype == "float32" and not diff <= FP32_TOL:
            fail(f"{label}: max abs diff {diff} > {FP32_TOL}")
        if dtype == "bfloat16" and not cos >= BF16_MIN_COS:
            fail(f"{label}: cosine {cos} < {BF16_MIN_COS}")
        if dtype == "int8" and not cos >= INT8_MIN_COS:
            fail(f"{label}: cosine {cos} < {INT8_MIN_COS}")
        return {"max_abs_diff": diff, "min_cosine": cos}

    def describe(dtype: str, fmt: str) -> str:
        return (f"{model_id} (Hugging Face ViTModel, no pooler) exported to {fmt}: mean over the 197 tokens of "
                f"last_hidden_state, {dtype} compute, float32 in/out")

    def written(target: str, *names: str) -> None:
        for fn in names:
            p = os.path.join(target, fn)
            log(f"wrote {p} ({os.path.getsize(p)} bytes)")

    for dtype in dtypes:
        target = os.path.join(out, SHORT[dtype]) if nested else out
        model = module(dtype)
        check(on_device(model), dtype, f"{dtype} eager ({attention} attention)")
        scripted = vit.script(model.cpu())
        os.makedirs(target, exist_ok=True)
        path = os.path.join(target, "model.pt")
        scripted.save(path)
        reloaded = torch.jit.load(path, map_location="cpu").eval()
        figures = check(on_device(reloaded), dtype, f"{dtype} saved TorchScript ({attention} attention)")
        man = manifest(model_id=model_id, compute_dtype=dtype, transformers_version=transformers.__version__,
                       note=describe(dtype, f"TorchScript ({attention} attention)"), preprocessing=pre)
        write_manifest(target, man)
        written(target, "model.pt", "manifest.json")
        results["models"][SHORT[dtype]] = {"dir": target, **figures}

    if onnx:
        target = os.path.join(out, "onnx-fp32")
        man = onnx_manifest(manifest(model_id=model_id, compute_dtype="float32",
                                     transformers_version=transformers.__version__,
                                     note=describe("float32", "ONNX"), preprocessing=pre))
        save_onnx(module("float32", "matmul"), target, man)  # also checks onnxruntime against the eager module
        fp32_path = os.path.join(target, man["onnx"])
        figures = check(on_onnxruntime(fp32_path), "float32", "float32 saved ONNX (onnxruntime)")
        written(target, man["onnx"], "manifest.json")
        results["models"]["onnx-fp32"] = {"dir": target, **figures}

    if int8:
        target = os.path.join(out, "onnx-int8")
        os.makedirs(target, exist_ok=True)
        path = os.path.join(target, "model.onnx")
        quantize_int8(fp32_path, path)
        man = onnx_manifest(manifest(model_id=model_id, compute_dtype="int8",
                                     transformers_version=transformers.__version__,
                                     note=describe("int8 (dynamic quantization of the MatMul weights)", "ONNX"),
                                     preprocessing=pre))
        import onnxruntime

        man["exported_with"]["onnxruntime"] = onnxruntime.__version__
        man["exported_with"]["onnxruntime_quantization"] = dict(INT8_SETTINGS)
        figures = check(on_onnxruntime(path), "int8", "int8 saved ONNX (onnxruntime)")
        write_manifest(target, man)
        written(target, "model.onnx", "manifest.json")
        results["models"]["onnx-int8"] = {"dir": target, **figures}
    return results


def on_onnxruntime(path: str):
    """A function float32 [N,3,224,224] tensor -> float32 [N,384] tensor running `path` on onnxruntime's CPU."""
    import onnxruntime as ort
    import torch
    from make_test_model import ONNX_INPUT

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return lambda x: torch.from_numpy(session.run(None, {ONNX_INPUT: x.numpy()})[0])


def quantize_int8(fp32_path: str, int8_path: str) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    s = INT8_SETTINGS
    quantize_dynamic(fp32_path, int8_path, op_types_to_quantize=list(s["op_types"]), per_channel=s["per_channel"],
                     reduce_range=s["reduce_range"], weight_type=QuantType[s["weight_type"]])


def write_manifest(out: str, man: dict) -> None:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True,
                    help="output directory (for --dtype both: OUT/fp32, OUT/bf16, OUT/onnx-fp32 [, OUT/onnx-int8])")
    ap.add_argument("--model", default="facebook/dino-vits16", help="Hugging Face model id or local path")
    ap.add_argument("--dtype", choices=["float32", "bfloat16", "both"], default="both")
    ap.add_argument("--image", default=DEFAULT_IMAGE, help="a real image for the end-to-end check")
    ap.add_argument("--device", default="auto", help="device for the checks: auto, cpu, cuda, cuda:1 ...")
    ap.add_argument("--attention", choices=["matmul", "sdpa"], default=DEFAULT_ATTENTION,
                    help="attention in the TorchScript graphs: two matmuls + softmax, or "
                         "F.scaled_dot_product_attention (default: %(default)s)")
    ap.add_argument("--no-onnx", action="store_true", help="with --dtype both: TorchScript only, no OUT/onnx-fp32")
    ap.add_argument("--int8", action="store_true",
                    help="with --dtype both: also OUT/onnx-int8, the fp32 ONNX with dynamic int8 quantization (opt-in)")
    ap.add_argument("--allow-processor-mismatch", action="store_true",
                    help="only warn when the processor's pixel_values differ from the Pillow pipeline")
    args = ap.parse_args()
    if args.int8 and (args.dtype != "both" or args.no_onnx):
        ap.error("--int8 is quantized from OUT/onnx-fp32: needs --dtype both without --no-onnx")

    try:
        import numpy  # noqa: F401
        import PIL  # noqa: F401
        import torch  # noqa: F401
        from transformers import ViTImageProcessor, ViTModel
        if args.dtype == "both" and not args.no_onnx:
            import onnx  # noqa: F401
            import onnxruntime  # noqa: F401
    except ImportError as e:
        die(f"{e}; install the export dependencies first: {PIP}")

    try:
        proc = ViTImageProcessor.from_pretrained(args.model)
        hf = ViTModel.from_pretrained(args.model, add_pooling_layer=False).eval()
        both = args.dtype == "both"
        export(hf, proc, args.out, ["float32", "bfloat16"] if both else [args.dtype], model_id=args.model,
               image=args.image, device=args.device, nested=both, onnx=both and not args.no_onnx,
               int8=both and args.int8, attention=args.attention,
               allow_processor_mismatch=args.allow_processor_mismatch)
    except ExportError as e:
        die(str(e))


def die(msg: str) -> None:
    print(f"export_model: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
