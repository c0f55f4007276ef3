"""The rule table in Japanese: texts given as {"en", "ja"}, the built-in
catalogue src/rules/default_rules.ja.json, `rules check` warning about a text
without its translation (an error with --strict), and the report showing the
--lang text of each proposal."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import SAMPLES, SOURCE_DIR, run, tempdir  # noqa: E402

CUR2 = os.path.join(SAMPLES, "cur2")
TABLE = os.path.join(SOURCE_DIR, "src", "rules", "default_rules.json")
CATALOGUE = os.path.join(SOURCE_DIR, "src", "rules", "default_rules.ja.json")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write(d, name, obj):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, ensure_ascii=False, indent=2))
    return path


NEW_RULE = {
    "id": "team-gp2", "action": "gp3-migration",
    "match": {"usage_type": "*EBS:VolumeUsage.gp2"}, "environments": ["any"],
    "savings": {"model": "fraction", "fraction": 0.2,
                "basis": {"en": "gp3 costs 20% less per GB", "ja": "gp3 は GB 単価が 20% 安い"}},
    "effort": "low", "risk": "low", "reference": "https://aws.amazon.com/ebs/pricing/",
}


class BuiltIn(unittest.TestCase):
    def test_catalogue_names_only_rules_of_the_table(self):
        ids = [r["id"] for r in load(TABLE)["rules"]]
        cat = load(CATALOGUE)["rules"]
        self.assertEqual(sorted(set(cat) - set(ids)), [])
        for rid, entry in cat.items():
            self.assertEqual(sorted(entry), ["basis", "rationale", "title"], rid)
            for key, text in entry.items():
                self.assertRegex(text, JAPANESE, (rid, key))

    def test_check_warns_exactly_about_untranslated_rules(self):
        # robust to rules added to the table later: they are the warnings
        ids = [r["id"] for r in load(TABLE)["rules"]]
        missing = sorted(set(ids) - set(load(CATALOGUE)["rules"]))
        code, out, err = run(["rules", "check"])
        self.assertEqual(code, 0, err)
        warned = sorted(set(re.findall(r"rule (\S+): warning:", err)))
        self.assertEqual(warned, missing)
        for line in err.splitlines():
            self.assertRegex(line, r"^costrank: <built-in rules>:\d+:\d+: rule \S+: warning: ")
        self.assertIn("<built-in rules>: ok (%d rules" % len(ids), out)
        code, _, err = run(["rules", "check", "--strict"])
        self.assertEqual(code, 3 if missing else 0, err)

    def test_today_every_rule_is_translated(self):
        # the day this test was written; a rule added since is a warning above
        cat = load(CATALOGUE)["rules"]
        self.assertGreaterEqual(len(cat), 49)

    def test_show_gives_both_languages_and_loads_again(self):
        code, out, err = run(["rules", "show"])
        self.assertEqual(code, 0, err)
        rules = json.loads(out)["rules"]
        spot = next(r for r in rules if r["id"] == "ec2-spot-production")
        self.assertEqual(set(spot["title"]), {"en", "ja"})
        self.assertIn("スポットインスタンス", spot["title"]["ja"])
        self.assertEqual(set(spot["savings"]["basis"]), {"en", "ja"})
        with tempdir() as d:
            path = write(d, "all.json", json.loads(out))
            code, out, err = run(["rules", "check", "--strict", path])
            self.assertEqual(code, 0, err)
            self.assertEqual(err, "")


class UserFiles(unittest.TestCase):
    def test_plain_string_is_a_warning_with_its_place(self):
        with tempdir() as d:
            rule = dict(NEW_RULE, title="Move team gp2 volumes", rationale="Cheaper.")
            path = write(d, "team.json", {"rules": [rule]})
            code, out, err = run(["rules", "check", path])
            self.assertEqual(code, 0, err)
            self.assertIn("1 rules, 2 warnings", out)
            lines = err.splitlines()
            self.assertEqual(len(lines), 2, err)
            self.assertRegex(lines[0], r"^costrank: .*team\.json:\d+:\d+: rule team-gp2: warning: "
                             r"\"title\" has no Japanese translation")
            self.assertIn('"rationale" has no Japanese translation', lines[1])
            code, _, err = run(["rules", "check", "--strict", path])
            self.assertEqual(code, 3)
            self.assertIn("2 problems", err)
            # warnings never stop a report
            code, _, err = run(["report", "--rules", path, "--format", "json", "--out", "-", CUR2])
            self.assertEqual(code, 0, err)
            self.assertNotIn("warning", err)

    def test_bilingual_texts_are_clean(self):
        with tempdir() as d:
            rule = dict(NEW_RULE, title={"en": "Move team gp2 volumes", "ja": "チームの gp2 を gp3 に"},
                        rationale={"en": "Cheaper.", "ja": "安くなります。"})
            path = write(d, "team.json", {"rules": [rule]})
            code, out, err = run(["rules", "check", "--strict", path])
            self.assertEqual((code, err), (0, ""))

    def test_bad_bilingual_objects(self):
        with tempdir() as d:
            rule = dict(NEW_RULE, title={"en": "x", "jp": "y"}, rationale={"ja": "英語がない"})
            path = write(d, "bad.json", {"rules": [rule]})
            code, _, err = run(["rules", "check", path])
            self.assertEqual(code, 3)
            self.assertIn('unknown language "jp" in "title" (did you mean "ja"?', err)
            self.assertIn('"rationale" needs its English text', err)
            # the errors come alone: warnings wait until the file is valid
            self.assertNotIn("warning:", err)

    def test_report_shows_the_lang_text(self):
        def proposals(*args):
            code, out, err = run(["report", "--format", "json", "--out", "-"] + list(args) + [CUR2])
            self.assertEqual(code, 0, err)
            return json.loads(out)["proposals"]

        cat = load(CATALOGUE)["rules"]
        en = {r["id"]: r for r in load(TABLE)["rules"]}
        ja = proposals("--lang", "ja")
        self.assertTrue(ja)
        for p in ja:
            want = cat.get(p["rule"])
            if not want:
                continue
            self.assertEqual(p["title"], want["title"])
            # a folded row says what it holds before its rule's rationale
            self.assertTrue(p["rationale"].endswith(want["rationale"]) if p["folded"] else
                            p["rationale"] == want["rationale"], p["rule"])
            self.assertEqual(p["basis"], want["basis"])
        for p in proposals():
            if p["rule"].startswith("org-"):   # sized by the commitment pass, not a table rule
                continue
            if p["rule"] not in en:
                # a folded line of several rules names their kind of action instead
                self.assertEqual(p["rule"], p["action"])
                self.assertGreater(p["folded"], 1)
                continue
            self.assertEqual(p["title"], en[p["rule"]]["title"])
        # an override given in English only drops the built-in translation (it would be
        # the translation of another text); given in both, the Japanese is shown
        target = next(p["rule"] for p in ja if p["rule"] in en)
        with tempdir() as d:
            plain = write(d, "plain.json", {"rules": [{"id": target, "title": "Our own title"}]})
            both = write(d, "both.json", {"rules": [{"id": target,
                                                     "title": {"en": "Our own title",
                                                               "ja": "独自のタイトル"}}]})
            got = {p["rule"]: p for p in proposals("--lang", "ja", "--rules", plain)}
            self.assertEqual(got[target]["title"], "Our own title")
            self.assertEqual(got[target]["rationale"], cat[target]["rationale"])
            got = {p["rule"]: p for p in proposals("--lang", "ja", "--rules", both)}
            self.assertEqual(got[target]["title"], "独自のタイトル")

    def test_chat_titles_in_japanese(self):
        cat = load(CATALOGUE)["rules"]
        with tempdir() as d:
            code, out, err = run(["report", "--lang", "ja", "--format", "json", "--out", d,
                                  "--post", "slack", "--dry-run", CUR2],
                                 env={"COSTRANK_WEBHOOK_URL": "https://chat.example/hook"})
            self.assertEqual(code, 0, err)
        self.assertTrue(any(e["title"] in out for e in cat.values()))


if __name__ == "__main__":
    unittest.main()
