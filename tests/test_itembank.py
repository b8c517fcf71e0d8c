import copy

import pytest
import yaml
from jsonschema import Draft202012Validator

from peercourse import certification
from peercourse.itembank import build_schema, load_bank, schema, schema_text
from peercourse.items import CHOICE_FORMATS, FORMATS, ItemError
from peercourse.items.rating import HIGH, LOW

from conftest import DEMO_ITEMS, ROOT, write_bank

SCHEMA_LINE = "# yaml-language-server: $schema=../../src/peercourse/items.schema.json\n"
ITEMS_FILES = sorted((ROOT / "source").glob("*/*.items.yaml"))
ITEM = schema()["$defs"]["item"]


def test_the_demo_bank_loads_with_prompts_reflowed(tmp_path):
    bank = load_bank(write_bank(tmp_path))
    assert list(bank.items) == ["sb", "ml", "rt", "rk", "sa", "gsb", "rf"]
    assert bank.items["sb"].prompt == "A demo situation for the single_best format.\n\nWhat should the peer support specialist do?"
    assert bank.items["gsb"].key is None and bank.items["sb"].key == "A"


def test_options_are_shown_in_letter_order_whatever_their_order_in_the_file(tmp_path):
    items = copy.deepcopy(DEMO_ITEMS)
    items[0]["options"] = dict(reversed(items[0]["options"].items()))
    path = tmp_path / "demo.items.yaml"
    path.write_text(yaml.safe_dump({"lesson": "demo", "items": items}, sort_keys=False))  # write_bank sorts them
    assert path.read_text().index("D: Say nothing") < path.read_text().index("A: Ask what")
    assert list(load_bank(path).items["sb"].options) == ["A", "B", "C", "D"]


@pytest.mark.parametrize("path", ITEMS_FILES, ids=lambda path: path.parent.name)
def test_every_items_file_names_the_schema_on_its_first_line_and_fits_it(path):
    """The first line is what editors read to check the file as the author types."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith(SCHEMA_LINE)
    named = path.parent / SCHEMA_LINE.split("$schema=")[1].strip()
    assert named.resolve() == ROOT / "src/peercourse/items.schema.json"
    assert [error.message for error in Draft202012Validator(schema()).iter_errors(yaml.safe_load(text))] == []
    load_bank(path)


def test_every_lesson_has_an_items_file():
    assert [path.parent.name for path in ITEMS_FILES] == [f"lesson-{n}" for n in range(10)]


def test_the_committed_schema_file_is_the_one_the_formats_build():
    """Editors and the wheel read items.schema.json; checking uses build_schema(): the two must
    be the same, byte for byte."""
    committed = (ROOT / "src/peercourse/items.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "src/peercourse/items.schema.json is out of date: run `peercourse schema`"
    assert schema() == build_schema()


def test_peercourse_schema_rewrites_the_file_beside_itembank(tmp_path, monkeypatch, capsys):
    from peercourse import cli, itembank

    monkeypatch.setattr(itembank, "__file__", str(tmp_path / "itembank.py"))  # not the real file
    assert cli.main(["schema"]) == 0
    written = tmp_path / "items.schema.json"
    assert written.read_text(encoding="utf-8") == schema_text()
    assert capsys.readouterr().out == (f"wrote {written}: the items files' schema, with the formats "
                                       f"{', '.join(FORMATS)}\n")
    assert cli.main(["schema"]) == 0
    assert capsys.readouterr().out.endswith(" (no change)\n")


def test_the_schema_is_draft_2020_12_and_describes_every_property_for_authors():
    Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema()["$id"] and schema()["title"] and schema()["description"]
    undescribed = []

    def visit(node, where, refining=False):
        """refining: an if/then branch's properties narrow fields described where they are declared."""
        if isinstance(node, list):
            for number, sub in enumerate(node):
                visit(sub, f"{where}/{number}")
        if not isinstance(node, dict):
            return
        undescribed.extend(f"{where}/{name}" for name, sub in node.get("properties", {}).items()
                           if not refining and not sub.get("description"))
        for key, sub in node.items():
            if key != "if":  # a condition on a field, not a field
                visit(sub, f"{where}/{key}", refining=key in ("then", "else"))

    visit(schema(), "#")
    assert undescribed == []


