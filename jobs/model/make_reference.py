#!/usr/bin/env python3
"""Make the synthetic test images and the Pillow / PyTorch reference data the Java tests compare against.

Run from the repository root in a venv with torch, Pillow 13 and numpy (the preprocessing references
are Pillow 13's since issue 16; Pillow 9.4 gave the same bytes except lesion-tall-200x500.jpg, see NOTES):
    python3 -m venv .venv && . .venv/bin/activate && pip install torch "transformers<5" onnx onnxruntime pillow numpy
    python3 jobs/model/make_reference.py --preprocess-only
(--images-only / --preprocess-only / --model-only to redo one part.)

Writes
  src/test/resources/images/                 synthetic "dermoscopy-like" JPEGs and PNGs (deterministic)
  src/test/resources/reference/preprocess/   <image file name>.resized.png, e.g. lesion-grey.jpg.resized.png (Pillow convert("RGB") + BILINEAR 224x224),
                                             lesion-600x450.pixels.f32 (normalised float32 CHW, little endian),
                                             index.json
  src/test/resources/reference/model/        <model-dir>.json: embeddings of the shipped models (reloaded
                                             model.pt) for 4 images as one batch, plus batch size 1.

Preprocessing = ViTImageProcessor (facebook/dino-vits16), slow (PIL/numpy) path:
  Image.open -> convert("RGB") -> resize((224, 224), BILINEAR, reducing_gap=None)
  -> x = uint8.astype(float64) * (1/255) -> float32 -> (x - mean_f32) / std_f32 -> CHW.
"""
import argparse
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
RES = os.path.join(ROOT, "src", "test", "resources")
IMAGES = os.path.join(RES, "images")
PRE = os.path.join(RES, "reference", "preprocess")
MODEL_REF = os.path.join(RES, "reference", "model")
MODELS = os.path.join(RES, "models")

SIZE = 224
RESCALE = 1.0 / 255.0
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]

PIXELS_IMAGE = "lesion-600x450.jpg"
MODEL_IMAGES = ["lesion-600x450.jpg", "lesion-progressive.jpg", "lesion-rgb.png", "lesion-small-150x100.png"]
SHIPPED_MODELS = ["vit-s16-d1/fp32", "vit-s16-d1/bf16"]


# ----------------------------------------------------------------------------------------- preprocessing
def preprocess_pil(img: Image.Image):
    """Return (resized uint8 HWC RGB array, normalised float32 CHW array), exactly as ViTImageProcessor."""
    rgb = img.convert("RGB")
    resized = rgb.resize((SIZE, SIZE), resample=Image.BILINEAR, reducing_gap=None)
    arr = np.array(resized)  # uint8 HWC
    x = (arr.astype(np.float64) * RESCALE).astype(np.float32)  # transformers.image_transforms.rescale
    mean = np.array(MEAN, dtype=x.dtype)
    std = np.array(STD, dtype=x.dtype)
    x = (x - mean) / std  # transformers.image_transforms.normalize (float32 arithmetic)
    return arr, np.ascontiguousarray(x.transpose(2, 0, 1)).astype(np.float32)


def preprocess_file(path: str):
    with Image.open(path) as img:
        return preprocess_pil(img)


