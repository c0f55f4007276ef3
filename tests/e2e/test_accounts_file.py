"""The accounts file: an id that matches no account of the data is a warning in every
format (with a hint at a lost leading zero), and environments accept the usual aliases
and the file's own "environments" map."""
import json
import os
import unittest
import zipfile

from common import SAMPLES, run, tempdir

CUR2 = os.path.join(SAMPLES, "cur2")
FORMATS = "table,json,csv,md,html,xlsx"


def write(d, doc):
    path = os.path.join(d, "accounts.json")
    with open(path, "w") as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def everything(out):
    """The text of every report file in out, by extension (the XLSX's XML parts)."""
    texts = {}
    for name in os.listdir(out):
        path = os.path.join(out, name)
        ext = name.rsplit(".", 1)[1]
        if ext == "xlsx":
            with zipfile.ZipFile(path) as z:
                texts[ext] = "".join(z.read(p).decode("utf-8") for p in z.namelist()
                                     if p.endswith(".xml"))
        else:
            with open(path, encoding="utf-8") as f:
                texts[ext] = texts.get(ext, "") + f.read()
    return texts


class AccountsFileTest(unittest.TestCase):

    def test_unmatched_id_is_a_warning_in_every_format(self):
        with tempdir() as d:
            accounts = write(d, {"accounts": [
                {"id": "48213306571", "name": "larkspur-prod", "environment": "production"},
                {"id": "111111111111", "name": "ghost"},
                {"id": "364058812907", "name": "larkspur-data"},
            ]})
            out = os.path.join(d, "out")
            code, table, err = run(["report", "--no-rules", "--accounts", accounts, "--format",
                                    FORMATS, "--out", out, CUR2], env={"COLUMNS": "200"})
            self.assertEqual(code, 0, err)
            texts = everything(out)
            texts["md"] = texts["md"].replace("\\", "")  # Markdown escapes [ and ]
            texts["table"] = table
            code, payload, err = run(["report", "--no-rules", "--accounts", accounts,
                                      "--format", "json", "--out", os.path.join(d, "post"),
                                      "--post", "webhook", "--dry-run", CUR2])
            self.assertEqual(code, 0, err)
            texts["webhook"] = payload
            with open(os.path.join(out, "costrank-2026-10.json")) as f:
                rep = json.load(f)
        typo = ("accounts[0] id 48213306571 (larkspur-prod) matches no account in the data; "
                "did you mean 048213306571?")
        ghost = "accounts[1] id 111111111111 (ghost) matches no account in the data"
        self.assertTrue(any(typo in w for w in rep["warnings"]), rep["warnings"])
        self.assertTrue(any(w.endswith(ghost) for w in rep["warnings"]), rep["warnings"])
        self.assertFalse(any("364058812907" in w for w in rep["warnings"]))
        for fmt in ("table", "json", "md", "html", "xlsx", "webhook"):
            self.assertIn(typo, texts[fmt], fmt)
            self.assertIn(ghost, texts[fmt], fmt)
        # the account the entry was meant for did not get the file's name
        prod = [a for a in rep["accounts"] if a["id"] == "048213306571"][0]
        self.assertNotEqual(prod["environment_source"], "accounts-file")

    def test_no_warning_when_every_id_matches(self):
        with tempdir() as d:
            code, _, err = run(["report", "--no-rules", "--accounts",
                                os.path.join(SAMPLES, "accounts.json"), "--format", "json",
                                "--out", d, CUR2])
            self.assertEqual(code, 0, err)
            with open(os.path.join(d, "costrank-2026-10.json")) as f:
                warnings = json.load(f)["warnings"]
        self.assertFalse([w for w in warnings if "accounts" in w], warnings)

    def test_environment_aliases_and_the_users_map(self):
        ids = ["048213306571", "153390677428", "286640195352", "364058812907",
               "519377024816", "731904582216", "907125843369"]
        cases = [
            (["qa", "QA", "uat", "stg", "Pre-Prod", "perf", "staging", "team-qa"], "staging"),
            (["prod", "PRD", "live"], "production"),
            (["dev", "nonprod", "Non_Prod", "non-production"], "development"),
            (["test", "sandbox", "sbx"], "sandbox"),
            (["shared_services", "infra"], "shared"),
        ]
        for names, want in cases:
            for name in names:
                with tempdir() as d:
                    accounts = write(d, {"accounts": [{"id": ids[0], "environment": name}],
                                         "environments": {"team-qa": "stg"}})
                    code, _, err = run(["report", "--no-rules", "--accounts", accounts,
                                        "--format", "json", "--out", d, CUR2])
                    self.assertEqual(code, 0, name + ": " + err)
                    with open(os.path.join(d, "costrank-2026-10.json")) as f:
                        acc = [a for a in json.load(f)["accounts"] if a["id"] == ids[0]][0]
                self.assertEqual((acc["environment"], acc["environment_source"]),
                                 (want, "accounts-file"), name)

    def test_unknown_environment_and_bad_map(self):
        cases = {
            '{"accounts": [{"id": "1", "environment": "banana"}]}':
                ["accounts[0].environment: 'banana' is not one of", "\"environments\""],
            '{"accounts": [], "environments": {"qa2": "stagin"}}':
                ["environments.qa2: expected one of production"],
            '{"accounts": [], "environments": ["qa2"]}':
                ["environments: expected an object"],
            '{"accounts": [], "envs": {}}': ["unknown key 'envs'"],
        }
        for doc, parts in cases.items():
            with tempdir() as d:
                accounts = write(d, doc)
                code, _, err = run(["report", "--no-rules", "--accounts", accounts, "--format",
                                    "json", "--out", d, CUR2])
                self.assertEqual(code, 3, doc)
                self.assertIn(accounts, err)
                for p in parts:
                    self.assertIn(p, err, doc)
                self.assertEqual(os.listdir(d), ["accounts.json"])


if __name__ == "__main__":
    unittest.main()
