"""Unit tests of the batch driver's pure-Python parts (no Spark): run by drivers_test.ts."""

import contextlib
import io
import tempfile
import unittest
from pathlib import Path

from batch_job import csv_field, write_csv_lines


class WriteCsvLinesTest(unittest.TestCase):
    def write(self, out, name="q", columns=("a", "b"), lines=("1,2",)):
        with contextlib.redirect_stdout(io.StringIO()) as events:
            write_csv_lines(None, name, out, list(columns), list(lines))
        return events.getvalue()

    def test_makes_the_output_directory_when_no_delta_write_has_yet(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp, "batch", "0a1b2c3d4e5f")
            events = self.write(f"file://{out}", name="q4_popular_category_by_country")
            dest = out / "q4_popular_category_by_country.csv"
            self.assertEqual(dest.read_text(encoding="utf-8"), "a,b\n1,2\n")
            self.assertIn('"format": "csv"', events)
            self.assertEqual(sorted(p.name for p in out.iterdir()), [dest.name])

    def test_replaces_an_earlier_answer_whole(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.write(f"file://{tmp}", lines=("1,2", "3,4"))
            self.write(f"file://{tmp}", lines=("5,6",))
            self.assertEqual(Path(tmp, "q.csv").read_text(encoding="utf-8"), "a,b\n5,6\n")

    def test_names_the_file_it_cannot_write(self):
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "taken").write_text("a file, not a directory")
            with self.assertRaisesRegex(Exception, r"Cannot write file://.*/taken/q\.csv"):
                self.write(f"file://{tmp}/taken")


class CsvFieldTest(unittest.TestCase):
    def test_quotes_as_spark_does(self):
        self.assertEqual(csv_field("category"), "category")
        self.assertEqual(csv_field("a,b"), '"a,b"')
        self.assertEqual(csv_field('say "hi"'), '"say \\"hi\\""')
        self.assertEqual(csv_field(" padded"), '" padded"')
        self.assertEqual(csv_field(""), '""')


if __name__ == "__main__":
    unittest.main()
