import io
from datetime import datetime

import openpyxl
import pytest

from classes.roster.columns import column_for_header
from classes.tabular.columns import mapping_parse
from classes.tabular.reading import TableReadError
from classes.tabular.reading import cell_text
from classes.tabular.reading import separator_sniff
from classes.tabular.reading import table_read
from classes.tabular.reading import text_decode


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("Роль;Фамилия\n".encode(), "Роль;Фамилия\n"),
        ("Роль;Фамилия\n".encode("utf-8-sig"), "Роль;Фамилия\n"),
        ("Роль;Фамилия\n".encode("cp1251"), "Роль;Фамилия\n"),
        ("Роль\tФамилия\n".encode("utf-16"), "Роль\tФамилия\n"),
    ],
)
def test_text_is_decoded_from_utf8_with_or_without_bom_utf16_and_cp1251(content, text):
    assert text_decode(content) == text


@pytest.mark.parametrize(
    ("line", "separator"),
    [
        ("role;person_id;last_name", ";"),
        ("role,person_id,last_name", ","),
        ('"Фамилия, имя";Класс;Роль', ";"),
        ("role\tperson_id\tlast_name", "\t"),
        ("role", ","),
    ],
)
def test_the_separator_is_sniffed_from_the_header_line(line, separator):
    assert separator_sniff(line) == separator


def test_quoted_fields_keep_the_separator_and_line_breaks():
    # given
    content = 'role;position;children\nstaff;"учитель; завуч";\nparent;;"S-1;\nS-2"\n'.encode("cp1251")
    # when
    table = table_read(content=content, filename="roster.csv")
    # then
    assert table.header == ["role", "position", "children"]
    assert table.rows == [(2, ["staff", "учитель; завуч", ""]), (3, ["parent", "", "S-1;\nS-2"])]


def test_blank_rows_are_skipped_but_keep_the_row_numbers():
    content = b"role,person_id\nstudent,S-1\n,\n\nstudent,S-2\n"
    table = table_read(content=content, filename="roster.csv")
    assert [number for number, _cells in table.rows] == [2, 5]


def test_the_first_sheet_of_an_xlsx_is_read_with_its_cell_types():
    # given
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Роль", "Идентификатор", "Дата рождения"])
    sheet.append(["ученик", 1001, datetime(2015, 3, 12)])
    workbook.create_sheet("Другой лист").append(["не", "читается"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when: no .xlsx extension; the zip signature is enough
    table = table_read(content=buffer.getvalue(), filename="upload")
    # then
    assert table.header == ["Роль", "Идентификатор", "Дата рождения"]
    assert table.rows == [(2, ["ученик", 1001, datetime(2015, 3, 12)])]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "roster.csv", "The file is empty"),
        (b"  \r\n", "roster.csv", "The file is empty"),
        (b"PK\x03\x04broken", "roster.xlsx", "not a readable XLSX workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "roster.xls", "old .xls workbook"),
        (b"\n\nrole\nstaff\n", "roster.csv", "Row 1 has no headers"),
    ],
)
def test_unreadable_files_say_what_to_do(content, filename, message):
    with pytest.raises(TableReadError, match=message) as error:
        table_read(content=content, filename=filename)
    assert str(error.value).endswith(".")


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (1001, "1001"),
        (1001.0, "1001"),
        (True, "true"),
        (datetime(2015, 3, 12), "2015-03-12"),
        (" 5А ", "5А"),
    ],
)
def test_cells_become_text(cell, text):
    assert cell_text(cell) == text


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Роль", "role"),
        ("  РОЛЬ ", "role"),
        ("Person_ID", "person_id"),
        ("person id", "person_id"),
        ("Ведёт уроки", "teaches"),
        ("Ведет уроки", "teaches"),
        ("Эл. почта", "email"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Дата рождения", "birth_date"),
        ("Фамилия*", "last_name"),
        ("Классный руководитель", "class_teacher_of"),
        ("ФИО", "full_name"),
        ("Ф.И.О.", None),
        ("Примечание", None),
    ],
)
def test_headers_match_in_english_or_russian(header, column):
    assert column_for_header(header) == column


def test_a_mapping_is_parsed_from_header_equals_column():
    assert mapping_parse(["Ф.И.О.=full_name", " Группа = class "]) == {"Ф.И.О.": "full_name", "Группа": "class"}


@pytest.mark.parametrize("item", ["full_name", "=full_name", "Ф.И.О.=", " = "])
def test_a_bad_mapping_is_refused(item):
    with pytest.raises(ValueError) as error:
        mapping_parse(["Класс=class", item])
    assert error.value.args == (item,)
