"""Each mistake the checker exists for, as a broken copy of a good demo output.

Run: python -m unittest discover -s examples/fhir_check -p 'test_*.py'
The good fixture (testdata/good/) is a slice of a real demo run; every test breaks one
thing in a copy of it and expects exactly that rule to fire.
"""

import json
import os
import re
import shutil
import tempfile
import unittest
from decimal import Decimal

import fhir_check

GOOD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "good")

try:
    import fhir.resources  # noqa: F401

    HAVE_FHIR_RESOURCES = True
except ImportError:
    HAVE_FHIR_RESOURCES = False


def dump(o):
    """JSON with Decimals written exactly as they are (37.0 stays 37.0)."""

    def enc(x):
        if isinstance(x, Decimal):
            return f"@@NUM:{x}@@"
        raise TypeError(type(x))

    return re.sub(r'"@@NUM:(.*?)@@"', r"\1", json.dumps(o, default=enc))


class Output:
    """A writable copy of the good fixture."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fhir_check_")
        for name in fhir_check.DESTINATIONS:
            shutil.copy(os.path.join(GOOD, name), self.dir)

    def read(self, name):
        with open(os.path.join(self.dir, name), encoding="utf-8") as f:
            return [json.loads(l, parse_float=Decimal, parse_int=Decimal) for l in f]

    def write(self, name, resources):
        with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
            for r in resources:
                f.write(dump(r) + "\n")

    def edit(self, name, pick, change):
        """Applies `change` to the first resource for which `pick` is true."""
        rs = self.read(name)
        for r in rs:
            if pick(r):
                change(r)
                break
        else:
            raise AssertionError(f"nothing to edit in {name}")
        self.write(name, rs)

    def rules(self, structure=False):
        f, _ = fhir_check.check_dir(self.dir, structure)
        return f.rules()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def has_loinc(code):
    return lambda o: code in fhir_check.loinc_codes(o.get("code"))


def is_ecg(o):
    return "valueSampledData" in o


class Mistakes(unittest.TestCase):
    def setUp(self):
        self.out = Output()

    def tearDown(self):
        self.out.cleanup()

    def assertOnly(self, rule):
        self.assertEqual(self.out.rules(), {rule})

    def test_good_fixture_passes(self):
        self.assertEqual(self.out.rules(structure=HAVE_FHIR_RESOURCES), set())

    @unittest.skipUnless(HAVE_FHIR_RESOURCES, "needs fhir.resources")
    def test_structurally_invalid_resource_is_rejected(self):
        # Two value[x] at once, and a string where R4 wants a Reference.
        self.out.edit("ehr.ndjson", has_loinc("8867-4"), lambda o: o.update(valueString="72"))
        self.out.edit("ehr.ndjson", has_loinc("9279-1"), lambda o: o.update(device="Device/x"))
        self.assertEqual(self.out.rules(structure=True) & {"structure"}, {"structure"})
        f, _ = fhir_check.check_dir(self.out.dir, True)
        self.assertEqual(sum(1 for r, _, _ in f.items if r == "structure"), 2)

    def test_spo2_with_only_59408_5(self):
        def drop(o):
            o["code"]["coding"] = [c for c in o["code"]["coding"] if c.get("code") != "2708-6"]

        self.out.edit("ehr.ndjson", has_loinc("59408-5"), drop)
        self.assertOnly("vs-code")

    def test_blood_pressure_as_separate_observations(self):
        rs = self.out.read("ehr.ndjson")
        panel = next(r for r in rs if has_loinc("85354-9")(r))
        i = rs.index(panel)
        singles = []
        for n, comp in enumerate(panel.pop("component")):
            o = json.loads(dump(panel), parse_float=Decimal, parse_int=Decimal)
            o["id"] = f"{panel['id']}-{n}"
            o["code"] = comp["code"]
            o["valueQuantity"] = comp["valueQuantity"]
            o["meta"]["profile"] = [fhir_check.PROFILE_BASE + "vitalsigns"]
            singles.append(o)
        rs[i : i + 1] = singles
        self.out.write("ehr.ndjson", rs)
        self.assertOnly("vs-bp-panel")

    def test_blood_pressure_panel_without_diastolic(self):
        def drop(o):
            o["component"] = [
                c for c in o["component"] if "8462-4" not in fhir_check.loinc_codes(c["code"])
            ]

        self.out.edit("ehr.ndjson", has_loinc("85354-9"), drop)
        self.assertOnly("vs-bp-panel")

    def test_loinc_display_in_our_own_wording(self):
        def reword(o):
            for c in o["code"]["coding"]:
                if c.get("code") == "8867-4":
                    c["display"] = "Heart rate (ECG)"

        self.out.edit("ehr.ndjson", has_loinc("8867-4"), reword)
        self.assertOnly("loinc-display")

    def test_temperature_precision_lost(self):
        def strip(o):
            o["valueQuantity"]["value"] = Decimal(int(o["valueQuantity"]["value"]))

        self.out.edit("ehr.ndjson", has_loinc("8310-5"), strip)
        self.assertOnly("precision")

    def test_ecg_stamped_with_arrival_time(self):
        rs = self.out.read("ehr.ndjson")
        ecgs = [r for r in rs if is_ecg(r)]
        ms = fhir_check.parse_instant_ms(ecgs[1]["effectiveDateTime"]) + 3  # 103 ms after
        ecgs[1]["effectiveDateTime"] = (
            ecgs[1]["effectiveDateTime"][:-4] + f"{ms % 1000:03d}Z"
        )
        self.out.write("ehr.ndjson", rs)
        self.assertOnly("ecg-grid")

    def test_consent_reference_is_a_placeholder(self):
        placeholder = "00" * 31 + "01"
        consents = self.out.read("consent.ndjson")
        real = consents[0]["id"]
        consents[0]["id"] = placeholder
        consents[0]["identifier"][0]["value"] = placeholder
        self.out.write("consent.ndjson", consents)
        for name in ("ehr.ndjson", "research.ndjson", "emergency.ndjson"):
            rs = self.out.read(name)
            for r in rs:
                for t in r["meta"]["tag"]:
                    if t["code"] == real:
                        t["code"] = placeholder
            self.out.write(name, rs)
        self.assertOnly("consent-ref")

    def test_observation_names_no_consent(self):
        def retag(o):
            for t in o["meta"]["tag"]:
                if t["system"] == fhir_check.CONSENT_TAG:
                    t["code"] = "ab" * 32

        self.out.edit("ehr.ndjson", has_loinc("9279-1"), retag)
        self.assertOnly("consent-ref")

    def test_vital_sign_without_meta_profile(self):
        self.out.edit("ehr.ndjson", has_loinc("9279-1"), lambda o: o["meta"].pop("profile"))
        self.assertOnly("vs-profile")

    def test_ecg_without_category(self):
        self.out.edit("ehr.ndjson", is_ecg, lambda o: o.pop("category"))
        self.assertOnly("ecg-category")

    def test_all_purposes_in_one_file(self):
        rs = self.out.read("ehr.ndjson") + self.out.read("research.ndjson")
        self.out.write("ehr.ndjson", rs)
        self.assertIn("destination", self.out.rules())

    def test_research_output_with_a_direct_identifier(self):
        ehr_subject = self.out.read("ehr.ndjson")[0]["subject"]
        self.out.edit(
            "research.ndjson", lambda o: True, lambda o: o.update(subject=ehr_subject)
        )
        self.assertOnly("research-identifiers")

    def test_effective_time_source_unlabelled(self):
        def unlabel(o):
            o["meta"]["tag"] = [t for t in o["meta"]["tag"] if t["system"] != fhir_check.TIME_SOURCE]

        self.out.edit("ehr.ndjson", has_loinc("8867-4"), unlabel)
        self.assertOnly("time-source")

    def test_unit_not_ucum(self):
        def bpm(o):
            o["valueQuantity"]["code"] = "bpm"

        self.out.edit("ehr.ndjson", has_loinc("8867-4"), bpm)
        self.assertOnly("vs-units")


if __name__ == "__main__":
    unittest.main()
