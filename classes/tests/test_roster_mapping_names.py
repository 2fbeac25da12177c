"""The roster's column mapping offers the columns by their Russian names only (not «class (Класс)»)."""

import re

from classes.forms import ColumnMappingForm
from classes.roster.columns import COLUMNS


def test_the_mapping_offers_russian_column_names_only():
    # given
    form = ColumnMappingForm(headers=["Школьник", ""], initial_columns=["", ""], recognised=[False, False])
    # when
    html = str(form["column_0"])
    # then
    labels = re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", html)
    assert labels[1:] == [column.russian for column in COLUMNS]
    assert "Класс" in labels and "Фамилия" in labels
    assert not any(column.key in label for label in labels for column in COLUMNS)
