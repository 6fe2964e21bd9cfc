"""What an import did: counts, and each rejected row with the reasons an account manager
can act on."""

from dataclasses import dataclass, field

from services.errors import ErrorCode


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was not imported. ``field`` is the lead field (``person_name``),
    ``column`` the header of the file column it came from."""

    message: str
    code: ErrorCode
    field: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class RejectedRow:
    """A row left out of the import, with its cells as read so it can be fixed and sent again."""

    number: int
    cells: tuple[str, ...]
    problems: tuple[RowProblem, ...]


@dataclass
class ImportReport:
    """Every data row is counted once as created, updated, unchanged or rejected.

    ``duplicates`` counts the rows whose email an earlier row of the file already had: they
    apply over that row (the later row wins) and are counted as updated or unchanged.
    """

    header: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    total_rows: int
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    batches: int = 0
    rejected_rows: list[RejectedRow] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Rows handled so far."""
        return self.created + self.updated + self.unchanged + self.rejected
