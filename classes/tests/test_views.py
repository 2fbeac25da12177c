"""Class management (the year's classes, class teacher, teaching assignments) and the school profile."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from classes.models import AcademicYear
from classes.models import SchoolClass
from classes.models import TeachingAssignment
from classes.services import classes_create
from classes.services import school_profile_update
from classes.services import teaching_assignments_replace
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import StaffFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import classes_add
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def urls(data) -> dict[str, str]:
    school_id = data.school.pk
    return {
        "list": reverse("class-list", kwargs={"school_id": school_id}),
        "create": reverse("class-create", kwargs={"school_id": school_id}),
        "update": reverse("class-update", kwargs={"class_id": data.classes[0].pk}),
        "profile": reverse("school-profile", kwargs={"school_id": school_id}),
    }


def test_the_fixed_url_names():
    assert reverse("class-list", kwargs={"school_id": 7}) == "/schools/7/classes/"
    assert reverse("school-profile", kwargs={"school_id": 7}) == "/schools/7/profile/"


@pytest.mark.parametrize("page", ["list", "create", "update", "profile"])
def test_denials(client, page):
    # given
    data, other = school_build(), school_build()
    url = urls(data)[page]
    # when / then: anonymous → login, teacher → 403, another school → 404, another municipality → 403/404
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(teacher_user(data))
    assert client.get(url).status_code == 403
    client.force_login(school_admin(other.school))
    assert client.get(url).status_code == 404
    client.force_login(municipal_admin(MunicipalityFactory()))
    assert client.get(url).status_code in (403, 404)


@pytest.mark.parametrize(
    ("page", "status", "post_status"),
    [("list", 200, 405), ("profile", 200, 403), ("create", 403, 403), ("update", 403, 403)],
)
def test_the_municipal_administrator_reads_but_does_not_write(client, page, status, post_status):
    # given
    data = school_build()
    client.force_login(municipal_admin(data.school.municipality))
    url = urls(data)[page]
    # when / then
    assert client.get(url).status_code == status
    form = {"full_name": "X", "short_name": "X", "timezone": "Europe/Moscow"}
    assert client.post(url, form).status_code == post_status
    data.school.refresh_from_db()
    assert data.school.full_name != "X"


# The class list


def test_the_class_list_shows_the_current_year_with_class_teachers(client):
    # given
    data = school_build(classes=2, students=3)
    data.classes[1].class_teacher = None
    data.classes[1].save(update_fields=["class_teacher"])
    client.force_login(school_admin(data.school))
    # when
    response = client.get(urls(data)["list"])
    # then
    classes = response.context["classes"]
    assert [(c.name, c.students, c.assignment_count) for c in classes] == [("1А", 3, 1), ("2А", 3, 1)]
    assert response.context["without_class_teacher"] == [classes[1]]
    assert reverse("class-detail", kwargs={"class_id": classes[0].pk}) in response.content.decode()


def test_the_class_list_makes_as_many_queries_whatever_the_size(client, django_assert_num_queries):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 7), letter="Б", students=2)

    # when / then
    assert_constant_queries(client, urls(data)["list"], grow, django_assert_num_queries)


# Creating classes


def test_create_the_classes_of_the_year(client):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))
    # when
    response = client.post(urls(data)["create"], {"year": data.year.pk, "grades": [1, 2], "letters": "АБ"}, follow=True)
    # then
    names = sorted(SchoolClass.objects.filter(year=data.year).values_list("grade", "letter"))
    assert names == [(1, "А"), (1, "Б"), (2, "А"), (2, "Б")]
    assert "Already there, left as they are: 1А." in response.content.decode()


def test_create_the_classes_of_next_year(client):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))
    # when
    client.post(urls(data)["create"], {"year": "next", "grades": [5], "letters": "А"})
    # then
    year = AcademicYear.objects.get(school=data.school, name="2027/2028")
    assert year.quarters.count() == 4
    assert list(SchoolClass.objects.filter(year=year).values_list("grade", "letter")) == [(5, "А")]


def test_a_wrong_letter_creates_nothing(client):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))
    # when
    response = client.post(urls(data)["create"], {"year": data.year.pk, "grades": [3], "letters": "АQ"})
    # then
    assert response.status_code == 200
    assert "Cyrillic capital letter" in response.content.decode()
    assert SchoolClass.objects.filter(year=data.year).count() == 1


def test_classes_create_refuses_another_schools_year():
    # given
    data, other = school_build(), school_build()
    # when / then
    with pytest.raises(ValidationError):
        classes_create(school=data.school, year=other.year, grades=[1], letters="А")


# Editing a class


def test_assign_the_class_teacher_and_the_teachers(client):
    # given
    data = school_build(classes=1)
    school_class = data.classes[0]
    new_teacher, biology = StaffFactory(school=data.school), StaffFactory(school=data.school)
    client.force_login(school_admin(data.school))
    form = {
        "class_teacher": new_teacher.pk,
        "assignments-TOTAL_FORMS": "4",
        "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-staff": data.teachers[1].pk,
        "assignments-0-subject": "математика",
        "assignments-0-DELETE": "on",
        "assignments-1-staff": biology.pk,
        "assignments-1-subject": "биология",
        "assignments-2-staff": "",
        "assignments-2-subject": "",
        "assignments-3-staff": "",
        "assignments-3-subject": "",
    }
    # when
    response = client.post(reverse("class-update", kwargs={"class_id": school_class.pk}), form)
    # then
    assert response.status_code == 302
    school_class.refresh_from_db()
    assert school_class.class_teacher_id == new_teacher.pk
    assert list(TeachingAssignment.objects.filter(school_class=school_class).values_list("staff_id", "subject")) == [
        (biology.pk, "биология")
    ]


def test_an_assignment_needs_a_subject(client):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))
    form = {
        "class_teacher": "",
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "0",
        "assignments-0-staff": data.teachers[1].pk,
        "assignments-0-subject": "",
    }
    # when
    response = client.post(reverse("class-update", kwargs={"class_id": data.classes[0].pk}), form)
    # then
    assert response.status_code == 200
    assert "Give the subject" in response.content.decode()
    data.classes[0].refresh_from_db()
    assert data.classes[0].class_teacher_id == data.teachers[0].pk


def test_another_schools_teacher_is_not_a_choice(client):
    # given
    data, other = school_build(classes=1), school_build(classes=1)
    client.force_login(school_admin(data.school))
    form = {"class_teacher": other.teachers[0].pk, "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"}
    # when
    response = client.post(reverse("class-update", kwargs={"class_id": data.classes[0].pk}), form)
    # then
    assert response.status_code == 200
    data.classes[0].refresh_from_db()
    assert data.classes[0].class_teacher_id == data.teachers[0].pk


def test_teaching_assignments_replace_refuses_another_schools_teacher():
    # given
    data, other = school_build(), school_build()
    # when / then
    with pytest.raises(ValidationError):
        teaching_assignments_replace(school_class=data.classes[0], assignments=[(other.teachers[0], "химия")])


def test_the_class_edit_page_makes_as_many_queries_whatever_the_size(client, django_assert_num_queries):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 5), letter="А", students=1)
        for teacher in data.teachers[2:6]:
            data.classes[0].assignments.create(staff=teacher, subject=f"предмет {teacher.pk}")

    # when / then
    url = reverse("class-update", kwargs={"class_id": data.classes[0].pk})
    assert_constant_queries(client, url, grow, django_assert_num_queries)


# The school profile


def test_edit_the_school_profile(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.post(
        urls(data)["profile"],
        {
            "full_name": "МАОУ СОШ № 7 г. Тест",
            "short_name": "СОШ № 7",
            "address": "ул. Школьная, 1",
            "description": "",
            "contacts": "+7 000 000-00-00",
            "timezone": "Asia/Yekaterinburg",
            "activity_threshold": "4",
            "staff_target": "",
            "students_target": "87.5",
            "parents_target": "",
        },
    )
    # then
    assert response.status_code == 302
    data.school.refresh_from_db()
    assert (data.school.short_name, data.school.timezone, data.school.activity_threshold) == (
        "СОШ № 7",
        "Asia/Yekaterinburg",
        4,
    )
    assert data.school.students_target == Decimal("0.875")
    assert data.school.staff_target is None


def test_a_target_above_100_percent_is_refused(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.post(
        urls(data)["profile"],
        {"full_name": "A", "short_name": "A", "timezone": "Europe/Moscow", "students_target": "120"},
    )
    # then
    assert response.status_code == 200
    data.school.refresh_from_db()
    assert data.school.students_target is None


def test_school_profile_update_validates():
    # given
    data = school_build()
    # when / then
    with pytest.raises(ValidationError):
        school_profile_update(school=data.school, data={"timezone": "Mars/Olympus"})


def test_the_municipal_administrator_sees_the_profile_read_only(client):
    # given
    data = school_build()
    client.force_login(municipal_admin(data.school.municipality))
    # when
    response = client.get(urls(data)["profile"])
    # then
    assert response.status_code == 200
    assert b"<input" not in response.content.split(b'<main id="main"')[1]


@pytest.mark.parametrize("page", ["profile", "create"])
def test_form_pages_make_as_many_queries_whatever_the_size(client, django_assert_num_queries, page):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 5), letter="А", students=1)

    # when / then
    assert_constant_queries(client, urls(data)[page], grow, django_assert_num_queries)


def test_the_class_form_keeps_a_class_teacher_whose_employment_starts_later(client):
    # given: the class teacher starts next month (employed from a later day); saving the form unchanged
    data = school_build(classes=1)
    school_class = data.classes[0]
    starts_later = data.teachers[0]
    starts_later.employed_from = date(2026, 12, 1)
    starts_later.save(update_fields=["employed_from"])
    client.force_login(school_admin(data.school))
    form = {
        "class_teacher": starts_later.pk,
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-0-staff": data.teachers[1].pk,
        "assignments-0-subject": "математика",
    }
    # when
    response = client.post(reverse("class-update", kwargs={"class_id": school_class.pk}), form)
    # then: the current class teacher stays a choice, whatever their employment dates
    assert response.status_code == 302
    school_class.refresh_from_db()
    assert school_class.class_teacher_id == starts_later.pk


def test_the_class_form_offers_no_teacher_who_is_not_employed_today(client):
    # given: a teacher who starts next month and one who left yesterday, neither the class's
    data = school_build(classes=1)
    newcomer = StaffFactory(school=data.school, last_name="Новикова", employed_from=date(2026, 12, 1))
    gone = StaffFactory(school=data.school, last_name="Ушедший", employed_to=date(2026, 11, 18))
    client.force_login(school_admin(data.school))
    # when
    response = client.get(reverse("class-update", kwargs={"class_id": data.classes[0].pk}))
    # then
    choices = dict(response.context["teacher_form"].fields["class_teacher"].choices)
    assert data.teachers[0].pk in choices
    assert newcomer.pk not in choices
    assert gone.pk not in choices
