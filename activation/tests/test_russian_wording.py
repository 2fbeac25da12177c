"""Russian wording of the teacher's class page: the parents of a student are named as such."""

import pytest

from activation.tests.scenario import NOW
from activation.tests.scenario import enrol
from activation.tests.scenario import page_get

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def test_the_parents_of_a_student_read_as_such_in_russian(client, world, settings):
    # given: a student whose parent is not activated
    settings.LANGUAGE_CODE = "ru"
    student = enrol(world.school_class, parent_status=None, last_name="Орлова", first_name="Вера")
    # when
    response = page_get(client, world.teacher, "teacher-class", class_id=world.school_class.pk)
    # then
    page = response.content.decode()
    name = response.context["roster"].students[0].name
    assert student.last_name in name
    assert f'<span class="name">Родители ученика: {name}</span>' in page
    assert "Родители: " not in page
