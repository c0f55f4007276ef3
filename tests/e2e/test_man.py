"""The manual pages man/costrank.1 and its Japanese translation
man/ja/costrank.1: each matches --help in its language, renders without
warnings, documents every exit code, and `cmake --install` installs both.

Every option `costrank report --help` and `costrank rules --help` list must
appear in the page with its help text word for word (so that the two
cannot drift apart), in the section of its command.  groff (Debian
groff-base) renders the page; without it the wording test is skipped on a
developer machine and fails where the CI variable is set.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, SOURCE_DIR, run  # noqa: E402

MAN = os.path.join(SOURCE_DIR, "man", "costrank.1")
MAN_JA = os.path.join(SOURCE_DIR, "man", "ja", "costrank.1")
IN_CI = bool(os.environ.get("CI"))
OPTION = re.compile(r"^  (?:-(\w), )?\s*--([a-z0-9-]+)(?: (\S+))?\s{2,}(\S.*)$")


def require(tool, package):
    if shutil.which(tool):
        return
    message = f"{tool} is not available: install the Debian package {package}"
    if IN_CI:
        raise AssertionError(message)
    raise unittest.SkipTest(message)


def help_options(command, lang="en"):
    code, out, _ = run([command, "--help", "--lang", lang])
    assert code == 0
    opts = []
    for line in out.splitlines():
        m = OPTION.match(line)
        if m:
            opts.append({"short": m.group(1), "long": m.group(2), "metavar": m.group(3),
                         "help": m.group(4)})
    assert len(opts) >= 2, out
    return opts


def words(text):
    return " ".join(text.split())


def rendered(page=MAN):
    """The page as plain text on one very long line per paragraph (-k: preconv reads UTF-8)."""
    p = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-P-cbu", "-rLL=400n", page],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return re.sub(r".\x08", "", p.stdout.decode("utf-8"))


def section(text, title, following):
    start = text.index("\n" + title + "\n")
    end = text.index("\n" + following + "\n", start)
    return text[start:end]


class ManPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(MAN, encoding="utf-8") as f:
            cls.source = f.read()

    def test_every_option_is_in_the_page(self):
        # on the roff source: needs no groff
        plain = self.source.replace("\\-", "-")
        for command in ("report", "rules"):
            for o in help_options(command):
                self.assertIn("--" + o["long"], plain, f"{command} --{o['long']} not in {MAN}")

    def test_help_wording_matches(self):
        require("groff", "groff-base")
        text = rendered()
        for command, title, following in (("report", "REPORT OPTIONS", "RULES OPTIONS"),
                                          ("rules", "RULES OPTIONS", "POSTING")):
            part = words(section(text, title, following))
            for o in help_options(command):
                head = (f"-{o['short']}, " if o["short"] else "") + "--" + o["long"]
                if o["metavar"]:
                    head += " " + o["metavar"]
                with self.subTest(command=command, option=o["long"]):
                    self.assertIn(words(head + " " + o["help"]), part)

    def test_renders_without_warnings(self):
        require("groff", "groff-base")
        for device in ("-Tutf8", "-Tascii"):
            p = subprocess.run(["groff", "-man", "-ww", "-z", device, MAN],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 0)
            self.assertEqual(p.stderr.decode(), "", device)
        if shutil.which("man"):
            p = subprocess.run(["man", "--warnings", "-l", MAN], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=dict(os.environ, MANPAGER="cat",
                                                                  PAGER="cat", MANWIDTH="80"))
            self.assertEqual(p.returncode, 0)
            self.assertEqual(p.stderr.decode(), "")

    def test_version(self):
        code, out, _ = run(["--version"])
        self.assertEqual(code, 0)
        version = out.split()[1]
        self.assertRegex(self.source, rf'\n\.TH COSTRANK 1 "[^"]*" "costrank {re.escape(version)}"')

    def test_exit_codes_and_environment(self):
        with open(os.path.join(SOURCE_DIR, "include", "costrank", "error.h"),
                  encoding="utf-8") as f:
            codes = sorted({int(c) for c in re.findall(r"CR_EXIT_\w+ = (\d+)", f.read())})
        status = self.source[self.source.index(".SH EXIT STATUS"):
                             self.source.index(".SH ENVIRONMENT")]
        documented = sorted(int(c) for c in re.findall(r"^\.B (\d+)$", status, re.M))
        self.assertEqual(documented, codes)
        for var in ("NO_COLOR", "COSTRANK_WEBHOOK_URL", "XDG_CACHE_HOME", "AWS_ROLE_ARN",
                    "AWS_WEB_IDENTITY_TOKEN_FILE"):
            self.assertIn(var, self.source)
        # the README's table says the same
        with open(os.path.join(SOURCE_DIR, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for c in codes:
            self.assertTrue(re.search(rf"\n\| {c} \| ", readme),
                            f"exit code {c} is not in README.md's table")

    def test_installed_by_cmake(self):
        require("cmake", "cmake")
        build = os.path.dirname(os.path.abspath(BIN))
        if not os.path.exists(os.path.join(build, "cmake_install.cmake")):
            raise unittest.SkipTest(f"{build} is not a CMake build directory")
        with tempfile.TemporaryDirectory(prefix="costrank-install-") as prefix:
            p = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.assertEqual(p.returncode, 0, p.stdout.decode())
            pages = sorted(os.path.join(root, n) for root, _, names in os.walk(prefix)
                           for n in names if n == "costrank.1")
            self.assertEqual(len(pages), 2, pages)
            # sorted: .../man/ja/man1 before .../man/man1
            for page, tail, source in zip(pages, (os.path.join("man", "ja", "man1"),
                                                  os.path.join("man", "man1")), (MAN_JA, MAN)):
                self.assertTrue(page.endswith(os.path.join(tail, "costrank.1")), pages)
                with open(page, encoding="utf-8") as f, open(source, encoding="utf-8") as g:
                    self.assertEqual(f.read(), g.read())


def page_options(text, title, following):
    """The options a section of a page's roff source describes: (short, long) of each .TP head."""
    part = text[text.index("\n.SH " + title + "\n"):text.index("\n.SH " + following + "\n")]
    heads = re.findall(r"^\.TP\n(\\fB\\-.*)$", part, re.M)
    opts = []
    for h in heads:
        m = re.match(r"\\fB\\-(?:(\w)\\fR, \\fB\\-)?\\-([a-z0-9\\-]+)\\fR", h)
        assert m, h
        opts.append((m.group(1), m.group(2).replace("\\-", "-")))
    return opts


