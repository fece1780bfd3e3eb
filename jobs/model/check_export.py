#!/usr/bin/env python3
"""Check export_model.py and the Java preprocessing against Hugging Face itself, without the Hub.

Runs wherever PyPI is reachable (not part of mvn verify). From the repository root:

    python3 -m venv .venv-export && . .venv-export/bin/activate
    pip install torch "transformers<5" onnx onnxruntime pillow numpy
    mvn -B -q -DskipTests package                     # for the Java rows: jobs/lesion-search embed
    python3 jobs/model/check_export.py

1. Builds transformers.ViTModel from facebook/dino-vits16's published configuration (jobs/model/
   dino_vits16.py: full depth 12, no pooling layer) with transformers' random initialisation after
   torch.manual_seed(42); then draws the biases and LayerNorm weights/biases at random too (seeded), because
   HF initialises them to 0 and 1, where a mis-mapped bias or LayerNorm would go unnoticed.
2. Exports it with export_model.export(), the code path export_model.py runs on the real weights, into a
   temporary directory: fp32 and bf16 TorchScript with matmul attention, onnx-fp32, onnx-int8, and fp32 and
   bf16 TorchScript with sdpa attention (export() runs its own checks on the way).
3. Reloads every exported model (torch.jit.load, onnxruntime) and compares it with the tutorial's
   pipeline, ViTImageProcessor + ViTModel(...).last_hidden_state.mean(dim=1) in fp32, on the 60 sample
   JPEGs (datasets/sample/HAM10000_images_part_1) and the shipped test images: fp32 max abs difference
   <= 1e-4, bf16 min cosine >= 0.999; int8 (opt-in, not exact) min cosine >= 0.98 and mean top-10
   neighbour overlap among the 60 sample images >= 0.8 (loose floors that catch a broken quantization;
   the figures are what the README reports).
4. Compares ViTImageProcessor's pixel_values (image opened by Pillow, convert("RGB")) with the Java
   preprocessing (jobs/lesion-search embed --pixels) on every shipped test image Pillow opens and a few
   sample JPEGs: max abs difference <= 1e-5.
5. Runs the Java pipeline end to end (jobs/lesion-search embed --model DIR: Java decoding and
   preprocessing, DJL inference) on the exported models and compares with the tutorial's pipeline, with
   the bounds of 3. Models whose engine the jar does not contain are reported as not run.

Prints one table row per figure with its bound; exit status 1 if any figure is out of bounds or a step
failed, 0 otherwise. --keep DIR keeps the exported models.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile

warnings.filterwarnings("ignore", category=FutureWarning, message=".*torch.jit.*")  # still what DJL loads

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

SAMPLE = os.path.join(ROOT, "datasets", "sample", "HAM10000_images_part_1")
TEST_IMAGES = os.path.join(ROOT, "src", "test", "resources", "images")
CLI = os.path.join(ROOT, "jobs", "lesion-search")
JAR = os.environ.get("LESION_SEARCH_JAR", os.path.join(ROOT, "target", "lesion-search.jar"))

FP32_MAX_DIFF = 1e-4
BF16_MIN_COS = 0.999
INT8_MIN_COS = 0.98
INT8_MIN_OVERLAP = 0.8
PIXELS_MAX_DIFF = 1e-5
TOP_K = 10
SEED = 42


class Table:
    def __init__(self):
        self.rows = []

    def add(self, check: str, figure: str, bound: str, ok):
        """ok: True (within bound), False (out of bound / failed), None (reported, not run)."""
        self.rows.append((check, figure, bound, {True: "ok", False: "FAIL", None: "-"}[ok]))
        mark = {True: "ok", False: "FAIL", None: "-"}[ok]
        print(f"  [{mark}] {check}: {figure} (bound {bound})", flush=True)

    def failed(self) -> int:
        return sum(1 for r in self.rows if r[3] == "FAIL")

    def print(self):
        widths = [max(len(r[i]) for r in self.rows + [("check", "figure", "bound", "result")]) for i in range(4)]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        print(line.format("check", "figure", "bound", "result"))
        print(line.format(*("-" * w for w in widths)))
        for r in self.rows:
            print(line.format(*r))


def hf_model(depth: int):
    """dino-vits16's ViTModel and ViTImageProcessor, random weights incl. biases and LayerNorm affine."""
    import torch
    from dino_vits16 import dino_vits16

    proc, hf = dino_vits16(depth=depth, seed=SEED)
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in hf.named_parameters():
            if name.endswith(".bias"):
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
            elif "layernorm" in name and name.endswith(".weight"):
                p.copy_(1.0 + 0.05 * torch.randn(p.shape, generator=g))
    return proc, hf.eval()


