"""The columns of the roster file (roster-format.md): their English and Russian headers and aliases."""

from __future__ import annotations

from classes.tabular.columns import Column
from classes.tabular.columns import header_normalize

COLUMNS: tuple[Column, ...] = (
    Column("role", "Роль"),
    Column("person_id", "Идентификатор", ("id",)),
    Column("last_name", "Фамилия", ("surname",)),
    Column("first_name", "Имя"),
    Column("patronymic", "Отчество", ("middle name",)),
    Column("full_name", "ФИО"),
    Column("birth_date", "Дата рождения", ("date of birth",)),
    Column("class", "Класс"),
    Column("position", "Должность"),
    Column("teaches", "Ведёт уроки"),
    Column("class_teacher_of", "Классный руководитель", ("классное руководство",)),
    Column("children", "Дети"),
    Column("phone", "Телефон"),
    Column("email", "Эл. почта", ("e-mail", "эл.почта", "электронная почта")),
    # Optional: since when a person counts (DESIGN.md, "Since when people count"); staff and students only.
    Column("employed_from", "Работает с", ("дата приема",)),
    Column("enrolled_from", "Зачислен с", ("зачислена с", "дата зачисления")),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

_HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    for _header in (_column.key, _column.russian, *_column.aliases):
        _HEADERS[header_normalize(_header)] = _column.key


def column_for_header(header: str) -> str | None:
    """Return the column key a header names in English or Russian, or None."""
    return _HEADERS.get(header_normalize(header))