def test_the_schema_lists_exactly_the_exam_areas_competencies_and_formats():
    fields = ITEM["properties"]
    assert fields["exam_area"]["enum"] == list(certification.EXAM_AREAS)
    assert fields["competencies"]["items"]["enum"] == list(certification.COMPETENCIES)
    named = fields["competencies"]["description"].split(": ", 1)[1].rstrip(".").split("; ")
    assert named == [f"{number} {name}" for number, name in certification.COMPETENCIES.items()]
    assert fields["format"]["enum"] == list(FORMATS)
    conditions = [branch["if"]["properties"] for branch in ITEM["allOf"]]
    # the branches that need options and a practice key name the formats answered by choosing
    assert [c["format"]["enum"] for c in conditions if "enum" in c.get("format", {})] == [list(CHOICE_FORMATS)] * 2
    # and each format has its own branch (a key's shape, or a reflection's min_words)
    assert sorted(c["format"]["const"] for c in conditions if "const" in c.get("format", {})) == sorted(FORMATS)
    rating = next(branch["then"] for branch in ITEM["allOf"] if branch["if"]["properties"].get("format") == {"const": "rating"})
    scale = rating["properties"]["key"]["additionalProperties"]
    assert (scale["minimum"], scale["maximum"]) == (LOW, HIGH)


def broken(change):
    items = copy.deepcopy(DEMO_ITEMS)
    change(items)
    return items


def misspell_rationales(item):
    item["rationals"] = item.pop("rationales")


CASES = [
    (lambda items: items[0].pop("prompt"), "item sb: 'prompt' is missing"),
    (lambda items: items[0].update(prompt="  \n"), "item sb: 'prompt' must be text, not blank"),
    (lambda items: items[0].update(points=0), "item sb: 'points' must be a number above 0"),
    (lambda items: items[0].update(points="two"), "item sb: 'points' must be a number above 0"),
    (lambda items: items[0].update(format="essay"),
     "item sb: 'format' must be one of single_best, most_least, rating, ranking, select_all or reflection, not 'essay'"),
    (lambda items: items[0].update(exam_area="Wellness"),
     "item sb: 'exam_area' must be one of Administrative Responsibilities, Behavioral Health Foundations, Interpersonal "
     "Skills, Recovery Support, Advocacy, Community Inclusion, Resource Linkage or Crisis Management, not 'Wellness'"),
    (lambda items: items[0].update(competencies=[1, 18]),
     "item sb: every entry of 'competencies' must be a whole number from 1 to 17, not 18"),
    (lambda items: items[0].update(competencies=[11, 11]), "item sb: 'competencies' must not list anything twice"),
    (lambda items: items[0].update(key="E"), "item sb: the key 'E' is not one of this item's options (A, B, C, D)"),
    (lambda items: items[0].update(key="G"), "item sb: 'key' must be one of A, B, C, D, E or F, not 'G' "
     "(a single best answer's key is the letter of the best option, for example B)"),
    (lambda items: items[0].update(hint="psst"), "item sb: 'hint' is not a field an item can have"),
    (lambda items: misspell_rationales(items[0]),
     "item sb: 'rationales' is missing (a practice item gives feedback at once, so it carries its key and a "
     "rationale for every option)\n"
     "demo.items.yaml: item sb: 'rationals' is not a field an item can have; did you mean 'rationales'?"),
    (lambda items: items[0]["rationales"].pop("C"), "item sb: every option needs a rationale (A, B, C, D)"),
    (lambda items: items[0].update(options={"A": "x", "C": "y", "D": "z"}), "item sb: 'options' needs 'B'"),
    (lambda items: items[0]["options"].update(F="w"), "item sb: 'options' has 'F' but not 'E'"),
    (lambda items: items[0]["options"].update(B=" "), "item sb: 'options.B' must be text, not blank"),
    (lambda items: items[1].update(key={"most": "A"}), "item ml: 'key' needs 'least' (a most and least effective key "
     "names two different options, for example {most: C, least: D})"),
    (lambda items: items[1].update(key={"most": "A", "least": "A"}), "item ml: the key's most and least picks must differ"),
    (lambda items: items[2]["key"].update(A=5), "item rt: 'key.A' must be a whole number from 1 to 4 (a rating key "
     "rates every option from 1, very ineffective, to 4, very effective, for example {A: 1, B: 4, C: 2, D: 3})"),
    (lambda items: items[3].update(key=["A", "B", "C"]), "item rk: the key must list every option once, best first"),
    (lambda items: items[1].update(id="sb"), "item sb: 'id' is used by 2 items (numbers 1 and 2 in the list); "
     "each item needs its own"),
    (lambda items: items[0].update(id="Item 1"), "item Item 1: 'id' must be lower-case letters, digits and hyphens, like l1-p01"),
    (lambda items: items[0].pop("id"), "item number 1: 'id' is missing"),
    (lambda items: items[5].update(key="A"), "item gsb: 'key' is not allowed here (a graded item's key and rationales "
     "belong in its hidden test in the notebook, never here: this file is released to learners)"),
    (lambda items: items[6].pop("min_words"), "item rf: 'min_words' is missing (a reflection is answered in the "
     "learner's own words: it needs min_words, and has no options, key or rationales)"),
    (lambda items: items[0].update(min_words=10), "item sb: 'min_words' is not allowed here (only reflection items have min_words)"),
]


