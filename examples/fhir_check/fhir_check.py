#!/usr/bin/env python3
"""Independent checks of the gateway demo's FHIR R4 output.

Usage: fhir_check.py DIR [--no-structural]

DIR holds the demo's destinations: ehr.ndjson, research.ndjson, emergency.ndjson and
consent.ndjson (missing files count as empty). Two validators run on every resource:

1. Structure: the R4 (4.0.1) models of the `fhir.resources` package (6.4.x, pydantic 1)
   parse every resource. `--no-structural` skips this (for a machine without the package).
2. Profiles: the rules below, written from the R4 vital-signs profile texts
   (http://hl7.org/fhir/R4/observation-vitalsigns.html and the heartrate, oxygensat,
   resprate, bodytemp, bodyweight and bp StructureDefinitions), the R4 SampledData and
   decimal definitions, and the demo's routing and consent contract (docs/FHIR.md). Nothing
   here is shared with the Rust code that writes the output.

Every finding names its rule; the exit status is 1 if there is any, else 0.
"""

import argparse
import base64
import calendar
import hashlib
import json
import os
import re
import sys
from collections import defaultdict
from decimal import Decimal

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
CONSENT_TAG = "urn:iomt:consent-tag:sha256"
TIME_SOURCE = "urn:iomt:effective-time-source"
TIME_SOURCES = {"device-rtc", "gateway-anchored-uptime"}
PROFILE_BASE = "http://hl7.org/fhir/StructureDefinition/"

# R4 vital-signs profiles: the LOINC code each one fixes in Observation.code and the UCUM
# units its valueQuantity may use.
VITAL_PROFILES = {
    "heartrate": ("8867-4", {"/min"}),
    "oxygensat": ("2708-6", {"%"}),
    "resprate": ("9279-1", {"/min"}),
    "bodytemp": ("8310-5", {"Cel", "[degF]"}),
    "bodyweight": ("29463-7", {"kg", "g", "[lb_av]"}),
    "bodyheight": ("8302-2", {"cm", "[in_i]"}),
    "headcircum": ("9843-4", {"cm", "[in_i]"}),
    "bmi": ("39156-5", {"kg/m2"}),
}
BP_PANEL = "85354-9"
BP_COMPONENTS = {"8480-6": "Systolic", "8462-4": "Diastolic"}  # required by the bp profile
BP_OPTIONAL = {"8478-0"}  # mean: an additional component
# A more specific code that implies the profile's code must be present too.
IMPLIES = {"59408-5": "2708-6"}

# LOINC Long Common Names (LOINC's own display for each code).
LOINC_NAMES = {
    "8867-4": "Heart rate",
    "2708-6": "Oxygen saturation in Arterial blood",
    "59408-5": "Oxygen saturation in Arterial blood by Pulse oximetry",
    "9279-1": "Respiratory rate",
    "8310-5": "Body temperature",
    "29463-7": "Body weight",
    "8302-2": "Body height",
    "9843-4": "Head Occipital-frontal circumference",
    "39156-5": "Body mass index (BMI) [Ratio]",
    "85354-9": "Blood pressure panel with all children optional",
    "8480-6": "Systolic blood pressure",
    "8462-4": "Diastolic blood pressure",
    "8478-0": "Mean blood pressure",
    "41653-7": "Glucose [Mass/volume] in Capillary blood by Glucometer",
    "14743-9": "Glucose [Moles/volume] in Capillary blood by Glucometer",
}

# Resolution a device reports (decimal places at least): a clinical thermometer resolves
# 0.1 degree, so a temperature written without a decimal has lost the device's exponent.
MIN_DECIMALS = {"8310-5": 1}

DESTINATIONS = {
    "ehr.ndjson": "TREAT",
    "research.ndjson": "HRESCH",
    "emergency.ndjson": "ETREAT",
    "consent.ndjson": None,
}
PSEUDO_PATIENT = re.compile(r"^Patient/rp-[0-9a-f]{32}$")
PSEUDO_DEVICE = re.compile(r"^Device/rd-[0-9a-f]{32}$")
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$"
)  # vs-1: at least a day


