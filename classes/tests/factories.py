"""factory_boy factories of the roster."""

from datetime import date
from decimal import Decimal

import factory

from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Municipality
from classes.models import Parent
from classes.models import Quarter
from classes.models import Region
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from classes.models import Student
from classes.models import TeachingAssignment
from classes.models import User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.Sequence(lambda n: f"Регион {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"M{n:03d}")
    name = factory.Sequence(lambda n: f"Муниципалитет {n}")
    staff_target = Decimal("1.0")
    students_target = Decimal("0.9")
    parents_target = Decimal("0.9")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ["code"]

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"SCH{n:03d}")
    full_name = factory.Sequence(lambda n: f"МАОУ СОШ № {n}")
    short_name = factory.Sequence(lambda n: f"СОШ № {n}")


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/2027"
    starts_on = date(2026, 9, 1)
    ends_on = date(2027, 8, 31)


class QuarterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quarter

    year = factory.SubFactory(AcademicYearFactory)
    number = 1
    starts_on = factory.SelfAttribute("year.starts_on")  # the first quarter opens the year
    ends_on = date(2026, 10, 24)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    school = factory.SubFactory(SchoolFactory)
    person_id = factory.Sequence(lambda n: f"T-{n:04d}")
    last_name = factory.Iterator(["Иванова", "Петров", "Сидорова", "Кузнецов", "Смирнова"])
    first_name = factory.Iterator(["Мария", "Иван", "Анна", "Сергей", "Ольга"])
    patronymic = factory.Iterator(["Петровна", "Сергеевич", "Ивановна", "Андреевич", "Игоревна"])
    position = "учитель"
    teaches = True
    employed_from = date(2020, 9, 1)


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    year = factory.LazyAttribute(lambda o: AcademicYearFactory(school=o.school))
    grade = 5
    letter = factory.Iterator(["А", "Б", "В", "Г"])


class TeachingAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingAssignment

    school_class = factory.SubFactory(SchoolClassFactory)
    staff = factory.LazyAttribute(lambda o: StaffFactory(school=o.school_class.school))
    subject = "математика"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    person_id = factory.Sequence(lambda n: f"S-{n:05d}")
    last_name = factory.Iterator(["Смирнов", "Орлова", "Волков", "Зайцева"])
    first_name = factory.Iterator(["Пётр", "Анна", "Дмитрий", "Ксения"])
    patronymic = "Алексеевич"
    birth_date = date(2015, 3, 12)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    school_class = factory.SubFactory(SchoolClassFactory)
    student = factory.LazyAttribute(lambda o: StudentFactory(school=o.school_class.school))
    starts_on = date(2026, 9, 1)


class ParentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parent
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    person_id = factory.Sequence(lambda n: f"P-{n:05d}")
    last_name = factory.Iterator(["Смирнова", "Орлов", "Волкова"])
    first_name = factory.Iterator(["Ольга", "Игорь", "Елена"])
    patronymic = "Игоревна"

    @factory.post_generation
    def children(self, create, extracted, **kwargs):
        if create and extracted:
            self.children.set(extracted)


class StaffAbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAbsence

    staff = factory.SubFactory(StaffFactory)
    kind = StaffAbsence.Kind.SICK
    starts_on = date(2026, 11, 16)
    ends_on = date(2026, 11, 20)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pass-word-123")
