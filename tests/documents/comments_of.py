"""The comments of a Word document as python-docx reads the package: for
each comment anchored in the body, a line `TEXT<TAB>AUTHOR<TAB>FIRST LINE`
where TEXT is the text of the paragraph the comment's range starts in.

usage: python3 comments_of.py DOCX
"""

import sys
import xml.etree.ElementTree as ET

import docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def main(path):
    document = docx.Document(path)
    comments = {}
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/comments"):
            root = ET.fromstring(rel.target_part.blob)
            for comment in root.iter(W + "comment"):
                lines = ["".join(t.text or "" for t in p.iter(W + "t")) for p in comment.iter(W + "p")]
                comments[comment.get(W + "id")] = (comment.get(W + "author"), lines[0] if lines else "")
    body = ET.fromstring(document.element.xml)
    for paragraph in body.iter(W + "p"):
        text = "".join(t.text or "" for t in paragraph.iter(W + "t"))
        for start in paragraph.iter(W + "commentRangeStart"):
            author, first = comments.get(start.get(W + "id"), ("?", "?"))
            print(f"{text}\t{author}\t{first}")


if __name__ == "__main__":
    main(sys.argv[1])