class Findings:
    """Collected rule violations."""

    def __init__(self):
        self.items = []

    def add(self, rule, where, msg):
        self.items.append((rule, where, msg))

    def rules(self):
        return {r for r, _, _ in self.items}


def ref(o, key):
    """`o[key].reference`, or "" if absent or not a Reference."""
    v = o.get(key)
    return str(v.get("reference", "")) if isinstance(v, dict) else ""


def codings(cc, system=None):
    return [
        c for c in (cc or {}).get("coding", []) if system is None or c.get("system") == system
    ]


def loinc_codes(cc):
    return [c.get("code") for c in codings(cc, LOINC)]


def decimals_of(value):
    """Decimal places as written (values are parsed as Decimal, so 37.0 keeps one)."""
    if not isinstance(value, Decimal):
        return None
    exp = value.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else None


def parse_instant_ms(s):
    """Milliseconds since the epoch of a UTC dateTime with a time part (None otherwise)."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$", s or "")
    if not m:
        return None
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    ms = int((m.group(7) or "0").ljust(3, "0"))
    return (calendar.timegm((y, mo, d, h, mi, se)) * 1000) + ms


def check_quantity(f, where, q, units, what):
    if not isinstance(q, dict):
        f.add("vs-value", where, f"{what}: no valueQuantity")
        return
    for key in ("value", "unit", "system", "code"):
        if key not in q:
            f.add("vs-value", where, f"{what}: valueQuantity.{key} missing")
    if q.get("system") != UCUM:
        f.add("vs-units", where, f"{what}: valueQuantity.system is not UCUM")
    if units is not None and q.get("code") not in units:
        f.add("vs-units", where, f"{what}: unit {q.get('code')!r} not in {sorted(units)}")
    if "value" in q and not isinstance(q["value"], Decimal):
        f.add("vs-value", where, f"{what}: value is not a number")


def check_loinc_displays(f, where, cc):
    for c in codings(cc, LOINC):
        name = LOINC_NAMES.get(c.get("code"))
        if name is None:
            f.add("loinc-display", where, f"LOINC {c.get('code')} not in the checked table")
        elif c.get("display") != name:
            f.add(
                "loinc-display",
                where,
                f"LOINC {c.get('code')} display {c.get('display')!r}, LOINC's name is {name!r}",
            )


def check_vital(f, where, o):
    """Rules of the R4 vital-signs base profile and the specific profiles."""
    code = o.get("code")
    loincs = set(loinc_codes(code))
    check_loinc_displays(f, where, code)
    cats = [c for cat in o.get("category", []) for c in codings(cat, CATEGORY)]
    if not any(c.get("code") == "vital-signs" for c in cats):
        f.add("vs-category", where, "vital sign without category vital-signs")
    if not ref(o, "subject").startswith("Patient/"):
        f.add("vs-subject", where, "subject is not a Patient reference")
    eff = o.get("effectiveDateTime")
    if eff is None and "effectivePeriod" not in o:
        f.add("vs-1", where, "no effective[x]")
    elif eff is not None and not DATE_TIME.match(eff):
        f.add("vs-1", where, f"effectiveDateTime {eff!r} is not a dateTime of at least a day")
    profiles = set(o.get("meta", {}).get("profile", []))
    for specific, implied in IMPLIES.items():
        if specific in loincs and implied not in loincs:
            f.add("vs-code", where, f"LOINC {specific} without {implied} (required by the profile)")
    if loincs & set(BP_COMPONENTS):
        f.add(
            "vs-bp-panel",
            where,
            f"{sorted(loincs & set(BP_COMPONENTS))} as an Observation code: the bp profile "
            f"carries systolic/diastolic as components of {BP_PANEL}",
        )
    if BP_PANEL in loincs:
        check_bp(f, where, o, profiles)
        return
    matched = [p for p, (c, _) in VITAL_PROFILES.items() if c in loincs]
    for p in matched:
        if PROFILE_BASE + p not in profiles:
            f.add("vs-profile", where, f"meta.profile lacks {PROFILE_BASE + p}")
    for p in profiles:
        name = p[len(PROFILE_BASE):] if p.startswith(PROFILE_BASE) else None
        if name in VITAL_PROFILES and VITAL_PROFILES[name][0] not in loincs:
            f.add("vs-code", where, f"claims {name} without LOINC {VITAL_PROFILES[name][0]}")
    if not profiles:
        f.add("vs-profile", where, "no meta.profile")
    units = set().union(*(VITAL_PROFILES[p][1] for p in matched)) if matched else None
    if "valueQuantity" not in o and "dataAbsentReason" not in o and "component" not in o:
        f.add("vs-2", where, "no value[x], component or dataAbsentReason")
    elif "valueQuantity" in o:
        q = o["valueQuantity"]
        check_quantity(f, where, q, units, "value")
        check_precision(f, where, loincs, q)


def check_precision(f, where, loincs, q):
    for code, places in MIN_DECIMALS.items():
        d = decimals_of(q.get("value"))
        if code in loincs and d is not None and d < places:
            f.add(
                "precision",
                where,
                f"LOINC {code} value {q.get('value')} has {d} decimals; the device resolves "
                f"{places} (trailing zeros are significant in FHIR decimals)",
            )


def check_bp(f, where, o, profiles):
    if PROFILE_BASE + "bp" not in profiles:
        f.add("vs-profile", where, "blood-pressure panel without meta.profile bp")
    if "valueQuantity" in o:
        f.add("vs-bp-panel", where, "the panel itself carries a value")
    seen = set()
    for comp in o.get("component", []):
        cl = set(loinc_codes(comp.get("code")))
        check_loinc_displays(f, where, comp.get("code"))
        known = cl & (set(BP_COMPONENTS) | BP_OPTIONAL)
        if not known:
            f.add("vs-bp-panel", where, f"unexpected component {sorted(cl)}")
        seen |= known
        check_quantity(f, where, comp.get("valueQuantity"), {"mm[Hg]"}, f"component {sorted(cl)}")
    for code, name in BP_COMPONENTS.items():
        if code not in seen:
            f.add("vs-bp-panel", where, f"{name} component {code} missing")


def check_ecg(f, where, o, streams, dest):
    sd = o["valueSampledData"]
    cats = [c for cat in o.get("category", []) for c in codings(cat, CATEGORY)]
    if not cats:
        f.add("ecg-category", where, "ECG without category")
    origin = sd.get("origin", {})
    if origin.get("system") != UCUM or "code" not in origin or "value" not in origin:
        f.add("ecg-sampled", where, "origin is not a UCUM quantity")
    period, factor = sd.get("period"), sd.get("factor")
    if not isinstance(period, Decimal) or period <= 0:
        f.add("ecg-sampled", where, "period missing or not positive")
        return
    if not isinstance(factor, Decimal) or factor <= 0:
        f.add("ecg-sampled", where, "factor missing or not positive")
    if sd.get("dimensions") != 1:
        f.add("ecg-sampled", where, "dimensions must be 1 (one lead)")
    data = str(sd.get("data", "")).split()
    if not data or not all(re.fullmatch(r"-?\d+|E|L|U", x) for x in data):
        f.add("ecg-sampled", where, "data is not a list of integers")
    start = parse_instant_ms(o.get("effectiveDateTime"))
    if start is None:
        f.add("ecg-time", where, "effectiveDateTime is not a UTC instant with time")
        return
    key = (dest, ref(o, "device"), json.dumps(o.get("code"), sort_keys=True, default=str))
    streams[key].append((start, len(data), period, where))


def check_ecg_grid(f, streams):
    """Chunks of one lead of one device must sit on one sample grid: each starts a whole
    number of periods after the previous one, and not before the previous one ended."""
    for chunks in streams.values():
        chunks.sort()
        for (s0, n0, p, _), (s1, _, _, where) in zip(chunks, chunks[1:]):
            gap = Decimal(s1 - s0)
            periods = gap / p
            if periods != periods.to_integral_value() or periods < n0:
                f.add(
                    "ecg-grid",
                    where,
                    f"starts {gap} ms after the previous chunk ({n0} samples x {p} ms): "
                    "not on the waveform's sample grid (times not from the device clock?)",
                )


def check_meta_common(f, where, o, dest_purpose):
    meta = o.get("meta", {})
    tags = meta.get("tag", [])
    consent = [t for t in tags if t.get("system") == CONSENT_TAG]
    if len(consent) != 1:
        f.add("consent-ref", where, "no single consent-tag digest in meta.tag")
    sources = [t.get("code") for t in tags if t.get("system") == TIME_SOURCE]
    if len(sources) != 1 or sources[0] not in TIME_SOURCES:
        f.add("time-source", where, "effectiveDateTime source not labelled in meta.tag")
    purposes = [s.get("code") for s in meta.get("security", []) if s.get("system") == ACT_REASON]
    purposes = [p for p in purposes if p != "BTG"]
    if dest_purpose is not None and purposes != [dest_purpose]:
        f.add("destination", where, f"purpose of use {purposes} in the {dest_purpose} destination")
    return consent[0].get("code") if consent else None


def check_research(f, where, o, identified):
    subject, device = ref(o, "subject"), ref(o, "device")
    if not PSEUDO_PATIENT.match(subject) or not PSEUDO_DEVICE.match(device):
        f.add("research-identifiers", where, f"not pseudonymous: {subject!r}, {device!r}")
    text = json.dumps(o, default=str)
    for ident in identified:
        if ident in text:
            f.add("research-identifiers", where, f"direct identifier {ident!r} in research output")
    for key in ("identifier", "text", "note", "performer"):
        if key in o:
            f.add("research-identifiers", where, f"{key} in research output")
    labels = {s.get("code") for s in o.get("meta", {}).get("security", [])}
    if "PSEUDED" not in labels:
        f.add("research-identifiers", where, "research output not labelled PSEUDED")


def check_consent(f, where, c, consents):
    cid = c.get("id", "")
    if not re.fullmatch(r"[0-9a-f]{64}", cid):
        f.add("consent-ref", where, f"Consent id {cid!r} is not a SHA-256 digest")
        return
    data = c.get("sourceAttachment", {}).get("data")
    try:
        raw = base64.b64decode(data or "", validate=True)
    except ValueError:
        raw = b""
    if not raw or hashlib.sha256(raw).hexdigest() != cid:
        f.add("consent-ref", where, "Consent id is not the SHA-256 of its consent tag")
    if bytes.fromhex(cid).count(0) > 8:
        f.add("consent-ref", where, "Consent digest is mostly zero bytes (a placeholder)")
    ids = [i.get("value") for i in c.get("identifier", []) if i.get("system") == CONSENT_TAG]
    if ids != [cid]:
        f.add("consent-ref", where, "Consent identifier does not name its digest")
    if cid in consents:
        f.add("consent-once", where, "Consent written more than once")
    consents[cid] = c


def structural(f, where, obj):
    from fhir.resources import construct_fhir_element

    try:
        construct_fhir_element(obj.get("resourceType"), json.loads(json.dumps(obj, default=float)))
    except Exception as e:  # pydantic ValidationError and friends
        f.add("structure", where, str(e).replace("\n", " | ")[:400])


def load(path, f):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            where = f"{os.path.basename(path)}:{n}"
            try:
                out.append((where, json.loads(line, parse_float=Decimal, parse_int=Decimal)))
            except ValueError as e:
                f.add("json", where, str(e))
    return out


def fix_ints(o):
    """Decimal → int where integral and written without a point (JSON ints)."""
    if isinstance(o, dict):
        return {k: fix_ints(v) for k, v in o.items()}
    if isinstance(o, list):
        return [fix_ints(v) for v in o]
    if isinstance(o, Decimal) and o.as_tuple().exponent == 0:
        return int(o)
    return o


def check_observation(f, where, o, name, purpose, consents, streams, identified):
    """Every rule for one Observation in destination file `name`."""
    digest = check_meta_common(f, where, o, purpose)
    if digest is not None and digest not in consents:
        f.add("consent-ref", where, f"consent digest {digest[:16]}... names no Consent")
    if "valueSampledData" in o:
        check_ecg(f, where, o, streams, name)
    else:
        cats = {c.get("code") for cat in o.get("category", []) for c in codings(cat, CATEGORY)}
        loincs = set(loinc_codes(o.get("code")))
        if "laboratory" in cats and not loincs & {c for c, _ in VITAL_PROFILES.values()}:
            check_loinc_displays(f, where, o.get("code"))
            check_quantity(f, where, o.get("valueQuantity"), None, "value")
        else:
            check_vital(f, where, o)
    if name == "research.ndjson":
        check_research(f, where, o, identified)


def check_dir(directory, structure=True):
    f = Findings()
    files = {name: load(os.path.join(directory, name), f) for name in DESTINATIONS}
    consents = {}
    for where, c in files["consent.ndjson"]:
        if c.get("resourceType") != "Consent":
            f.add("destination", where, "the consent registry holds only Consent")
        else:
            check_consent(f, where, c, consents)
    identified = set()
    for name in ("ehr.ndjson", "emergency.ndjson", "consent.ndjson"):
        for _, o in files[name]:
            for key in ("subject", "patient", "device"):
                r = ref(o, key)
                if "/" in r:
                    identified.add(r.split("/", 1)[1])
    streams = defaultdict(list)
    for name, purpose in DESTINATIONS.items():
        if purpose is None:
            continue
        ids = set()
        for where, o in files[name]:
            if o.get("resourceType") != "Observation":
                f.add("destination", where, f"{o.get('resourceType')} in an Observation destination")
                continue
            if o.get("id") in ids:
                f.add("destination", where, f"id {o.get('id')} twice in one destination")
            ids.add(o.get("id"))
            try:
                check_observation(f, where, o, name, purpose, consents, streams, identified)
            except (AttributeError, TypeError, KeyError, ValueError) as e:
                f.add("malformed", where, f"cannot apply the profile rules: {e!r}")
    check_ecg_grid(f, streams)
    if structure:
        for name in DESTINATIONS:
            for where, o in files[name]:
                structural(f, where, fix_ints(o))
    counts = defaultdict(int)
    for name in DESTINATIONS:
        for _, o in files[name]:
            counts[(name, o.get("resourceType"))] += 1
    return f, counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--no-structural", action="store_true")
    a = ap.parse_args(argv)
    structure = not a.no_structural
    if structure:
        import fhir.resources
        import pydantic

        print(
            f"structural validator: fhir.resources {fhir.resources.__version__} "
            f"(FHIR {fhir.resources.__fhir_version__}), pydantic {pydantic.VERSION}"
        )
    else:
        print("structural validator: skipped (--no-structural)")
    print("profile check: R4 vital-signs rules (fhir_check.py)")
    f, counts = check_dir(a.dir, structure)
    for (name, rt), n in sorted(counts.items()):
        print(f"  {name:<18} {rt:<12} {n}")
    for rule, where, msg in f.items[:200]:
        print(f"ERROR [{rule}] {where}: {msg}")
    print(f"{sum(counts.values())} resources, {len(f.items)} errors")
    return 1 if f.items else 0


if __name__ == "__main__":
    sys.exit(main())
