#!/usr/bin/env python3
"""Validates every signature of a PDF with pyHanko (an independent PAdES implementation),
trusting only the given certificate as root, and prints one JSON object per signature:
field, signer certificate's SHA-256, intact (the digest of the byte ranges matches),
valid (the CMS signature verifies), trusted (the signer chains to the given root),
coverage (ENTIRE_FILE for the last signature, ENTIRE_REVISION for an earlier one),
modification_level (what the later revisions changed: NONE, LTA_UPDATES,
FORM_FILLING, ANNOTATIONS, OTHER), signed_revision and the /SubFilter.
Exits 2 when the file cannot be read as a PDF.

Usage: pades_check.py FILE.pdf ROOT.pem
"""
import hashlib
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def main(pdf_path, root_path):
    root = load_cert_from_pemder(root_path)
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    out = []
    try:
        f = open(pdf_path, "rb")
        reader = PdfFileReader(f, strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as e:  # noqa: BLE001 - report any parse failure
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(2)
    for sig in signatures:
        entry = {"field": sig.field_name, "subfilter": str(sig.sig_object.get("/SubFilter"))}
        try:
            status = validate_pdf_signature(sig, context)
            entry.update(
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                coverage=status.coverage.name if status.coverage else None,
                modification_level=status.modification_level.name if status.modification_level else None,
                signer_sha256=hashlib.sha256(status.signing_cert.dump()).hexdigest(),
                signed_revision=sig.signed_revision,
            )
        except Exception as e:  # noqa: BLE001 - a broken signature is a result, not a crash
            entry.update(intact=False, valid=False, trusted=False, error=f"{type(e).__name__}: {e}")
        out.append(entry)
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    main(sys.argv[1], sys.argv[2])
