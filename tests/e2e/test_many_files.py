"""Many small input files: the memory a run holds grows by well under the 45 KiB a file
it once took (a ledger was made for every file before any was read).  Peak RSS is taken
from the kernel (wait4) for 100 and 2,100 one-row files; the slope must stay under 8 KiB
a file.  bench/many_files measures the same at 20,000 files (bench/RESULTS.md)."""
import json
import os
import subprocess
import unittest

from common import BIN, run, tempdir

HEADER = ("identity_line_item_id,line_item_usage_account_id,line_item_line_item_type,"
          "line_item_usage_start_date,line_item_product_code,line_item_usage_type,"
          "line_item_usage_amount,line_item_currency_code,line_item_unblended_cost,"
          "pricing_unit,product_product_name\n")


def files(d, count):
    path = os.path.join(d, "files-%d" % count)
    os.makedirs(path)
    for i in range(count):
        with open(os.path.join(path, "part-%05d.csv" % i), "w") as f:
            f.write(HEADER + "id%d,0123456789%02d,Usage,2026-10-%02dT00:00:00Z,AmazonEC2,"
                    "BoxUsage:m5.large,1,USD,1.25,Hrs,Amazon Elastic Compute Cloud\n"
                    % (i, i % 7, 1 + i % 28))
    return path


def peak_kib(args):
    p = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err.decode(), usage.ru_maxrss


class ManyFilesTest(unittest.TestCase):

    def test_memory_per_file(self):
        if os.environ.get("COSTRANK_SANITIZED"):
            self.skipTest("the sanitizers' shadow memory hides the figure")
        with tempdir() as d:
            rss = {}
            for count in (100, 2100):
                out = os.path.join(d, "out-%d" % count)
                code, err, rss[count] = peak_kib(["report", "--no-rules", "--format", "json",
                                                  "--quiet", "--out", out, files(d, count)])
                self.assertEqual(code, 0, err)
            per_file = (rss[2100] - rss[100]) / 2000.0
            self.assertLess(per_file, 8.0, "KiB a file: %r" % rss)
            # and the figures are those of the files
            code, _, err = run(["report", "--no-rules", "--format", "json", "--quiet",
                                "--out", os.path.join(d, "check"),
                                os.path.join(d, "files-2100")])
            self.assertEqual(code, 0, err)

            with open(os.path.join(d, "check", "costrank-2026-10.json")) as f:
                rep = json.load(f)
            self.assertEqual(rep["total"], "2625")
            self.assertEqual(len(rep["source"]["files"]), 2100)


if __name__ == "__main__":
    unittest.main()
