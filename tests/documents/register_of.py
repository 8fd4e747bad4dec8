"""A register of interests as commissioners keep one: a title row, a blank
row, a header row, a row per interest; written by openpyxl (an
independent producer of Excel workbooks) as a sheet named `Register`, and
as CSV in UTF-8 and in Windows-1252 (Excel's default export).

usage: python3 register_of.py DIR
"""

import csv
import datetime
import os
import sys

TITLE = ["Register of interests 2016/17: West Hampshire CCG"]
HEADER = ["Name", "Position", "Type of interest", "Description", "Organisation",
          "Value", "Date from", "Date declared", "Action taken"]
ROWS = [
    ["Dr Mark Ellis", "GP partner", "Financial interest", "Director",
     "Mid Hampshire GP Federation", "", datetime.date(2015, 10, 1),
     datetime.date(2016, 4, 1), "Excluded from MCP decisions"],
    ["Dr Mark Ellis", "GP partner", "Non-financial personal interest", "Trustee",
     "Lymington Hospital League of Friends", "", datetime.date(2010, 1, 1),
     datetime.date(2016, 4, 1), "None"],
    ["Ms Ruth Okafor", "Nurse", "Financial interest", "Shareholder",
     "Acme Healthcare Ltd", "£5,000", datetime.date(2014, 1, 1),
     datetime.date(2016, 4, 1), "None"],
]


def text(cell):
    return cell.isoformat() if isinstance(cell, datetime.date) else cell


def main(out):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    sheet.append(TITLE)
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    workbook.save(os.path.join(out, "register.xlsx"))
    for name, encoding in [("register.csv", "utf-8"), ("register-1252.csv", "cp1252")]:
        with open(os.path.join(out, name), "w", encoding=encoding, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(TITLE)
            writer.writerow([])
            writer.writerow(HEADER)
            for row in ROWS:
                writer.writerow([text(c) for c in row])


if __name__ == "__main__":
    main(sys.argv[1])
