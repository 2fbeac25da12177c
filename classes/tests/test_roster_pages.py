"""The roster pages: upload with a column mapping and a preview, the import log, arrivals and departures, a
student's page; every denial, and query counts that do not grow with the data."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes.models import AuditEntry
from classes.models import RosterChange
from classes.models import RosterImport
from classes.models import RosterMapping
from classes.models import RosterUpload
from classes.models import Student
from classes.models import User
from classes.roster.importer import roster_import
from classes.roster_changes import roster_change_process
from classes.roster_changes import roster_change_report_departure
from classes.tabular.reading import table_read
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import TeachingAssignmentFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import RosterWorld
from classes.tests.scenario import assert_constant_queries

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)  # Monday, 09:00 in Moscow
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def roster_csv(students: list[tuple[str, str, str]], name_header: str = "ФИО") -> bytes:
    """A roster with one class teacher and the students (person_id, full name, class)."""
    lines = [f"Роль;Идентификатор;{name_header};Класс;Классный руководитель"]
    lines.append("учитель;T-1;Иванова Мария Петровна;;5А")
    lines += [f"ученик;{pid};{name};{class_name};" for pid, name, class_name in students]
    return ("\n".join(lines) + "\n").encode("utf-8")


STUDENTS = [
    ("S-1", "Смирнов Пётр Алексеевич", "5А"),
    ("S-2", "Орлова Анна Дмитриевна", "5А"),
    ("S-3", "Волков Дмитрий Игоревич", "5 «Б»"),
    ("S-4", "Петрова-Водкина Мария", "5Б"),
]


class Site:
    def __init__(self):
        self.municipality = MunicipalityFactory()
        self.school = SchoolFactory(municipality=self.municipality)
        self.admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=self.school, first_name="Ольга")
        self.other_admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=SchoolFactory())
        self.municipal = UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=self.municipality)
        self.other_municipal = UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=MunicipalityFactory())
        staff = StaffFactory(  # the class teacher of every roster_csv file
            school=self.school, person_id="T-1", last_name="Иванова", first_name="Мария", patronymic="Петровна"
        )
        self.teacher = UserFactory(role=User.Role.TEACHER, school=self.school, staff=staff)


@pytest.fixture
def site():
    return Site()


def upload(client, site, content: bytes, name: str = "roster.csv") -> RosterUpload:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(site.admin)
    response = client.post(
        reverse("roster-upload", kwargs={"school_id": site.school.pk}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )
    assert response.status_code == 302
    return RosterUpload.objects.latest("pk")


def preview_url(site, upload_: RosterUpload) -> str:
    return reverse("roster-upload-preview", kwargs={"school_id": site.school.pk, "upload_id": upload_.pk})


def count_queries(client, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries)


# ---------------------------------------------------------------------------
# Upload, mapping, preview, import
# ---------------------------------------------------------------------------


def test_the_preview_shows_the_headers_guesses_their_columns_and_writes_nothing(client, site):
    # given
    uploaded = upload(client, site, roster_csv(STUDENTS, name_header="Ф.И.О. ученика"))
    # when
    response = client.get(preview_url(site, uploaded))
    # then
    page = response.content.decode()
    form = response.context["mapping_form"]
    assert form.headers == ["Роль", "Идентификатор", "Ф.И.О. ученика", "Класс", "Классный руководитель"]
    assert [form[f"column_{i}"].value() for i in range(5)] == ["role", "person_id", "", "class", "class_teacher_of"]
    assert response.context["result"].status == "failed"
    assert "map one of your columns" in page
    assert '<label for="id_column_2">Ф.И.О. ученика</label>' in page
    assert not RosterImport.objects.exists()
    assert not Student.objects.exists()


def test_the_preview_parses_the_file_once_for_its_headers_and_its_dry_run(client, site, monkeypatch):
    # given
    uploaded = upload(client, site, roster_csv(STUDENTS))

    def read_again(**_kwargs):
        raise AssertionError("the dry run read the file the page had already read")

    monkeypatch.setattr("classes.roster.importer.table_read", read_again)
    # when
    response = client.get(preview_url(site, uploaded))
    # then
    assert response.context["result"].status == "ok"
    assert response.context["mapping_form"].headers[0] == "Роль"


def test_a_mapping_chosen_in_the_page_is_saved_for_the_school_and_the_preview_shows_each_class(
    client, site, monkeypatch
):
    # given
    uploaded = upload(client, site, roster_csv(STUDENTS, name_header="Ф.И.О. ученика"))
    data = {"column_0": "role", "column_1": "person_id", "column_2": "full_name", "column_3": "class", "column_4": ""}
    reads = []
    monkeypatch.setattr("classes.views.roster.table_read", lambda **kwargs: reads.append(1) or table_read(**kwargs))
    # when
    response = client.post(preview_url(site, uploaded), data, HTTP_HX_REQUEST="true")
    # then
    assert len(reads) == 1  # the headers and the new preview come from one read of the file
    assert RosterMapping.objects.get(school=site.school).mapping == {"Ф.И.О. ученика": "full_name"}
    [entry] = AuditEntry.objects.filter(action="roster.mapping")
    assert entry.school == site.school and "1 header(s) mapped by hand" in entry.description
    result = response.context["result"]
    assert result.status == "ok"
    assert [(c.name, len(c.added), c.new_class) for c in result.class_changes] == [("5А", 2, True), ("5Б", 2, True)]
    assert "Петрова-Водкина Мария" in response.content.decode()
    assert response.templates[0].name == "roster/_preview.html"
    assert not Student.objects.exists()


def test_the_saved_mapping_is_applied_to_the_next_file_with_that_header(client, site):
    # given
    RosterMapping.objects.create(school=site.school, mapping={"ф.и.о. ученика": "full_name"})
    # when
    uploaded = upload(client, site, roster_csv(STUDENTS, name_header="Ф.И.О. Ученика"))
    response = client.get(preview_url(site, uploaded))
    # then
    assert uploaded.mapping == {"Ф.И.О. Ученика": "full_name"}
    assert response.context["mapping_form"]["column_2"].value() == "full_name"
    assert response.context["result"].status == "ok"


def test_importing_from_the_page_logs_who_when_file_hash_and_counts_and_lists_it(client, site):
    # given
    content = roster_csv(STUDENTS)
    uploaded = upload(client, site, content)
    # when
    response = client.post(
        reverse("roster-upload-import", kwargs={"school_id": site.school.pk, "upload_id": uploaded.pk})
    )
    # then
    assert response.status_code == 302
    log = RosterImport.objects.get()
    assert (log.user, log.file_name, log.status, log.counts["students"]["added"]) == (site.admin, "roster.csv", "ok", 4)
    assert len(log.file_hash) == 64
    assert Student.objects.filter(school=site.school).count() == 4
    assert not RosterUpload.objects.exists()
    page = client.get(reverse("roster-upload", kwargs={"school_id": site.school.pk})).content.decode()
    assert "roster.csv" in page and log.file_hash[:12] in page


def test_the_preview_shows_added_updated_moved_and_left_per_class_before_anything_is_written(client, site):
    # given: the school has the four students
    roster_import(school=site.school, content=roster_csv(STUDENTS), filename="first.csv")
    changed = [
        ("S-1", "Смирнов Пётр Алексеевич", "5Б"),  # moves 5А → 5Б
        ("S-2", "Орлова Анна Игоревна", "5А"),  # patronymic corrected
        ("S-3", "Волков Дмитрий Игоревич", "5Б"),
        ("S-4", "Петрова-Водкина Мария", "5Б"),
        ("S-5", "Ёлкин Илья", "5А"),  # arrives
    ]
    uploaded = upload(client, site, roster_csv(changed))
    # when
    result = client.get(preview_url(site, uploaded)).context["result"]
    # then
    by_class = {c.name: c for c in result.class_changes}
    assert by_class["5А"].added == ["Ёлкин Илья"]
    assert by_class["5А"].updated == ["Орлова Анна Игоревна"]
    assert by_class["5А"].moved_out == ["Смирнов Пётр Алексеевич"]
    assert by_class["5Б"].moved_in == ["Смирнов Пётр Алексеевич"]
    assert Student.objects.get(person_id="S-2").patronymic == "Дмитриевна"
    assert RosterImport.objects.count() == 1


def test_a_held_file_is_imported_only_when_the_removals_are_confirmed_on_the_page(client, site):
    # given: 4 students; the new file has one of them
    roster_import(school=site.school, content=roster_csv(STUDENTS), filename="first.csv")
    uploaded = upload(client, site, roster_csv(STUDENTS[:1]))
    import_url = reverse("roster-upload-import", kwargs={"school_id": site.school.pk, "upload_id": uploaded.pk})
    preview = client.get(preview_url(site, uploaded))
    # when
    held = client.post(import_url, follow=True)
    confirmed = client.post(import_url, {"confirm_removals": "on", "removals_typed": "3"})  # 3 of 5: typed
    # then
    assert preview.context["result"].status == "held"
    assert "Nothing was imported: 3 of 5 people would leave." in held.content.decode()
    assert "Safety hold: 3 of the school" in preview.content.decode()
    assert held.redirect_chain[0][1] == confirmed.status_code == 302
    assert list(RosterImport.objects.order_by("pk").values_list("status", flat=True)) == ["ok", "held", "ok"]
    assert site.school.students.filter(enrollments__ends_on__isnull=True).count() == 1


def test_the_import_log_shows_the_errors_of_a_failed_import(client, site):
    # given
    roster_import(
        school=site.school, content=roster_csv([("S-1", "Смирнов Пётр", "12Я")]), filename="bad.csv", user=site.admin
    )
    log = RosterImport.objects.get()
    client.force_login(site.admin)
    # when
    response = client.get(reverse("roster-import-detail", kwargs={"school_id": site.school.pk, "import_id": log.pk}))
    # then
    assert "«12Я» is not a class name" in response.content.decode()


def test_an_upload_is_the_uploaders_own_and_can_be_cancelled(client, site):
    # given
    uploaded = upload(client, site, roster_csv(STUDENTS))
    colleague = UserFactory(role=User.Role.SCHOOL_ADMIN, school=site.school)
    client.force_login(colleague)
    # when
    foreign = client.get(preview_url(site, uploaded))
    client.force_login(site.admin)
    cancelled = client.post(
        reverse("roster-upload-cancel", kwargs={"school_id": site.school.pk, "upload_id": uploaded.pk})
    )
    # then
    assert foreign.status_code == 404
    assert cancelled.status_code == 302
    assert not RosterUpload.objects.exists()


def test_the_roster_page_denies_every_other_login(client, site):
    url = reverse("roster-upload", kwargs={"school_id": site.school.pk})
    # anonymous: the login page
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    # a teacher: forbidden
    client.force_login(site.teacher)
    assert client.get(url).status_code == 403
    # another school's administrator, another municipality's: not found
    client.force_login(site.other_admin)
    assert client.get(url).status_code == 404
    client.force_login(site.other_municipal)
    assert client.get(url).status_code == 404
    # the school's municipal administrator sees the log but may not import
    client.force_login(site.municipal)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403


def test_the_preview_denies_every_other_login(client, site):
    uploaded = upload(client, site, roster_csv(STUDENTS))
    url = preview_url(site, uploaded)
    client.logout()
    assert client.get(url).status_code == 302
    for user, status in ((site.teacher, 403), (site.other_admin, 404), (site.municipal, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_the_roster_page_and_the_preview_take_the_same_queries_for_little_and_much_data(client, site):
    # given
    client.force_login(site.admin)
    url = reverse("roster-upload", kwargs={"school_id": site.school.pk})
    roster_import(school=site.school, content=roster_csv(STUDENTS[:1]), filename="a.csv", user=site.admin)
    small_page = count_queries(client, url)
    small_preview = count_queries(client, preview_url(site, upload(client, site, roster_csv(STUDENTS[:1]))))
    # when
    many = [(f"S-{i}", f"Ученик{i} Имя", ("5А", "5Б", "6В")[i % 3]) for i in range(60)]
    for index in range(8):
        roster_import(school=site.school, content=roster_csv(many[: 10 + index]), filename="b.csv", user=site.admin)
    big_page = count_queries(client, url)
    big_preview = count_queries(client, preview_url(site, upload(client, site, roster_csv(many))))
    # then
    assert small_page == big_page
    assert small_preview == big_preview


def test_a_dry_run_writes_nothing_not_even_a_log_row(site):
    # when
    result = roster_import(school=site.school, content=roster_csv(STUDENTS), filename="r.csv", dry_run=True)
    # then
    assert result.status == "ok" and result.dry_run
    assert result.students["added"] == 4
    assert not RosterImport.objects.exists()
    assert not Student.objects.exists()


# ---------------------------------------------------------------------------
# Arrivals and departures
# ---------------------------------------------------------------------------


class ClassSite:
    def __init__(self):
        self.world = RosterWorld(classes=("5А", "5Б"))
        self.school = self.world.school
        self.leader = self.world.staff("Иванова", "Мария")
        self.world.classes["5А"].class_teacher = self.leader
        self.world.classes["5А"].save()
        self.class_teacher = UserFactory(role=User.Role.TEACHER, school=self.school, staff=self.leader)
        subject_staff = self.world.staff("Петров", "Иван")
        TeachingAssignmentFactory(staff=subject_staff, school_class=self.world.classes["5А"])
        self.subject_teacher = UserFactory(role=User.Role.TEACHER, school=self.school, staff=subject_staff)
        other_school = RosterWorld(classes=("5А",))
        other_staff = other_school.staff("Сидорова", "Анна")
        other_school.classes["5А"].class_teacher = other_staff
        other_school.classes["5А"].save()
        self.stranger_teacher = UserFactory(role=User.Role.TEACHER, school=other_school.school, staff=other_staff)
        self.admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=self.school)
        self.other_admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=other_school.school)
        self.petr = self.world.student("5А", "Смирнов", "Пётр", person_id="S-1")

    @property
    def class_a(self):
        return self.world.classes["5А"]

    def report_url(self) -> str:
        return reverse("roster-change-report", kwargs={"class_id": self.class_a.pk})

    def departure(self, student: Student | None = None, *, reason: str = "x", on: date = date(2026, 11, 13)):
        """Report the departure of `student` (Пётр by default) from 5А, by nobody (as the seed does)."""
        return roster_change_report_departure(
            school_class=self.class_a, student=student or self.petr, on=on, reason=reason, user=None
        )

    def queue_url(self) -> str:
        return reverse("roster-changes", kwargs={"school_id": self.school.pk})


@pytest.fixture
def class_site():
    return ClassSite()


def test_a_class_teacher_reports_a_departure_from_the_page(client, class_site):
    # given
    client.force_login(class_site.class_teacher)
    data = {
        "kind": "departure",
        "departure-student": class_site.petr.pk,
        "departure-happened_on": "2026-11-13",
        "departure-reason": "переезд",
    }
    # when
    response = client.post(class_site.report_url(), data)
    # then
    assert response.status_code == 302
    change = RosterChange.objects.get()
    assert (change.kind, change.student, change.reported_by, change.state) == (
        "departure",
        class_site.petr,
        class_site.class_teacher,
        "reported",
    )


def test_a_class_teacher_reports_an_arrival_and_sees_labelled_fields_and_errors(client, class_site):
    # given
    client.force_login(class_site.class_teacher)
    # when
    invalid = client.post(class_site.report_url(), {"kind": "arrival", "arrival-last_name": "Ёлкина"})
    valid = client.post(
        class_site.report_url(),
        {
            "kind": "arrival",
            "arrival-last_name": "Ёлкина",
            "arrival-first_name": "Алёна",
            "arrival-birth_date": "2015-07-07",
            "arrival-happened_on": "2026-11-16",
        },
    )
    # then
    page = invalid.content.decode()
    assert invalid.status_code == 200
    assert '<label for="id_arrival-first_name">' in page
    assert "This field is required." in page
    assert valid.status_code == 302
    assert RosterChange.objects.get().full_name == "Ёлкина Алёна"


# Who may open a page about a class's students: the subject teacher teaches the class but does not lead it; the
# stranger teacher leads a class of another school; the other administrator runs another school.
@pytest.mark.parametrize(
    ("page", "answers"),
    [
        ("report form", {"subject_teacher": 404, "stranger_teacher": 404, "admin": 403, "class_teacher": 200}),
        (
            "student",
            {"subject_teacher": 404, "stranger_teacher": 404, "other_admin": 404, "class_teacher": 200, "admin": 200},
        ),
    ],
)
def test_only_the_class_teacher_or_the_schools_administrator_opens_the_page(client, class_site, page, answers):
    url = {
        "report form": class_site.report_url(),
        "student": reverse("student-detail", kwargs={"student_id": class_site.petr.pk}),
    }[page]
    assert client.get(url).status_code == 302  # anonymous
    for who, status in answers.items():
        client.force_login(getattr(class_site, who))
        assert client.get(url).status_code == status


def test_the_report_page_takes_the_same_queries_for_few_and_many_students_and_reports(
    client, class_site, django_assert_num_queries
):
    # given
    client.force_login(class_site.class_teacher)
    class_site.departure()

    def grow() -> None:
        for index in range(15):
            student = class_site.world.student("5А", f"Ученик{index}", "Имя")
            if index % 2:
                class_site.departure(student, reason="y")

    # then
    assert_constant_queries(client, class_site.report_url(), grow, django_assert_num_queries)


def test_the_queue_flags_overdue_reports_and_processes_in_place(client, class_site, clock):
    # given: reported last Monday, it is Friday of the week after
    change = class_site.departure()
    clock.move_to(datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False)
    client.force_login(class_site.admin)
    # when
    queue = client.get(class_site.queue_url())
    processed = client.post(
        reverse("roster-change-process", kwargs={"school_id": class_site.school.pk, "change_id": change.pk}),
        {"changed_in_sferum": "on", "note": "удалён из чата"},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert [c.overdue for c in queue.context["changes"]] == [True]
    assert "overdue" in queue.content.decode()
    change.refresh_from_db()
    assert (change.state, change.processed_by) == ("processed", class_site.admin)
    assert processed.templates[0].name == "roster/_change_row.html"
    assert "overdue" not in processed.content.decode()


def test_processing_without_a_tick_says_what_to_do(client, class_site):
    # given
    change = class_site.departure()
    client.force_login(class_site.admin)
    # when
    response = client.post(
        reverse("roster-change-process", kwargs={"school_id": class_site.school.pk, "change_id": change.pk}),
        {},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert "Tick what you changed: Sferum, the roster, or both." in response.content.decode()
    change.refresh_from_db()
    assert change.state == "reported"


def test_the_queue_denies_every_other_login(client, class_site):
    url = class_site.queue_url()
    assert client.get(url).status_code == 302
    for user, status in ((class_site.class_teacher, 403), (class_site.other_admin, 404), (class_site.admin, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status
    change = class_site.departure()
    client.force_login(class_site.other_admin)
    process = reverse("roster-change-process", kwargs={"school_id": class_site.school.pk, "change_id": change.pk})
    assert client.post(process, {"changed_in_sferum": "on"}).status_code == 404


def test_the_queue_takes_the_same_queries_for_few_and_many_reports(client, class_site, django_assert_num_queries):
    # given
    client.force_login(class_site.admin)
    class_site.departure()

    def grow() -> None:
        for index in range(12):
            student = class_site.world.student("5А", f"Ученик{index}", "Имя")
            change = class_site.departure(student, reason="y")
            if index % 3 == 0:
                roster_change_process(change=change, user=class_site.admin, in_sferum=True, in_roster=True)

    # then
    assert_constant_queries(client, class_site.queue_url(), grow, django_assert_num_queries)


def test_the_students_page_shows_the_history_of_reports(client, class_site):
    # given
    change = roster_change_report_departure(
        school_class=class_site.class_a,
        student=class_site.petr,
        on=date(2026, 11, 13),
        reason="переезд в Казань",
        user=class_site.class_teacher,
    )
    roster_change_process(change=change, user=class_site.admin, in_sferum=True, in_roster=False, note="удалён")
    url = reverse("student-detail", kwargs={"student_id": class_site.petr.pk})
    client.force_login(class_site.admin)
    # when
    response = client.get(url)
    # then
    page = response.content.decode()
    assert "Смирнов Пётр" in page
    assert "переезд в Казань" in page
    assert "Processed" in page and "changed in Sferum" in page


def test_the_students_page_takes_the_same_queries_however_long_the_history(
    client, class_site, django_assert_num_queries
):
    # given
    client.force_login(class_site.admin)
    url = reverse("student-detail", kwargs={"student_id": class_site.petr.pk})
    first = class_site.departure()

    def grow() -> None:
        roster_change_process(change=first, user=class_site.admin, in_sferum=True, in_roster=False)
        RosterChange.objects.filter(pk=first.pk).update(state="confirmed", confirmed_at=NOW, confirmed_source="roster")
        for _ in range(5):
            class_site.departure(reason="y", on=date(2026, 11, 14))
            RosterChange.objects.filter(state="reported").update(
                state="processed", processed_at=NOW, processed_by=class_site.admin
            )
            RosterChange.objects.filter(state="processed").update(
                state="confirmed", confirmed_at=NOW, confirmed_source="sync"
            )

    # then
    assert_constant_queries(client, url, grow, django_assert_num_queries)
