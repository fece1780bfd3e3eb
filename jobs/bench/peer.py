#!/usr/bin/env python3
"""The peer: Qdrant's skin-cancer tutorial's embedding pipeline, as the tutorial writes it, timed.

    inputs = processor(images=batch['image'], return_tensors="pt").to(device)
    with torch.no_grad():
        outputs = model(**inputs).last_hidden_state.mean(dim=1).cpu().numpy()

with transformers' ViTImageProcessor + ViTModel built from facebook/dino-vits16's configuration
(random weights, seed 42: the same code path and cost as the real weights; nothing is downloaded),
batches of 16, PIL decoding the same JPEG files the Java benchmark reads. bf16 runs the same code
inside torch.autocast("cpu", dtype=torch.bfloat16), what a user of PyTorch on a CPU would add.

    python3 jobs/bench/peer.py --images datasets/sample/HAM10000_images_part_1 --dtype bfloat16

Phases: "end-to-end" (decode + processor + model, as the tutorial's map()) and "model-only" (the same
model on already prepared pixel_values). Prints one "peer ..." line per phase; --json prints one JSON
object per phase instead, for `jobs/lesion-search bench embed --vs-peer`. Needs torch, "transformers<5", pillow, numpy.

--ceiling adds this machine's float32 compute ceiling for the model: its FLOPs per image (torch's
FlopCounterMode over one forward pass) and the fastest float32 matrix multiplication torch.mm reaches
here with the same threads (the model's largest GEMM at this batch size, and a 2048x2048 square).
No float32 pipeline of this model can run faster than their quotient.
"""
import argparse
import glob
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model"))
from dino_vits16 import dino_vits16  # noqa: E402  (the published config + processor config, random weights)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", required=True, help="a folder of JPEG files (*.jpg, *.jpeg)")
    ap.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    ap.add_argument("--phase", choices=["end-to-end", "model-only", "both"], default="both")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    ap.add_argument("--seconds", type=float, default=20.0, help="time per phase")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds of untimed batches first")
    ap.add_argument("--depth", type=int, default=12, help="encoder layers (12 = dino-vits16)")
    ap.add_argument("--json", action="store_true", help="one JSON object per phase")
    ap.add_argument("--ceiling", action="store_true", help="also measure the float32 compute ceiling (about 6 s)")
    args = ap.parse_args()

    import torch
    import transformers
    from PIL import Image

    torch.set_num_threads(args.threads)
    files = sorted(glob.glob(os.path.join(args.images, "*.jpg")) + glob.glob(os.path.join(args.images, "*.jpeg")))
    if not files:
        sys.exit(f"peer: no *.jpg in {args.images}")
    blobs = [open(f, "rb").read() for f in files]
    processor, model = dino_vits16(args.depth)
    device = "cpu"
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.dtype == "bfloat16")

    def batches():
        i = 0
        while True:
            yield [blobs[(i + j) % len(blobs)] for j in range(args.batch)]
            i += args.batch

    def end_to_end(batch):
        images = [Image.open(io.BytesIO(b)) for b in batch]  # what datasets' Image feature hands map()
        inputs = processor(images=images, return_tensors="pt").to(device)
        with torch.no_grad(), autocast:
            return model(**inputs).last_hidden_state.mean(dim=1).cpu().numpy()

    prepared = processor(images=[Image.open(io.BytesIO(b)) for b in blobs[:args.batch]], return_tensors="pt")

    def model_only(_):
        with torch.no_grad(), autocast:
            return model(**prepared).last_hidden_state.mean(dim=1).cpu().numpy()

    def timed(step, seconds):
        source, n, start = batches(), 0, time.perf_counter()
        while time.perf_counter() - start < seconds or n == 0:
            out = step(next(source))
            n += out.shape[0]
        return n, time.perf_counter() - start

    timed(end_to_end if args.phase != "model-only" else model_only, args.warmup)
    phases = ["end-to-end", "model-only"] if args.phase == "both" else [args.phase]
    for phase in phases:
        n, took = timed(end_to_end if phase == "end-to-end" else model_only, args.seconds)
        rate = n / took
        if args.json:
            print(json.dumps({"peer": phase, "dtype": args.dtype, "images_per_s": round(rate, 2), "images": n,
                              "seconds": round(took, 2), "torch": torch.__version__,
                              "transformers": transformers.__version__, "threads": args.threads,
                              "batch": args.batch, "attn": model.config._attn_implementation,
                              "depth": args.depth}), flush=True)
        else:
            print(f"peer {phase:<11} {args.dtype:<8}: {rate:6.1f} images/s ({n} images in {took:.1f} s; torch "
                  f"{torch.__version__}, transformers {transformers.__version__}, {args.threads} threads, "
                  f"batch {args.batch}, attention {model.config._attn_implementation}, depth {args.depth})", flush=True)

    if args.ceiling:
        gflop = flops_per_image(model, prepared)
        c = model.config
        tokens = (c.image_size // c.patch_size) ** 2 + 1  # the patches and the class token: 197
        shapes = [(args.batch * tokens, c.hidden_size, c.intermediate_size), (2048, 2048, 2048)]
        gflops = max(matmul_gflops(*shape, seconds=2.0) for shape in shapes)
        if args.json:
            print(json.dumps({"peer": "ceiling", "gflop_per_image": round(gflop, 4), "matmul_gflops": round(gflops, 1),
                              "threads": args.threads}), flush=True)
        else:
            print(f"ceiling float32: {gflop:.2f} GFLOP per image, torch.mm {gflops:.1f} GFLOP/s with {args.threads} "
                  f"threads -> at most {gflops / gflop:.1f} images/s", flush=True)


def flops_per_image(model, prepared) -> float:
    """GFLOP of one forward pass over one image (2 per multiply-add), as torch counts them."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    one = {k: v[:1] for k, v in prepared.items()}
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(**one)
    return counter.get_total_flops() / 1e9


def matmul_gflops(m: int, k: int, n: int, seconds: float) -> float:
    """float32 GFLOP/s of torch.mm on (m x k) @ (k x n), after a few untimed products."""
    import torch

    a, b = torch.rand(m, k), torch.rand(k, n)
    for _ in range(3):
        torch.mm(a, b)
    products, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.mm(a, b)
        products += 1
    return 2 * m * k * n * products / (time.perf_counter() - start) / 1e9


if __name__ == "__main__":
    main()