def cosine_rows(a, b):
    import numpy as np

    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def top_k_overlap(ref, got, k: int = TOP_K) -> float:
    """Mean over images of |top-k neighbours under ref ∩ under got| / k (cosine, the image itself left out)."""
    import numpy as np

    def neighbours(e):
        e = e / np.linalg.norm(e, axis=1, keepdims=True)
        s = e @ e.T
        np.fill_diagonal(s, -np.inf)
        return np.argsort(-s, axis=1, kind="stable")[:, :k]

    a, b = neighbours(ref), neighbours(got)
    return float(np.mean([len(set(a[i]) & set(b[i])) / k for i in range(len(a))]))


def batched(run, pixels, batch: int = 16):
    import numpy as np

    return np.concatenate([run(pixels[i:i + batch]) for i in range(0, len(pixels), batch)])


def jar_has(entry_prefix: str) -> bool:
    with zipfile.ZipFile(JAR) as z:
        return any(n.startswith(entry_prefix) for n in z.namelist())


def java(args, timeout: int = 600):
    env = dict(os.environ, LESION_SEARCH_JAR=JAR)
    return subprocess.run([CLI] + args, capture_output=True, text=True, timeout=timeout, env=env)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--depth", type=int, default=12, help="encoder layers (12 = dino-vits16; less only to try it)")
    ap.add_argument("--keep", metavar="DIR", help="export into DIR and keep it (default: a temporary directory)")
    ap.add_argument("--pixel-samples", type=int, default=5, help="sample JPEGs in the pixel comparison")
    ap.add_argument("--no-java", action="store_true", help="leave out the rows that run jobs/lesion-search")
    args = ap.parse_args()

    try:
        import numpy as np
        import onnxruntime
        import PIL
        import torch
        import transformers
        from PIL import Image
    except ImportError as e:
        sys.exit(f"check_export: {e}; pip install torch \"transformers<5\" onnx onnxruntime pillow numpy")
    import export_model
    from make_test_model import ONNX_INPUT

    started = time.time()
    print(f"check_export: torch {torch.__version__}, transformers {transformers.__version__}, onnxruntime "
          f"{onnxruntime.__version__}, Pillow {PIL.__version__}, numpy {np.__version__}; "
          f"{torch.get_num_threads()} torch threads", flush=True)
    table = Table()
    out = args.keep or tempfile.mkdtemp(prefix="check_export.")
    if args.keep:
        os.makedirs(out, exist_ok=True)

    # 1. the model and processor
    proc, hf = hf_model(args.depth)
    print(f"ViTModel from dino-vits16's config: depth {args.depth}, attention implementation "
          f"{hf.config._attn_implementation!r}, {sum(p.numel() for p in hf.parameters())} parameters, seed {SEED}",
          flush=True)

    # 2. export through export_model.py's code path
    dirs = {}
    for attention, kw in (("matmul", dict(onnx=True, int8=True)), ("sdpa", {})):
        print(f"\n== export_model.export(..., attention={attention!r}, {kw})", flush=True)
        try:
            res = export_model.export(hf, proc, os.path.join(out, attention), ["float32", "bfloat16"],
                                      model_id="random/dino-vits16-config", attention=attention, **kw)
            for name, r in res["models"].items():
                dirs[name if attention == "matmul" or name.startswith("onnx") else f"{name}-sdpa"] = r["dir"]
            table.add(f"export_model.export ({attention} attention)", "all checks passed", "export's own", True)
        except export_model.ExportError as e:
            table.add(f"export_model.export ({attention} attention)", str(e)[:200], "export's own", False)

    # 3. reload every model and compare with the tutorial's pipeline
    print("\n== exported models vs ViTImageProcessor + ViTModel(...).last_hidden_state.mean(dim=1)", flush=True)
    samples = sorted(glob.glob(os.path.join(SAMPLE, "*.jpg")))
    tests = []
    for f in sorted(glob.glob(os.path.join(TEST_IMAGES, "*"))):
        try:
            with Image.open(f) as im:
                im.load()
            tests.append(f)
        except Exception as e:  # noqa: BLE001
            print(f"Pillow cannot open {os.path.relpath(f, ROOT)} ({e}); left out", flush=True)
    files = samples + tests
    pixels = proc(images=[Image.open(f).convert("RGB") for f in files], return_tensors="pt")["pixel_values"]
    with torch.no_grad():
        want = batched(lambda x: hf(pixel_values=x).last_hidden_state.mean(dim=1).numpy(), pixels)
    ns = len(samples)
    print(f"{len(files)} images: {ns} sample JPEGs + {len(tests)} shipped test images", flush=True)

    def runner(d):
        man = json.load(open(os.path.join(d, "manifest.json")))
        if man.get("engine") == "OnnxRuntime":
            s = onnxruntime.InferenceSession(os.path.join(d, man["onnx"]), providers=["CPUExecutionProvider"])
            return man, lambda x: s.run(None, {ONNX_INPUT: x.numpy()})[0]
        m = torch.jit.load(os.path.join(d, man["torchscript"]), map_location="cpu").eval()

        def run(x):
            with torch.no_grad():
                return m(x).numpy()
        return man, run

    def judge(label: str, dtype: str, got, ref):
        diff = float(np.abs(got - ref).max())
        cos = cosine_rows(got, ref)
        overlap = top_k_overlap(ref[:ns], got[:ns])
        rest = f"min cosine {cos.min():.6f}, top-{TOP_K} overlap {overlap:.3f}"
        if dtype == "float32":
            table.add(f"{label}: max abs diff", f"{diff:.3g} ({rest})", f"<= {FP32_MAX_DIFF:g}",
                      diff <= FP32_MAX_DIFF)
        elif dtype == "bfloat16":
            table.add(f"{label}: min cosine", f"{cos.min():.6f} (max abs diff {diff:.3g}, top-{TOP_K} overlap "
                      f"{overlap:.3f})", f">= {BF16_MIN_COS}", cos.min() >= BF16_MIN_COS)
        else:
            table.add(f"{label}: min cosine", f"{cos.min():.6f} (mean {cos.mean():.6f}, max abs diff {diff:.3g})",
                      f">= {INT8_MIN_COS}", cos.min() >= INT8_MIN_COS)
            table.add(f"{label}: top-{TOP_K} overlap, {ns} samples", f"{overlap:.3f}", f">= {INT8_MIN_OVERLAP}",
                      overlap >= INT8_MIN_OVERLAP)

    for name in ("fp32", "bf16", "fp32-sdpa", "bf16-sdpa", "onnx-fp32", "onnx-int8"):
        if name not in dirs:
            table.add(f"{name}", "not exported", "-", False)
            continue
        man, run = runner(dirs[name])
        judge(f"{name} vs HF", man["compute_dtype"], batched(run, pixels), want)

    if args.no_java:
        table.add("Java rows", "not run (--no-java)", "-", None)
    elif not os.path.exists(JAR):
        table.add("Java rows", f"{JAR} missing: mvn -B -q -DskipTests package", "-", False)
    else:
        # 4. Java preprocessing vs ViTImageProcessor
        print("\n== Java preprocessing (embed --pixels) vs ViTImageProcessor pixel_values", flush=True)
        for f in tests + samples[:args.pixel_samples]:
            rel = os.path.relpath(f, ROOT)
            with Image.open(f) as im:
                mode = im.mode
                ref = proc(images=im.convert("RGB"), return_tensors="np")["pixel_values"][0]
            r = java(["embed", "--pixels", f])
            try:
                line = json.loads(r.stdout)
                got = np.asarray(line["values"], dtype=np.float32).reshape(line["shape"])
                diff = float(np.abs(got - ref).max())
                table.add(f"pixels {rel} ({mode})", f"{diff:.3g}", f"<= {PIXELS_MAX_DIFF:g}", diff <= PIXELS_MAX_DIFF)
            except (ValueError, KeyError) as e:
                table.add(f"pixels {rel}", f"Java: {(r.stdout or r.stderr).strip()[:160]} ({e})", "-", False)

        # 5. the Java pipeline end to end
        print("\n== Java end to end (embed --model DIR) vs the tutorial's pipeline", flush=True)
        has_ort = jar_has("ai/djl/onnxruntime/")
        order = {f: i for i, f in enumerate(files)}
        for name in ("fp32", "bf16", "bf16-sdpa", "onnx-fp32", "onnx-int8"):
            if name not in dirs:
                continue
            man = json.load(open(os.path.join(dirs[name], "manifest.json")))
            if man.get("engine") == "OnnxRuntime" and not has_ort:
                table.add(f"Java {name} vs HF", "not run: this jar has no OnnxRuntime engine", "-", None)
                continue
            r = java(["embed", "--model", dirs[name]] + files)
            vectors = {}
            for line in r.stdout.splitlines():
                try:
                    o = json.loads(line)
                    if "vector" in o:
                        vectors[o["file"]] = o["vector"]
                except ValueError:
                    pass
            if len(vectors) != len(files):
                table.add(f"Java {name} vs HF", f"{len(vectors)}/{len(files)} vectors, exit {r.returncode}: "
                          f"{(r.stderr or r.stdout).strip()[-200:]}", "-", False)
                continue
            got = np.asarray([vectors[f] for f in sorted(vectors, key=order.get)], dtype=np.float32)
            judge(f"Java {name} vs HF", man["compute_dtype"], got, want)

    print(f"\ncheck_export: {len(files)} images, HF reference {want.shape[0]}x{want.shape[1]}, exports in {out}"
          f"{'' if args.keep else ' (removed)'}, {time.time() - started:.0f} s\n", flush=True)
    table.print()
    failed = table.failed()
    print(f"\ncheck_export: {'FAILED: ' + str(failed) + ' out of bounds' if failed else 'all within bounds'}")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
