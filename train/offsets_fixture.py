"""Reference token ids and character offsets from the Python (Rust) tokenizer, for the TypeScript core's tests.

Usage: .venv/bin/python train/offsets_fixture.py TOKENIZER_JSON [DATA_JSONL] [OUT_JSON]

Writes {"tokenizer", "docs": [{id, input_ids, offsets}], "cases": [{id, text, input_ids, offsets}]}:
every document of DATA_JSONL (default data/hoc/dev.jsonl) plus hand-picked hard cases, encoded with
[CLS]/[SEP] and with truncation and padding disabled. Offsets are Python string (code point) indices.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tokenizers import Tokenizer

# Texts where normalisation, pre-tokenisation or WordPiece get tricky.
CASES = {
    "accents": "Café naïve résumé Ångström São Paulo",
    "combining-marks": "cafe\u0301 n\u0303o e\u0301\u0301",
    "unicode-punctuation": "“quoted” — dash… «guillemets» ‘single’ ¿qué? 5–10 µg/mL ±2 °C",
    "cjk": "肿瘤细胞凋亡 in 人类 cells; 𠀋 rare ideograph; カタカナ ひらがな 한국어",
    "emoji-unk": "Tumour 🧬 growth 😀😀 x🙂y ok",
    "control-chars": "a\u0000b\u0001c\u0007d\u200be\ufeff f\u00adg\ufffdh\u0085i\u000bj\u000ck",
    "long-word": "short " + "a" * 101 + " and " + "b" * 100 + " end",
    "long-hyphen-word": "x" * 60 + "-" + "y" * 60,
    "multiple-spaces": "  leading   and\t\ttabs   trailing   ",
    "crlf": "Line one.\r\nLine two.\r\n\r\nLine   three.\n",
    "special-tokens-in-text": "before [SEP] after [CLS][MASK]x [PAD] [UNK]",
    "greek-and-math": "ΑΒΓ ΟΔΟΣ α-helix β-catenin ∑ ≥ ∞ x²",
    "turkish-and-ligatures": "İstanbul ﬁnal ǅ ß ẞ ﬀ",
    "non-bmp-letters": "𝐀𝐁𝐂 bold math 𝑥 and 𐐀 deseret",
    "digits-and-symbols": "p<0.05, n=1,234; 10^-6 M $5 #1 @home a|b ~c `d`",
    "whitespace-variety": "a\u00a0b\u2003c\u3000d\u2028e\u202ff",
    "empty": "",
    "only-spaces": "   \n\t ",
    "compatibility-chars": "\uf900\uf901 \u212a \u212b \ufb03x \u2126 \u1e9e",
    "html": "<script>alert('x')</script> <b>bold</b> &amp;",
}


def encode(tokenizer: Tokenizer, text: str) -> dict:
    encoding = tokenizer.encode(text)
    return {"input_ids": encoding.ids, "offsets": [list(o) for o in encoding.offsets]}


def main() -> None:
    tokenizer_path = Path(sys.argv[1])
    data_path = Path(sys.argv[2] if len(sys.argv) > 2 else "data/hoc/dev.jsonl")
    out_path = Path(sys.argv[3] if len(sys.argv) > 3 else "tests/fixtures/hoc-dev-offsets.json")
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    docs = []
    with data_path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                docs.append({"id": record["id"], **encode(tokenizer, record["text"])})
    cases = [{"id": name, "text": text, **encode(tokenizer, text)} for name, text in CASES.items()]
    fixture = {"tokenizer": str(tokenizer_path), "data": str(data_path), "docs": docs, "cases": cases}
    out_path.write_text(json.dumps(fixture, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{out_path}: {len(docs)} documents, {sum(len(d['input_ids']) for d in docs)} tokens, {len(cases)} cases")


if __name__ == "__main__":
    main()