# ----------------------------------------------------------------------------------------- images
def _smooth_noise(rng, h, w, scale):
    """Low-frequency noise: coarse random grid upsampled bilinearly (numpy only)."""
    gh, gw = max(2, h // scale + 2), max(2, w // scale + 2)
    g = rng.standard_normal((gh, gw))
    ys = np.linspace(0, gh - 1.001, h)
    xs = np.linspace(0, gw - 1.001, w)
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    a = g[y0][:, x0]
    b = g[y0][:, x0 + 1]
    c = g[y0 + 1][:, x0]
    d = g[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def lesion_rgb(w: int, h: int, seed: int, noise: float = 5.0) -> np.ndarray:
    """A deterministic dermoscopy-like float RGB image in [0, 255], shape (h, w, 3)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    u, v = (xx - w / 2) / (w / 2), (yy - h / 2) / (h / 2)
    r = np.sqrt(u * u + v * v)
    # skin background: warm tone, soft vignette (dermatoscope), gentle mottling
    skin = np.array([224.0, 176.0, 150.0])
    vign = 1.0 - 0.35 * np.clip(r - 0.6, 0, None) ** 1.5
    mott = 6.0 * _smooth_noise(rng, h, w, max(8, w // 12))
    img = skin[None, None, :] * vign[..., None] + mott[..., None]
    # irregular blob: radius modulated by a few harmonics of the angle
    cx, cy = 0.08 * rng.standard_normal(), 0.08 * rng.standard_normal()
    du, dv = u - cx, (v - cy) * (h / w) * 1.3
    theta = np.arctan2(dv, du)
    rad = 0.42
    for k in range(2, 7):
        rad = rad + 0.035 * rng.standard_normal() * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    dist = np.sqrt(du * du + dv * dv) / rad
    edge = 1.0 / (1.0 + np.exp((dist - 1.0) * 14.0))  # soft, slightly fuzzy border
    lesion = np.array([112.0, 68.0, 48.0])
    core = np.array([62.0, 36.0, 30.0])
    inner = np.clip(1.0 - dist, 0, 1) ** 0.7
    lcol = lesion[None, None, :] * (1 - inner[..., None]) + core[None, None, :] * inner[..., None]
    # pigment network: a net of darker lines inside the lesion
    net = 0.5 + 0.5 * np.sin(xx * 0.55 + 3 * _smooth_noise(rng, h, w, 30)) * np.sin(yy * 0.5)
    lcol = lcol * (1.0 - 0.25 * net[..., None] * edge[..., None])
    dots = (rng.random((h, w)) < 0.002) * edge  # dark globules
    lcol = lcol * (1.0 - 0.5 * dots[..., None])
    img = img * (1 - edge[..., None]) + lcol * edge[..., None]
    # a few hairs: thin dark curves
    for _ in range(3):
        a, b, c = rng.uniform(-0.3, 0.3), rng.uniform(-1, 1), rng.uniform(0.5, 2.0)
        curve = v - (a * u * u + b * u * 0.4 + rng.uniform(-0.6, 0.6))
        hair = np.exp(-(curve * h / c) ** 2)
        img = img * (1 - 0.6 * hair[..., None])
    # fine sensor noise: real high-frequency content
    img = img + noise * rng.standard_normal((h, w, 3))
    return np.clip(img, 0, 255)


def u8(a: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def grey_of(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114])


def png_16bit(path: str, arr: np.ndarray) -> None:
    """Hand-written PNG encoder: 16-bit greyscale (h, w) or 16-bit RGB (h, w, 3) uint16, filter 0."""
    arr = np.asarray(arr, dtype=np.uint16)
    h, w = arr.shape[:2]
    colour_type = 0 if arr.ndim == 2 else 2
    be = arr.astype(">u2").reshape(h, -1).view(np.uint8).reshape(h, -1)
    raw = b"".join(b"\x00" + be[y].tobytes() for y in range(h))

    def chunk(typ: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def make_images() -> list:
    os.makedirs(IMAGES, exist_ok=True)
    written = []

    def out(name):
        written.append(name)
        return os.path.join(IMAGES, name)

    big = lesion_rgb(600, 450, seed=1)
    big8 = Image.fromarray(u8(big), "RGB")
    big8.save(out("lesion-600x450.jpg"), quality=90, subsampling=2)  # baseline 4:2:0
    # a different lesion for the progressive one, so the batch has distinct inputs
    Image.fromarray(u8(lesion_rgb(600, 450, seed=2)), "RGB").save(
        out("lesion-progressive.jpg"), quality=90, progressive=True)
    Image.fromarray(u8(lesion_rgb(600, 450, seed=3)), "RGB").save(
        out("lesion-444.jpg"), quality=95, subsampling=0)
    Image.fromarray(u8(grey_of(lesion_rgb(600, 450, seed=4))), "L").save(out("lesion-grey.jpg"), quality=90)
    # CMYK with a real K channel (Pillow's own RGB->CMYK conversion leaves K = 0, which would not
    # exercise the K term of CMYK->RGB): grey-component replacement of 70% of min(C, M, Y)
    cmy = 255.0 - lesion_rgb(600, 450, seed=5)
    k = 0.7 * cmy.min(axis=2, keepdims=True)
    cmyk = np.concatenate([(cmy - k) / np.maximum(1e-6, 1.0 - k / 255.0), k], axis=2)
    Image.fromarray(u8(cmyk), "CMYK").save(out("lesion-cmyk.jpg"), quality=90)
    Image.fromarray(u8(lesion_rgb(400, 600, seed=6)), "RGB").resize((200, 500), Image.LANCZOS).save(
        out("lesion-tall-200x500.jpg"), quality=90)

    # PNGs at 300x225 (still a downscale on both axes towards 224x224 ... 225 -> 224 barely), less noise
    pw, ph = 300, 225
    rgb = lesion_rgb(pw, ph, seed=11, noise=3.0)
    Image.fromarray(u8(rgb), "RGB").save(out("lesion-rgb.png"), optimize=True)

    rgba = lesion_rgb(pw, ph, seed=12, noise=3.0)
    yy, xx = np.mgrid[0:ph, 0:pw]
    alpha = u8(255.0 * (0.15 + 0.85 * (xx / (pw - 1))) * (0.5 + 0.5 * np.cos(yy / ph * np.pi) ** 2))
    alpha[:20, :20] = 0  # fully transparent corner whose colour is still non-zero
    Image.fromarray(np.dstack([u8(rgba), alpha]), "RGBA").save(out("lesion-rgba.png"), optimize=True)

    pal = Image.fromarray(u8(lesion_rgb(pw, ph, seed=13, noise=3.0)), "RGB").quantize(
        colors=64, method=Image.MEDIANCUT, dither=Image.NONE)
    pal.save(out("lesion-palette.png"), transparency=0, optimize=False)  # tRNS: index 0 transparent

    grey = u8(grey_of(lesion_rgb(pw, ph, seed=14, noise=3.0)))
    Image.fromarray(grey, "L").save(out("lesion-grey.png"), optimize=True)

    la_g = u8(grey_of(lesion_rgb(pw, ph, seed=15, noise=3.0)))
    la_a = u8(255.0 * (1.0 - 0.8 * (yy / (ph - 1))))
    Image.fromarray(np.dstack([la_g, la_a]), "LA").save(out("lesion-la.png"), optimize=True)

    g16 = grey_of(lesion_rgb(pw, ph, seed=16, noise=3.0))
    g16 = (g16 - g16.min()) / (g16.max() - g16.min())  # full 0..65535 range
    png_16bit(out("lesion-grey16.png"), np.rint(g16 * 65535.0).astype(np.uint16))

    c16 = lesion_rgb(pw, ph, seed=17, noise=3.0) * 257.0
    c16[:4, :4, :] = [[0.0, 32768.0, 65535.0]]  # extremes of the 16-bit range
    png_16bit(out("lesion-rgb16.png"), np.clip(np.rint(c16), 0, 65535).astype(np.uint16))

    Image.fromarray(u8(lesion_rgb(150, 100, seed=18, noise=4.0)), "RGB").save(
        out("lesion-small-150x100.png"), optimize=True)
    return written


# ----------------------------------------------------------------------------------------- references
NOTES = {
    "lesion-grey16.png": (
        "16-bit greyscale PNG: Pillow 9.4 opens it as mode 'I' (32-bit int, values 0..65535), Pillow 13 as "
        "'I;16'; either way convert('RGB') clips each value to 0..255 (R=G=B=min(v,255), no scaling), so almost every pixel becomes 255"),
    "lesion-rgb16.png": (
        "16-bit RGB PNG: Pillow (9.4 and 13) opens it as mode 'RGB' keeping only the high byte of each sample "
        "(v >> 8, rawmode RGB;16B), no rounding"),
    "lesion-cmyk.jpg": (
        "CMYK JPEG written by Pillow (Adobe APP14 marker, transform 0, samples stored inverted, read back "
        "with rawmode 'CMYK;I'), K is non-zero; convert('RGB') computes per channel, in integers, "
        "nk = 255 - K; t = C*nk + 128; R = nk - (((t >> 8) + t) >> 8) (likewise G from M, B from Y), "
        "i.e. round((255-C)*(255-K)/255); no ICC profile is used"),
    "lesion-palette.png": (
        "8-bit palette PNG (64 colours) with a one-entry tRNS chunk (index 0 transparent): convert('RGB') "
        "is a plain palette lookup, transparency ignored"),
    "lesion-rgba.png": "RGBA: convert('RGB') drops alpha (no premultiplication, no compositing)",
    "lesion-la.png": "LA: convert('RGB') drops alpha, R=G=B=L",
    "lesion-tall-200x500.jpg": (
        "height shrinks by more than twice as many pixels as the width: Pillow 13 resizes vertically first "
        "(python-pillow/Pillow#9549), Pillow 12 and older horizontally first; the order moves the 8-bit "
        "rounding between the passes, up to 1 grey level apart. Reference made with Pillow 13"),
}


def _png_info(path):
    with open(path, "rb") as f:
        data = f.read(33)
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
    return {"bit_depth": depth, "colour_type": ctype}


def make_preprocess(names) -> list:
    os.makedirs(PRE, exist_ok=True)
    entries = []
    for name in sorted(names):
        path = os.path.join(IMAGES, name)
        with Image.open(path) as img:
            mode, size, fmt = img.mode, img.size, img.format
            info = {k: (v if isinstance(v, (int, str, float)) else str(v)) for k, v in img.info.items()
                    if k in ("progressive", "progression", "transparency", "adobe", "adobe_transform")}
            resized, x = preprocess_pil(img)
        stem = os.path.splitext(name)[0]
        rname = name + ".resized.png"  # full name: lesion-grey.jpg and lesion-grey.png share a stem
        Image.fromarray(resized, "RGB").save(os.path.join(PRE, rname))
        e = {"image": name, "format": fmt, "mode": mode, "width": size[0], "height": size[1],
             "resized": rname}
        pi = _png_info(path)
        if pi:
            e["png"] = pi
        if info:
            e["info"] = info
        if name == PIXELS_IMAGE:
            pname = stem + ".pixels.f32"
            x.astype("<f4").tofile(os.path.join(PRE, pname))
            e["pixels"] = pname
            e["pixels_first_values"] = [float(v) for v in x.reshape(-1)[:4]]
        if name in NOTES:
            e["note"] = NOTES[name]
        entries.append(e)
    index = {
        "pillow": Image.__version__,
        "numpy": np.__version__,
        "pipeline": ("Image.open -> convert('RGB') -> resize((224, 224), Image.BILINEAR, reducing_gap=None) -> "
                     "x = uint8.astype(float64) * (1/255) -> astype(float32) -> (x - mean) / std with "
                     "float32 mean/std -> CHW"),
        "size": {"height": SIZE, "width": SIZE},
        "rescale_factor": RESCALE,
        "image_mean": MEAN,
        "image_std": STD,
        "pixels_layout": "raw little-endian float32, shape [3, 224, 224] (CHW), 602112 bytes",
        "images": entries,
    }
    with open(os.path.join(PRE, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    return entries


def make_model_refs() -> None:
    import torch
    torch.set_num_threads(1)
    os.makedirs(MODEL_REF, exist_ok=True)
    batch = torch.from_numpy(np.stack([preprocess_file(os.path.join(IMAGES, n))[1] for n in MODEL_IMAGES]))
    for mdir in SHIPPED_MODELS:
        with open(os.path.join(MODELS, mdir, "manifest.json")) as f:
            man = json.load(f)
        model = torch.jit.load(os.path.join(MODELS, mdir, man["torchscript"]), map_location="cpu").eval()
        with torch.no_grad():
            emb = model(batch)
            single = model(batch[:1])
        assert emb.dtype == torch.float32 and emb.shape == (len(MODEL_IMAGES), 384), (emb.dtype, emb.shape)
        diff = (emb[0] - single[0]).abs().max().item()
        ref = {
            "model": mdir,
            "model_id": man["model_id"],
            "compute_dtype": man["compute_dtype"],
            "torch": torch.__version__,
            "device": "cpu",
            "inputs": MODEL_IMAGES,
            "embeddings": [[repr(float(np.float32(v))) for v in row] for row in emb.numpy()],
            "single_input": MODEL_IMAGES[0],
            "single": [repr(float(np.float32(v))) for v in single[0].numpy()],
        }
        assert torch.isfinite(emb).all() and torch.isfinite(single).all()
        text = _json_with_floats(ref)  # floats as JSON numbers: repr(float(np.float32(v)))
        os.makedirs(os.path.dirname(os.path.join(MODEL_REF, mdir + ".json")), exist_ok=True)
        with open(os.path.join(MODEL_REF, mdir + ".json"), "w") as f:
            f.write(text)
        print(f"{mdir}: embeddings {tuple(emb.shape)}, |batch[0]-single| max {diff:.3g}, "
              f"emb[0][:3] {emb[0][:3].tolist()}")


def _json_with_floats(ref: dict) -> str:
    """JSON with the float arrays written as repr(float(float32)) (exact float32 value), one row per line."""
    lines = ["{"]
    items = list(ref.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if k == "embeddings":
            rows = ["    [" + ", ".join(r) + "]" for r in v]
            lines.append(f'  "{k}": [\n' + ",\n".join(rows) + f"\n  ]{comma}")
        elif k == "single":
            lines.append(f'  "{k}": [' + ", ".join(v) + f"]{comma}")
        else:
            lines.append(f"  {json.dumps(k)}: {json.dumps(v)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--images-only", action="store_true")
    g.add_argument("--preprocess-only", action="store_true")
    g.add_argument("--model-only", action="store_true")
    args = ap.parse_args()
    everything = not (args.images_only or args.preprocess_only or args.model_only)
    if everything or args.images_only:
        names = make_images()
    else:
        names = sorted(n for n in os.listdir(IMAGES) if n.endswith((".jpg", ".png")))
    if everything or args.preprocess_only:
        for e in make_preprocess(names):
            print(f"{e['image']}: {e['format']} mode {e['mode']} {e['width']}x{e['height']} -> {e['resized']}")
    if everything or args.model_only:
        make_model_refs()
    total = 0
    for d in (IMAGES, PRE, MODEL_REF, MODELS):
        for dp, _, fns in os.walk(d):
            for fn in sorted(fns):
                p = os.path.join(dp, fn)
                total += os.path.getsize(p)
    print(f"total size of images + references + models: {total} bytes")


if __name__ == "__main__":
    sys.exit(main())
