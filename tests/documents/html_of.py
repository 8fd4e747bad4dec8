"""A business case made from a proposal as an HTML page, for LibreOffice
to turn into a Word document its own way (`soffice --headless
--convert-to docx`: its own styles, its own runs): title and header fields
as `Label: value` paragraphs, numbered `<h1>` sections, `<h2>` entities
whose fields are a table of labels and values, the people as a register
with a header row, continuation lines as line breaks.

usage: python3 html_of.py PROPOSAL HTML
"""

import html
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from docx_of import label, parse  # noqa: E402


def main(source, target):
    header, sections = parse(source)
    out = ["<html><head><meta charset='utf-8'></head><body>"]

    def field(key, values):
        lines = "<br/>".join(html.escape(v) for v in values)
        return f"<p>{html.escape(label(key))}: {lines}</p>"

    for kind, key, values in header:
        out.append(field(key, values) if kind == "field" else f"<p>{html.escape(key)}</p>")
    for number, section in enumerate(sections, 1):
        out.append(f"<h1>{number}. {html.escape(section['title'])}</h1>")
        for kind, key, values in section["items"]:
            out.append(field(key, values) if kind == "field" else f"<p>{html.escape(key)}</p>")
        if section["title"] == "People" and section["entities"]:
            keys = []
            for entity in section["entities"]:
                for kind, key, _ in entity["fields"]:
                    if kind == "field" and key not in keys:
                        keys.append(key)
            out.append("<table border='1'><tr><th>Name</th>")
            out.extend(f"<th>{html.escape(label(k))}</th>" for k in keys)
            out.append("</tr>")
            for entity in section["entities"]:
                cells = {k: " ".join(v) for kind, k, v in entity["fields"] if kind == "field"}
                out.append(f"<tr><td>{html.escape(entity['name'])}</td>")
                out.extend(f"<td>{html.escape(cells.get(k, ''))}</td>" for k in keys)
                out.append("</tr>")
            out.append("</table>")
            continue
        for entity in section["entities"]:
            out.append(f"<h2>{html.escape(entity['name'])}</h2>")
            fields = [f for f in entity["fields"] if f[0] == "field"]
            if fields:
                out.append("<table border='1'>")
                for _, key, values in fields:
                    out.append(
                        f"<tr><td>{html.escape(label(key))}</td><td>{html.escape(' '.join(values))}</td></tr>"
                    )
                out.append("</table>")
            for kind, key, _ in entity["fields"]:
                if kind == "prose":
                    out.append(f"<p>{html.escape(key)}</p>")
    out.append("</body></html>")
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
