"""The population register: persons, households, residences, identity cards, life events and
the history of every change. The register is the single source of truth about residents."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class DatePrecision(models.TextChoices):
    DAY = "day", "Ngày / Full date"
    MONTH = "month", "Tháng / Month and year"
    YEAR = "year", "Năm / Year only"


class PersonStatus(models.TextChoices):
    ALIVE = "alive", "Còn sống / Alive"
    DECEASED = "deceased", "Đã mất / Deceased"


class Household(models.Model):
    """Hộ gia đình: people registered together at one permanent residence."""

    code = models.CharField("số hộ / household number", max_length=32, unique=True)
    # The only id in page URLs: random, so it tells nothing and cannot be guessed (ADR 9).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    head = models.ForeignKey("Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    commune_code = models.CharField(max_length=10)
    address_line = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # A plain index: PostgreSQL's pattern-ops twin of ``db_index=True`` serves LIKE, which
        # no query uses (migration 0003).
        indexes = [models.Index(fields=["commune_code"], name="household_commune")]

    def __str__(self) -> str:
        return self.code


class Person(models.Model):
    """Công dân: one resident, identified by the 12-digit personal ID (số định danh cá nhân)."""

    personal_id = models.CharField("số định danh cá nhân / personal ID", max_length=12, unique=True)
    # The only id in page URLs: random, so it tells nothing and cannot be guessed (ADR 9).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField("họ và tên / full name", max_length=200)
    surname = models.CharField(max_length=60)
    middle_name = models.CharField(max_length=100, blank=True)
    given_name = models.CharField(max_length=60)
    # Diacritic-insensitive key of the full name (dancu.core.text.fold), for officer search.
    name_key = models.CharField(max_length=200)
    other_names = models.JSONField(default=list, blank=True)
    birth_date = models.DateField("ngày sinh / birth date")
    birth_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    birth_year = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=6, choices=Sex.choices)
    ethnicity = models.CharField("dân tộc / ethnicity", max_length=40, default="Kinh")
    religion = models.CharField("tôn giáo / religion", max_length=60, blank=True)
    nationality = models.CharField("quốc tịch / nationality", max_length=60, default="Việt Nam")
    birthplace = models.CharField("nơi đăng ký khai sinh / birthplace", max_length=300, blank=True)
    hometown = models.CharField("quê quán / home town", max_length=300, blank=True)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    relation_to_head = models.CharField("quan hệ với chủ hộ / relation to head", max_length=40, blank=True)
    # Indexed only where set (Meta.indexes): the index serves the ON DELETE SET NULL of the
    # parent's or spouse's removal, and most persons have no recorded father, mother or spouse.
    father = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    mother = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    spouse = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    status = models.CharField(max_length=8, choices=PersonStatus.choices, default=PersonStatus.ALIVE)
    deceased_on = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=15, blank=True)
    email = models.EmailField(blank=True)
    # The current commune of permanent residence; kept with the person because every officer
    # read checks jurisdiction on it and searches filter by it.
    commune_code = models.CharField(max_length=10, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Fingerprint of the person's values as an import row carries them (see
    # dancu.registry.importing.digest): a re-imported row with the same fingerprint is unchanged
    # without reading the row back. Actions that change those values reset it to NULL, which
    # makes the next import compare field by field.
    import_digest = models.BigIntegerField(null=True, blank=True)
    # The import that created the record (NULL: created by an action). No constraint and no
    # index: bulk loads write it for millions of rows and nothing looks persons up by it.
    created_by_import = models.ForeignKey(
        "ImportBatch",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["name_key", "birth_year"], name="person_name_year"),
            models.Index(fields=["commune_code", "name_key"], name="person_commune_name"),
            models.Index(fields=["father"], name="person_father", condition=models.Q(father__isnull=False)),
            models.Index(fields=["mother"], name="person_mother", condition=models.Q(mother__isnull=False)),
            models.Index(fields=["spouse"], name="person_spouse", condition=models.Q(spouse__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id})"


class FormerIdNumber(models.Model):
    """A number the person was once known by: the 9-digit CMND, a 12-digit CMND, an old card."""

    # No index of its own: the unique constraint (person, number) leads with it (migration 0003).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="former_ids", db_index=False)
    number = models.CharField(max_length=12)
    kind = models.CharField(max_length=16, default="cmnd9")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "number"], name="former_id_unique")]
        indexes = [models.Index(fields=["number"], name="former_id_number")]

    def __str__(self) -> str:
        return self.number


class ResidenceKind(models.TextChoices):
    PERMANENT = "permanent", "Thường trú / Permanent residence"
    TEMPORARY = "temporary", "Tạm trú / Temporary residence"
    CURRENT = "current", "Nơi ở hiện tại / Current residence"


class Residence(models.Model):
    """Nơi cư trú: where a person is registered, from when to when.

    ``commune_code`` is the current (post-2025) commune; ``recorded_unit_code`` keeps the unit
    code exactly as it was given (possibly a pre-2025 commune), never rewritten.
    """

    # No index of its own: residence_person_kind leads with it (migration 0003).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences", db_index=False)
    kind = models.CharField(max_length=10, choices=ResidenceKind.choices)
    province_code = models.CharField(max_length=4)
    commune_code = models.CharField(max_length=10)
    recorded_unit_code = models.CharField(max_length=10, blank=True)
    address_line = models.CharField(max_length=300, blank=True)
    # The era of ``recorded_unit_code`` ("current" or "former": the same code can name different
    # communes in the two) and the unit's name as it was given.
    recorded_unit_era = models.CharField(max_length=7, blank=True)
    recorded_unit_name = models.CharField(max_length=100, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["person", "kind", "is_active"], name="residence_person_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.commune_code}"


class IdentityCard(models.Model):
    """Thẻ căn cước / căn cước công dân: a card issued to a person."""

    class Kind(models.TextChoices):
        CCCD_2021 = "cccd2021", _("Căn cước công dân gắn chíp (2021)")
        CAN_CUOC_2024 = "cancuoc2024", _("Thẻ căn cước (từ 1/7/2024)")
        CMND = "cmnd", _("Chứng minh nhân dân")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cards")
    number = models.CharField(max_length=12)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["number"], name="card_number")]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class LifeEventKind(models.TextChoices):
    BIRTH = "birth", "Khai sinh / Birth"
    DEATH = "death", "Khai tử / Death"
    MARRIAGE = "marriage", "Kết hôn / Marriage"
    DIVORCE = "divorce", "Ly hôn / Divorce"
    RESIDENCE_CHANGE = "residence_change", "Thay đổi thường trú / Change of permanent residence"
    NAME_CHANGE = "name_change", "Thay đổi họ tên / Name change"
    CARD_ISSUED = "card_issued", "Cấp thẻ căn cước / ID card issued"


class LifeEvent(models.Model):
    # No index of its own: lifeevent_person_on leads with it (migration 0003).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="life_events", db_index=False)
    kind = models.CharField(max_length=20, choices=LifeEventKind.choices)
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=dict, blank=True)
    actor_id = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "-occurred_on"], name="lifeevent_person_on")]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class ImportBatch(models.Model):
    """One run of ``dancu registry import``: what file (by content hash), by whom, with what result."""

    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    actor_id = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    households_created = models.PositiveIntegerField(default=0)
    households_updated = models.PositiveIntegerField(default=0)
    # Rows whose unit codes were pre-2025 ones, mapped to their current successor.
    mapped_units = models.PositiveIntegerField(default=0)
    skip_invalid = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["sha256"], name="importbatch_sha256")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"


class PersonChange(models.Model):
    """The history of a person's record: every change with its before and after values.

    Written by the registry's actions in the transaction of the change, next to its audit entry.
    """

    # No index of its own: change_person_at leads with it (migration 0003).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=60)
    actor_id = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["person", "-at"], name="change_person_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class HouseholdChange(models.Model):
    """The history of a household: address, commune or head changes with before and after values."""

    # No index of its own: change_household_at leads with it (migration 0003).
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=60)
    actor_id = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["household", "-at"], name="change_household_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"
