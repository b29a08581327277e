"""What the client's operations return: plain dataclasses, easy to print or put in a DataFrame."""

from dataclasses import dataclass, field as dataclass_field


@dataclass
class PullReport:
    """What a pull did: fields written, fields left for a pending local edit, batches, and the
    cursor reached; `cloned` when it started from nothing."""

    fields: int = 0
    skipped: int = 0
    batches: int = 0
    cursor: int = 0
    compression: str = ""
    cloned: bool = False


@dataclass(frozen=True)
class PushConflict:
    """A pushed change the server found concurrent with another analyst's (PROTOCOL.md §6.2)."""

    conflict_id: str
    entity: str
    row_id: str
    field: str
    yours: object
    standing: object
    standing_analyst: str
    yours_stands: bool


@dataclass
class PushReport:
    pushed: int = 0
    accepted: int = 0
    equal: int = 0
    duplicate: int = 0
    conflicts: list = dataclass_field(default_factory=list)
    pull: object = None


@dataclass(frozen=True)
class Conflict:
    """A conflict record as pull brought it (§6.3)."""

    id: str
    entity: str
    row_id: str
    field: str
    standing_value: object
    standing_analyst: str
    standing_hlc: int
    other_value: object
    other_analyst: str
    other_hlc: int
    status: str