@pytest.mark.parametrize("change, message", CASES)
def test_every_problem_names_the_file_the_item_and_the_field(tmp_path, change, message):
    with pytest.raises(ItemError) as raised:
        load_bank(write_bank(tmp_path, broken(change)))
    assert str(raised.value) == f"demo.items.yaml: {message}"


def test_every_problem_in_a_file_is_reported_at_once_in_file_order(tmp_path):
    def change(items):
        items[4].update(exam_area="Wellness", points=-1)
        items[0].pop("prompt")
        items[1].update(key={"most": "A", "least": "A"})  # a key check, made in Python
        items.append(copy.deepcopy(items[6]))

    path = write_bank(tmp_path, broken(change))
    path.write_text(path.read_text().replace("\ntitle: Demo\n", "\ntitel: Demo\n"))
    with pytest.raises(ItemError) as raised:
        load_bank(path)
    assert str(raised.value).splitlines() == [
        "demo.items.yaml: 'titel' is not a field this file can have; did you mean 'title'?",
        "demo.items.yaml: item sb: 'prompt' is missing",
        "demo.items.yaml: item ml: the key's most and least picks must differ",
        "demo.items.yaml: item sa: 'exam_area' must be one of Administrative Responsibilities, Behavioral Health "
        "Foundations, Interpersonal Skills, Recovery Support, Advocacy, Community Inclusion, Resource Linkage or "
        "Crisis Management, not 'Wellness'",
        "demo.items.yaml: item sa: 'points' must be a number above 0",
        "demo.items.yaml: item rf: 'id' is used by 2 items (numbers 7 and 8 in the list); each item needs its own",
    ]


def test_a_file_that_is_not_a_mapping_says_what_it_needs(tmp_path):
    (tmp_path / "demo.items.yaml").write_text("- just\n- a list\n")
    with pytest.raises(ItemError) as raised:
        load_bank(tmp_path / "demo.items.yaml")
    assert str(raised.value) == "demo.items.yaml: the file must be a mapping with lesson and items"


def test_the_lesson_name_must_match_the_file(tmp_path):
    path = write_bank(tmp_path, lesson="demo")
    path.rename(tmp_path / "other.items.yaml")
    with pytest.raises(ItemError) as raised:
        load_bank(tmp_path / "other.items.yaml")
    assert str(raised.value) == ("other.items.yaml: 'lesson' is 'demo', but the file is called other.items.yaml: "
                                 "the two must match")


def test_a_missing_or_unreadable_items_file_says_so(tmp_path):
    with pytest.raises(ItemError, match="The items file demo.items.yaml is missing beside the notebook."):
        load_bank(tmp_path / "demo.items.yaml")
    (tmp_path / "demo.items.yaml").write_text("items: [unclosed")
    with pytest.raises(ItemError, match="could not be read"):
        load_bank(tmp_path / "demo.items.yaml")


def test_kernels_skip_the_schema_yet_read_the_same_bank_and_refuse_a_misfit_in_words(tmp_path):
    """check_schema=False (learners' and grading kernels): the same items from a good file;
    a file the schema would fault is refused by name, never with a traceback."""
    path = write_bank(tmp_path)
    assert load_bank(path, check_schema=False) == load_bank(path)
    items = copy.deepcopy(DEMO_ITEMS)
    del items[0]["prompt"]
    path.write_text(yaml.safe_dump({"lesson": "demo", "items": items}))
    with pytest.raises(ItemError) as raised:
        load_bank(path, check_schema=False)
    assert str(raised.value) == ("demo.items.yaml: item sb: does not fit items.schema.json "
                                 "(`peercourse check` names what is wrong)")
    path.write_text("lesson: demo\nitems: just text\n")
    with pytest.raises(ItemError) as raised:
        load_bank(path, check_schema=False)
    assert str(raised.value) == "demo.items.yaml: does not fit items.schema.json (`peercourse check` names what is wrong)"


def test_opening_a_lesson_does_not_import_jsonschema():
    """Importing jsonschema takes seconds (docs/performance.md); a lesson's kernel reads an
    items file that was checked at release, so it never pays for it."""
    import subprocess
    import sys

    code = ("import sys\nfrom peercourse import open_lesson\n"
            "open_lesson('lived-experience', 'release/lesson-1')\n"
            "from peercourse import progress\nprogress.read(__import__('pathlib').Path('release'))\n"
            "print('jsonschema' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert (done.stdout.splitlines()[-1:], done.stderr) == (["False"], "")
