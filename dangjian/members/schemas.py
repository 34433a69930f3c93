from datetime import date

from ninja import Schema
from pydantic import ConfigDict, Field


class MemberIn(Schema):
    org_id: int
    name: str = Field(max_length=200)
    gender: str | None = None
    ethnicity: str = "汉族"
    birth_date: date | None = None
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)
    education: str = ""
    degree: str = ""
    occupation: str = Field("", max_length=200)
    unit_name: str = Field("", max_length=200)
    address: str = Field("", max_length=400)
    stage: str = "full"
    applied_on: date | None = None
    joined_on: date | None = None
    full_on: date | None = None
    work_started_on: date | None = None
    party_group_id: int | None = None
    in_hardship: bool = False
    is_retired: bool = False
    is_cadre: bool = False
    is_exempt: bool = False
    notes: str = Field("", max_length=1000)


class MemberPatch(Schema):
    model_config = ConfigDict(extra="forbid")  # an unknown field (e.g. org_id) is refused, not ignored

    name: str | None = Field(None, max_length=200)
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=40)
    education: str | None = None
    degree: str | None = None
    occupation: str | None = Field(None, max_length=200)
    unit_name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=400)
    stage: str | None = None
    applied_on: date | None = None
    joined_on: date | None = None
    full_on: date | None = None
    work_started_on: date | None = None
    party_group_id: int | None = None
    in_hardship: bool | None = None
    is_retired: bool | None = None
    is_cadre: bool | None = None
    is_exempt: bool | None = None
    notes: str | None = Field(None, max_length=1000)
    # Optimistic locking: the `version` of the record the client last read; a change made meanwhile gives 409.
    version: str | None = Field(None, max_length=40)


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    ethnicity: str
    birth_date: date
    id_number: str  # masked unless revealed
    phone: str
    education: str
    degree: str
    occupation: str
    unit_name: str
    stage: str
    status: str
    org_id: int
    org_name: str
    party_group_id: int | None
    applied_on: date | None
    joined_on: date | None
    full_on: date | None
    work_started_on: date | None
    party_years: int | None
    in_hardship: bool
    is_retired: bool
    is_cadre: bool
    is_exempt: bool
    is_veteran: bool
    version: str = ""


class AccountIn(Schema):
    username: str = Field(max_length=200)
    password: str = Field(max_length=200)


class AccountOut(Schema):
    username: str
    member_id: int


class ExternalIn(Schema):
    org_name: str = Field(max_length=200)
    letter_no: str = Field("", max_length=50)
    cross_province: bool = False


class TransferIn(Schema):
    member_id: int
    to_org_id: int | None = None
    to_external: ExternalIn | None = None
    reason: str = Field("", max_length=200)
    letter_no: str = Field("", max_length=50)


class TransferInbound(Schema):
    """A member arriving from outside the system (their record is created on arrival)."""
    to_org_id: int
    from_org_name: str = Field(max_length=200)
    letter_no: str = Field("", max_length=50)
    member: MemberIn


class TransferOut(Schema):
    id: int
    member_id: int
    member_name: str
    direction: str
    from_org_id: int | None
    to_org_id: int | None
    external_org_name: str
    letter_no: str
    issued_on: date
    report_by: date
    state: str
    overdue: bool


class RejectIn(Schema):
    reason: str = Field(max_length=200)


class MobileIn(Schema):
    member_id: int
    direction: str
    place: str = Field(max_length=200)
    since: date
    contact: str = Field("", max_length=100)
    host_org_name: str = Field("", max_length=200)
    certificate_no: str = Field("", max_length=50)


class MobileOut(Schema):
    id: int
    member_id: int
    member_name: str
    direction: str
    place: str
    since: date
    contact: str
    host_org_name: str
    last_contact_on: date | None
    ended_on: date | None
    contact_stale: bool


class DisposalIn(Schema):
    member_id: int
    kind: str
    reason: str = Field(max_length=500)
    decided_on: date
    deadline: date | None = None
    outcome: str = Field("", max_length=200)


class DisposalOut(Schema):
    id: int
    member_id: int
    member_name: str
    kind: str
    reason: str
    decided_on: date
    deadline: date | None
    outcome: str
    state: str


class ChangeRequestIn(Schema):
    field: str
    new_value: str = Field(max_length=200)
    reason: str = Field("", max_length=200)


class ChangeRequestOut(Schema):
    id: int
    member_id: int
    field: str
    old_value: str
    new_value: str
    state: str


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)
