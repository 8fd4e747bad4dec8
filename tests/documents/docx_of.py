"""A Word business case made from a proposal, as a commissioner would lay
it out, by python-docx (an independent producer of Word XML): the title in
the Title style, numbered Heading 1 sections, Heading 2 entities whose
fields are a two-column table of labels and values, the people as a
register (a header row, a row each), the other fields as `Label: value`
paragraphs, runs split mid-word, continuation lines as line breaks.

usage: python3 docx_of.py PROPOSAL DOCX
"""

import re
import sys


def label(key):
    return key.replace("-", " ").capitalize()


def runs(paragraph, text):
    # Split mid-word, as Word splits runs at edits and proofing marks.
    middle = len(text) // 2
    paragraph.add_run(text[:middle])
    paragraph.add_run(text[middle:]).bold = False


def parse(path):
    """The proposal as blocks: header fields, then sections of fields,
    prose and entities; comments dropped."""
    lines = open(path, encoding="utf-8").read().split("\n")
    header, sections = [], []
    block = header
    entity = None
    in_comment = False
    for line in lines:
        if in_comment:
            in_comment = "-->" not in line
            continue
        stripped = line.strip()
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if line.startswith("## "):
            entity = {"name": line[3:].strip(), "fields": []}
            sections[-1]["entities"].append(entity)
            block = entity["fields"]
        elif line.startswith("# "):
            sections.append({"title": line[2:].strip(), "items": [], "entities": []})
            entity = None
            block = sections[-1]["items"]
        elif line.startswith("  ") and block and block[-1][0] == "field":
            block[-1][2].append(stripped)
        elif re.match(r"^[a-z][a-z0-9-]*: ", line):
            key, value = line.split(": ", 1)
            block.append(("field", key, [value]))
        elif stripped:
            block.append(("prose", stripped, []))
    return header, sections


def main(source, target):
    import docx

    header, sections = parse(source)
    document = docx.Document()
    for kind, key, values in header:
        if kind == "field" and key == "proposal":
            document.add_paragraph(values[0], style="Title")
    for kind, key, values in header:
        if kind == "field" and key != "proposal":
            paragraph = document.add_paragraph()
            runs(paragraph, f"{label(key)}: {values[0]}")
            for more in values[1:]:
                paragraph.add_run().add_break()
                paragraph.add_run(more)
        elif kind == "prose":
            document.add_paragraph(key)
    for number, section in enumerate(sections, 1):
        document.add_heading(f"{number}. {section['title']}", level=1)
        for kind, key, values in section["items"]:
            paragraph = document.add_paragraph()
            if kind == "field":
                runs(paragraph, f"{label(key)}: {values[0]}")
                for more in values[1:]:
                    paragraph.add_run().add_break()
                    paragraph.add_run(more)
            else:
                paragraph.add_run(key)
        if section["title"] == "People" and section["entities"]:
            keys = []
            for entity in section["entities"]:
                for kind, key, _ in entity["fields"]:
                    if kind == "field" and key not in keys:
                        keys.append(key)
            table = document.add_table(rows=1, cols=len(keys) + 1)
            table.rows[0].cells[0].text = "Name"
            for i, key in enumerate(keys, 1):
                table.rows[0].cells[i].text = label(key)
            for entity in section["entities"]:
                row = table.add_row()
                row.cells[0].text = entity["name"]
                for kind, key, values in entity["fields"]:
                    if kind == "field":
                        row.cells[keys.index(key) + 1].text = " ".join(values)
            continue
        for entity in section["entities"]:
            document.add_heading(entity["name"], level=2)
            fields = [f for f in entity["fields"] if f[0] == "field"]
            if fields:
                table = document.add_table(rows=0, cols=2)
                for _, key, values in fields:
                    row = table.add_row()
                    row.cells[0].text = label(key)
                    row.cells[1].text = " ".join(values)
            for kind, key, _ in entity["fields"]:
                if kind == "prose":
                    document.add_paragraph(key)
    document.save(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
