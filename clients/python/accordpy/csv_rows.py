"""Rows from a CSV file, as `accord import` reads them: a header of field names, an optional
`id` column, UTF-8, tags joined with `;`.

A row without an id, or with an id not in the file yet, is added; a row whose id exists edits
the columns the file has (an empty cell clears the field). All or nothing: one bad row refuses
the whole file and names its line.
"""

import csv
from dataclasses import dataclass

from .clock import new_id
from .edits import add_row, edit_row
from .errors import AccordError, DataError, NotFoundError
from .fields import normalize, record_id, schema


@dataclass
class CsvSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def read_rows(path, entity):
    """[(line, id or None, {field: text})] of the file, checked against `entity`'s fields."""
    fields = schema(entity)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            unknown = [name for name in header if name != "id" and name not in fields]
            if unknown:
                raise DataError(f"line 1: {', '.join(unknown)} {'is not a field' if len(unknown) == 1 else 'are not fields'} of {entity}")
            rows = []
            for record in reader:
                if None in record:
                    raise DataError(f"line {reader.line_num}: more cells than columns")
                rows.append((reader.line_num, (record.pop("id", None) or "").strip() or None, record))
            return rows
    except FileNotFoundError:
        raise NotFoundError(f"no file {path}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"{path} is not a UTF-8 CSV file: {error}") from None


def import_rows(db, who, entity, rows):
    """Applies `rows` inside the caller's transaction; returns what it did."""
    summary = CsvSummary()
    seen = set()
    for line, raw_id, cells in rows:
        try:
            values = {name: normalize(entity, name, text) for name, text in cells.items()}
            row_id = record_id(raw_id) if raw_id else None
            if raw_id and row_id is None:
                raise DataError(f"\"{raw_id}\" is not an id")
            if row_id in seen:
                raise DataError(f"id {row_id} appears twice in the file")
            if row_id and db.execute(f"SELECT 1 FROM {entity} WHERE id = ?", (row_id,)).fetchone():
                seen.add(row_id)
                if edit_row(db, who, entity, row_id, values):
                    summary.updated += 1
                else:
                    summary.unchanged += 1
            else:
                row_id = row_id or new_id()
                seen.add(row_id)
                add_row(db, who, entity, row_id, values)
                summary.added += 1
        except AccordError as error:
            error.message = f"line {line}: {error.message}"
            error.args = (error.message,)
            raise
    return summary
