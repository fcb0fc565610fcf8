#!/usr/bin/env python3
"""Regenerates the committed seed corpora in fuzz/corpus/ from the RFC 9529 traces and from
hand-written wire examples. Run from anywhere: python3 fuzz/seeds/make_seeds.py [VECTORS_DIR]
(VECTORS_DIR defaults to the repository's own copies in iomt-testkit/data). Seeds are named
<vector name>; existing files of the same name are overwritten, others are kept."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.dirname(HERE)
ROOT = os.path.dirname(FUZZ)
VECTORS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "iomt-testkit", "data")


def vectors(name):
    out = {}
    with open(os.path.join(VECTORS, name)) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = (s.strip() for s in line.split("=", 1))
            try:
                out[key] = bytes.fromhex(value)
            except ValueError:
                pass
    return out


def seed(target, name, data):
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


sec3 = vectors("rfc9529-sec3.txt")
sec4 = vectors("rfc9529-sec4-invalid.txt")

# Every CBOR value of the traces (messages, credentials, ID_CRED maps, contexts, plaintexts,
# info/input structures, invalid messages); raw keys and hashes are not CBOR and are left out.
CBOR_HINTS = ("cbor", "message", "CRED", "context", "PLAINTEXT", "A_", "info", "Input", "error", "bstr", "SUITES")
for k, v in list(sec3.items()) + list(sec4.items()):
    if v and any(h in k for h in CBOR_HINTS):
        seed("cbor_decode", k, v)

# Frame headers: the examples of iomt-proto's wire module docs and tests.
seed("frame_header", "data_seq5", bytes([0x40, 0x07, 0x2F, 0x05, 0xAA, 0xBB]))
seed("frame_header", "consent_seq_long", bytes([0x4E, 0xFE, 0x31, 0x01, 0x02, 0x03, 0x04]))
seed("frame_header", "close_seq2", bytes([0x52, 0x01, 0x0F, 0x01, 0x00]) + bytes(16))

# SFLOAT/FLOAT: special values and typical readings (the Arbitrary input takes raw bytes).
for name, word16, word32 in [
    ("nan", 0x07FF, 0x007FFFFF),
    ("nres", 0x0800, 0x00800000),
    ("pinf", 0x07FE, 0x007FFFFE),
    ("ninf", 0x0802, 0x00800002),
    ("reserved", 0x0801, 0x00800001),
    ("temp_36_6", 0xF16E, 0xFF00016E),
    ("max_mantissa", 0x77FD, 0x7F7FFFFD),
]:
    seed("sfloat", name, word16.to_bytes(2, "little") + word32.to_bytes(4, "little") + bytes(14))

# Replay window: short op sequences.
seed("replay_window", "in_order", bytes(range(0, 64)))
seed("replay_window", "reorder", bytes([0, 5, 0, 3, 0, 4, 1, 9, 0, 5, 0, 200, 1, 1]))

# EDHOC messages as received by their role: the RFC 9529 trace (real crypto: these stop at
# the first MAC under FuzzCrypto, but carry the structure) and every §4 invalid message.
# The FuzzCrypto seeds that pass every check are written by the fuzz crate's
# `write_seeds` test (cargo +nightly test --release --lib -- --ignored write_seeds).
for k, v in sec3.items():
    for n in ("1", "2", "3", "4"):
        if k == "message_" + n or k == "message_" + n + "__first_time":
            seed("edhoc_message_" + n, "rfc9529_" + k, v)
    if k.startswith("error"):
        seed("edhoc_error", "rfc9529_" + k, v)
for k, v in sec4.items():
    if k.endswith("__message_1"):
        seed("edhoc_message_1", "rfc9529_invalid_" + k, v)
    elif k.endswith("__message_2"):
        seed("edhoc_message_2", "rfc9529_invalid_" + k, v)
