"""The missing-codes report as XLSX: one sheet per unit totals, one listing the records."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from .selectors import MissingReport


def render_xlsx(report: MissingReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    by_unit = book.active
    by_unit.title = _("By unit")[:31]
    by_unit.append([_("Unit code"), _("Unit"), _("Records missing codes"), _("Names without a code")])
    for row in report.rows:
        by_unit.append([row.unit.code, row.unit.name, row.records, row.mentions])
    by_unit.append(["", _("Total"), report.total_records, report.total_mentions])
    listing = book.create_sheet(_("Records")[:31])
    listing.append([_("Unit code"), _("Kind of record"), _("Record"), _("Date"), _("Names without a code")])
    for owner, record, unit_code, count, _url in report.items:
        issued = getattr(record, "issued_date", None)
        listing.append([unit_code, str(owner.label), str(getattr(record, "notation", "") or record.pk), issued, count])
    for ws in (by_unit, listing):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