JA_SECTIONS = (("report", "REPORT のオプション", "RULES のオプション"),
               ("rules", "RULES のオプション", "投稿"))


class JapaneseManPage(unittest.TestCase):
    """man/ja/costrank.1: the same options as `--help --lang ja`, each with its help text word for
    word, the same exit codes as the English page; it renders without warnings (groff-base's
    ja.tmac breaks lines between Japanese characters)."""

    @classmethod
    def setUpClass(cls):
        with open(MAN_JA, encoding="utf-8") as f:
            cls.source = f.read()

    def test_same_options_as_help(self):
        for command, title, following in JA_SECTIONS:
            with self.subTest(command=command):
                listed = page_options(self.source, title, following)
                helped = [(o["short"], o["long"]) for o in help_options(command, "ja")]
                self.assertEqual(listed, helped)

    def test_help_wording_matches(self):
        require("groff", "groff-base")
        text = rendered(MAN_JA)
        titles = [t for _, t, _ in JA_SECTIONS] + ["投稿"]
        for (command, title, following) in JA_SECTIONS:
            part = words(section(text, title, following))
            for o in help_options(command, "ja"):
                head = (f"-{o['short']}, " if o["short"] else "") + "--" + o["long"]
                if o["metavar"]:
                    head += " " + o["metavar"]
                with self.subTest(command=command, option=o["long"]):
                    self.assertIn(words(head + " " + o["help"]), part)
        self.assertTrue(all("\n" + t + "\n" in text for t in titles))

    def test_renders_without_warnings(self):
        require("groff", "groff-base")
        p = subprocess.run(["groff", "-k", "-man", "-ww", "-z", "-Tutf8", MAN_JA],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stderr.decode(), "")
        if shutil.which("man"):
            p = subprocess.run(["man", "--warnings", "-l", MAN_JA], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               env=dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80",
                                        LANG="C.UTF-8", LC_ALL="C.UTF-8"))
            self.assertEqual(p.returncode, 0)
            self.assertEqual(p.stderr.decode(), "")
            self.assertIn("このヘルプを表示する", p.stdout.decode("utf-8"))

    def test_same_exit_codes_and_version(self):
        with open(MAN, encoding="utf-8") as f:
            en = f.read()

        def codes(text, start, end):
            part = text[text.index(start):text.index(end)]
            return re.findall(r"^\.B (\d+)$", part, re.M)
        self.assertEqual(codes(self.source, ".SH 終了ステータス", ".SH 環境変数"),
                         codes(en, ".SH EXIT STATUS", ".SH ENVIRONMENT"))
        self.assertEqual(re.search(r"\n\.TH .*", en).group(0).split('"')[1:4:2],
                         re.search(r"\n\.TH .*", self.source).group(0).split('"')[1:4:2])


if __name__ == "__main__":
    unittest.main(verbosity=2)
