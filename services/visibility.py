"""Who may see what: the one place that turns a viewer into query conditions.

Every read path applies it: top-level lists, nested lists, lookups by id (``node``,
``nodes``, ``<entity>(id:)``), relations, counts, and the ids a mutation refers to. A record
outside the viewer's sight is treated exactly like one that does not exist.

- Administrators see everything.
- Account managers see the accounts they own or are on the account team of, and everything
  under those accounts: the client and its contacts, the deals, their history and the
  activity; and the leads they own.
- Sales managers and read-only users see what their team sees: accounts owned by, or with
  on their team, anyone of their team, and the team's leads.
- Internal team members see what their team's coordination requests concern: the accounts
  those requests (in any status) are about, with their client, contacts, deals and activity,
  read-only; and the requests sent to their team, which they work.
- Clients nobody has an account with yet (prospects) belong to the sales team that created
  them (``Client.team``): its members see them, with their contacts and activity, and work
  them; other teams do not. A prospect with no known team is seen by administrators only.
  Once an account is opened under a client, the client is seen through its accounts. Other
  teams learn at most that a domain is taken: a domain is unique across the organisation, so
  creating a client (or converting a lead) with a domain a hidden client holds is refused
  with the same message whoever holds it, naming neither that client nor its state.
- Account plans (with their objectives, actions and deal links) and satisfaction responses
  follow their account. Coordination requests are seen by whoever sees their account, and by
  the members of the team they are sent to; their comments follow the request.
- Targets: administrators see all, sales managers and read-only users their team's and its
  users', account managers their own and their team's (the team's target, not their
  teammates'), team members none.
- Users, teams, pipelines, products and competitors are a directory every signed-in user reads.
- The audit log: an entry is seen by whoever may see the record it describes; entries about
  users, teams and webhook endpoints (and about records since deleted) by administrators only.
- Everything else (a model with no rule here: tokens, sign-in attempts, the outbox, and any
  model added later until it gets one) is seen by administrators only.

Who may be made the owner of a record (a lead's, account's, deal's, activity's or account
plan's owner, the owner of a converted lead's account and deal, of imported leads): an active
user, and only yourself; anyone of your team if you are a sales manager; anyone if you are an
administrator. So nobody puts work into, or credits a deal to, someone whose records they do
not see. (A coordination request's assignee follows its own rule: an active member of the team
asked. The owners of a plan's objectives and actions name who does a piece of the plan,
possibly someone of an internal team, and need only be active.)
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from models import (
    Account,
    AccountPlan,
    AccountTeamMember,
    Activity,
    ApiKey,
    AuditLogEntry,
    Client,
    Competitor,
    Contact,
    CoordinationComment,
    CoordinationRequest,
    Lead,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
    Pipeline,
    PlanAction,
    PlanObjective,
    PlanObjectiveOpportunity,
    Product,
    SatisfactionResponse,
    Stage,
    Target,
    Team,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.enums import Role
from services.errors import DomainError, ErrorCode, Problem

NOTHING = Q(pk__in=[])


class RequestSide(StrEnum):
    """Who works a coordination request: the sales side that asked, or the team asked."""

    REQUESTER = "REQUESTER"
    TEAM = "TEAM"


@dataclass
class Visibility:
    """The conditions one viewer's reads are held to. ``viewer`` None sees nothing."""

    viewer: User | None
    _cache: dict[type[Model], Q] = field(default_factory=dict)

    @property
    def sees_everything(self) -> bool:
        return self.viewer is not None and self.viewer.role == Role.ADMIN

    @property
    def _team_wide(self) -> bool:
        return self.viewer is not None and self.viewer.role in (Role.SALES_MANAGER, Role.VIEWER)

    @cached_property
    def accounts(self) -> Q:
        viewer = self.viewer
        if viewer is None:
            return NOTHING
        if viewer.role == Role.TEAM_MEMBER:
            if viewer.team_id is None:
                return NOTHING
            asked = CoordinationRequest.filter(team_id=viewer.team_id).values("account_id")
            return Q(id__in=Subquery(asked))
        if self._team_wide:
            if viewer.team_id is None:
                return Q(owner_id=viewer.pk)
            on_team = AccountTeamMember.filter(user__team_id=viewer.team_id).values("account_id")
            return Q(owner__team_id=viewer.team_id) | Q(id__in=Subquery(on_team))
        member_of = AccountTeamMember.filter(user_id=viewer.pk).values("account_id")
        return Q(owner_id=viewer.pk) | Q(id__in=Subquery(member_of))

    def _account_ids(self) -> Subquery:
        return Subquery(Account.filter(self.accounts).values("id"))

    @cached_property
    def leads(self) -> Q:
        viewer = self.viewer
        if viewer is None or viewer.role == Role.TEAM_MEMBER:
            return NOTHING
        if self._team_wide and viewer.team_id is not None:
            return Q(owner__team_id=viewer.team_id)
        return Q(owner_id=viewer.pk)

    def can_assign_to(self, owner: User) -> bool:
        """Whether the viewer may make ``owner`` the owner of a record (see the module's
        assignment rule): themselves; their team as a sales manager; anyone as an
        administrator; never an inactive user."""
        viewer = self.viewer
        if viewer is None or not viewer.is_active or not owner.is_active:
            return False
        if self.sees_everything or owner.pk == viewer.pk:
            return True
        return viewer.role == Role.SALES_MANAGER and (
            viewer.team_id is not None and owner.team_id == viewer.team_id
        )

    @staticmethod
    def can_be_request_assignee(user: User, team_id: int | None) -> bool:
        """Whether ``user`` may be the assignee of a coordination request sent to ``team_id``:
        an active member of that team (whoever of either side assigns it)."""
        return user.is_active and team_id is not None and user.team_id == team_id

    def assignment_refusal(self, owner: User) -> str:
        """Why ``can_assign_to(owner)`` is False, said so that the caller knows what to do."""
        viewer = self.viewer
        if not owner.is_active:
            return f"{owner.name} is not an active user; choose an active one"
        if viewer is not None and viewer.role == Role.SALES_MANAGER and viewer.team_id:
            return (
                f"{owner.name} is not on your team; give it to yourself or to a member of your team"
            )
        return "you may give it only to yourself; leave the owner out to own it yourself"

    @cached_property
    def clients(self) -> Q:
        seen = Q(id__in=Subquery(Account.filter(self.accounts).values("client_id")))
        viewer = self.viewer
        # Internal team members see only the clients of the accounts they were asked about.
        if viewer is None or viewer.role == Role.TEAM_MEMBER or viewer.team_id is None:
            return seen
        # A client nobody has an account with yet (a prospect being set up) is seen by the
        # sales team it belongs to, so that the team can open an account under it.
        with_accounts = Subquery(Account.all().values("client_id"))
        return seen | (~Q(id__in=with_accounts) & Q(team_id=viewer.team_id))

    def condition(self, model: type[Model]) -> Q:
        """What of ``model`` the viewer may read, as a query condition."""
        if self.viewer is None:
            return NOTHING
        if self.sees_everything:
            return Q()
        if model not in RULED:
            return NOTHING  # fail closed: a model nobody wrote a rule for
        if model not in self._cache:
            self._cache[model] = self._condition(model)
        return self._cache[model]

    def _condition(self, model: type[Model]) -> Q:
        viewer = self.viewer
        assert viewer is not None
        if model is Account:
            return self.accounts
        if model is Client:
            return self.clients
        if model is Contact:
            return Q(client_id__in=Subquery(Client.filter(self.clients).values("id")))
        if model is Lead:
            return self.leads
        if model in (Opportunity, AccountTeamMember):
            return Q(account_id__in=self._account_ids())
        if model in (OpportunityStageChange, OpportunityLineItem, OpportunityCompetitor):
            deals = Opportunity.filter(account_id__in=self._account_ids()).values("id")
            return Q(opportunity_id__in=Subquery(deals))
        if model is Activity:
            return (
                Q(account_id__in=self._account_ids())
                | Q(
                    account_id__isnull=True,
                    lead_id__in=Subquery(Lead.filter(self.leads).values("id")),
                )
                | Q(
                    account_id__isnull=True,
                    client_id__in=Subquery(Client.filter(self.clients).values("id")),
                )
            )
        if model is AuditLogEntry:
            return self._audit_log()
        if model is ApiKey:
            return Q(user_id=viewer.pk)
        return self._plans_requests_and_targets_condition(model)

    def _plan_ids(self) -> Subquery:
        return Subquery(AccountPlan.filter(account_id__in=self._account_ids()).values("id"))

    def _plans_requests_and_targets_condition(self, model: type[Model]) -> Q:
        """Plans, satisfaction, coordination requests and targets."""
        viewer = self.viewer
        assert viewer is not None
        if model in (AccountPlan, SatisfactionResponse):
            return Q(account_id__in=self._account_ids())
        if model in (PlanObjective, PlanAction):
            return Q(plan_id__in=self._plan_ids())
        if model is PlanObjectiveOpportunity:
            objectives = PlanObjective.filter(plan_id__in=self._plan_ids()).values("id")
            return Q(objective_id__in=Subquery(objectives))
        if model is CoordinationRequest:
            return self.coordination_requests
        if model is CoordinationComment:
            requests = CoordinationRequest.filter(self.coordination_requests).values("id")
            return Q(request_id__in=Subquery(requests))
        if model is Target:
            return self.targets
        if model in (WebhookEndpoint, WebhookDelivery, WebhookAttempt):
            return self._webhooks(model)
        return Q() if model in DIRECTORY else NOTHING

    def _audit_log(self) -> Q:
        """Entries about records the viewer sees (never users, teams or webhook endpoints)."""
        described = []
        for model in AUDIT_FOLLOWS_RECORD:
            condition = self.condition(model)
            if condition is NOTHING:
                continue
            seen = Q(record_type=model.__name__)
            if condition.children or condition.filters:
                seen &= Q(record_id__in=Subquery(model.filter(condition).values("id")))
            described.append(seen)
        return Q(*described, join_type="OR") if described else NOTHING

    @cached_property
    def coordination_requests(self) -> Q:
        viewer = self.viewer
        if viewer is None:
            return NOTHING
        if self.sees_everything:
            return Q()
        sent_to_team = Q(team_id=viewer.team_id) if viewer.team_id is not None else NOTHING
        return Q(account_id__in=self._account_ids()) | sent_to_team

    @cached_property
    def targets(self) -> Q:
        viewer = self.viewer
        if viewer is None:
            return NOTHING
        if self.sees_everything:
            return Q()
        if self._team_wide:
            if viewer.team_id is None:
                return Q(user_id=viewer.pk)
            return Q(team_id=viewer.team_id) | Q(user__team_id=viewer.team_id)
        if viewer.role == Role.ACCOUNT_MANAGER:
            if viewer.team_id is None:
                return Q(user_id=viewer.pk)
            return Q(user_id=viewer.pk) | Q(team_id=viewer.team_id)
        return NOTHING

    def may_set_target_for(self, *, user: User | None, team: Team | None) -> bool:
        """Administrators set anyone's targets; sales managers their team's and its users'."""
        viewer = self.viewer
        if viewer is None or not self.can_write(Target):
            return False
        if self.sees_everything:
            return True
        team_id = team.pk if team is not None else user.team_id if user is not None else None
        return viewer.team_id is not None and team_id == viewer.team_id

    async def request_sides(self, request: CoordinationRequest) -> frozenset[RequestSide]:
        """On which side(s) of ``request`` the viewer works it.

        The requester's side is the sales organisation that may write the account (and
        administrators); the team's side is the members of the team the request is sent to.
        """
        viewer = self.viewer
        if viewer is None or not viewer.is_active:
            return frozenset()
        sides = set()
        if viewer.role in (Role.ADMIN, Role.ACCOUNT_MANAGER, Role.SALES_MANAGER) and (
            self.sees_everything
            or await Account.filter(self.accounts, pk=request.account_id).exists()
        ):
            sides.add(RequestSide.REQUESTER)
        if viewer.team_id == request.team_id and viewer.role != Role.VIEWER:
            sides.add(RequestSide.TEAM)
        return frozenset(sides)

    def _webhooks(self, model: type[Model]) -> Q:
        """Sales roles manage their own webhook endpoints; others have none."""
        viewer = self.viewer
        if viewer is None or viewer.role not in (Role.ACCOUNT_MANAGER, Role.SALES_MANAGER):
            return NOTHING
        if model is WebhookEndpoint:
            return Q(owner_id=viewer.pk)
        own = Subquery(WebhookEndpoint.filter(owner_id=viewer.pk).values("id"))
        if model is WebhookDelivery:
            return Q(endpoint_id__in=own)
        deliveries = WebhookDelivery.filter(endpoint_id__in=own).values("id")
        return Q(delivery_id__in=Subquery(deliveries))

    def can_write(self, model: type[Model]) -> bool:
        """Whether the viewer's role may change records of ``model`` that it can see."""
        viewer = self.viewer
        if viewer is None or not viewer.is_active:
            return False
        if viewer.role == Role.ADMIN:
            return True
        if viewer.role == Role.SALES_MANAGER and model is Target:
            return True
        if viewer.role in (Role.ACCOUNT_MANAGER, Role.SALES_MANAGER):
            return model in WORKED_BY_SALES
        if viewer.role == Role.TEAM_MEMBER:
            return model in WORKED_BY_TEAMS
        return False


# What account managers and sales managers change in their daily work; the rest (users,
# teams, pipelines, products, competitors) is administration.
WORKED_BY_SALES: frozenset[type[Model]] = frozenset(
    {
        Account,
        AccountTeamMember,
        Activity,
        Client,
        Contact,
        Lead,
        Opportunity,
        OpportunityCompetitor,
        OpportunityLineItem,
        AccountPlan,
        PlanObjective,
        PlanAction,
        PlanObjectiveOpportunity,
        SatisfactionResponse,
        CoordinationRequest,
        CoordinationComment,
        WebhookEndpoint,
    }
)
# The directory every signed-in user reads.
DIRECTORY: frozenset[type[Model]] = frozenset({User, Team, Pipeline, Stage, Product, Competitor})
# Models whose audit entries are seen by whoever sees the record; entries about users, teams
# and webhook endpoints are for administrators.
AUDIT_FOLLOWS_RECORD: tuple[type[Model], ...] = (
    Account,
    AccountTeamMember,
    Activity,
    ApiKey,
    Client,
    Contact,
    Lead,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
    AccountPlan,
    PlanObjective,
    PlanAction,
    PlanObjectiveOpportunity,
    SatisfactionResponse,
    CoordinationRequest,
    CoordinationComment,
    Target,
    Pipeline,
    Stage,
    Product,
    Competitor,
)
# Every model a rule above speaks of; any other is seen by administrators only.
RULED: frozenset[type[Model]] = (
    DIRECTORY
    | frozenset(AUDIT_FOLLOWS_RECORD)
    | frozenset({AuditLogEntry, WebhookEndpoint, WebhookDelivery, WebhookAttempt})
)
# Internal team members work the coordination requests sent to their team, nothing else
# (which requests, and which of their fields, is decided per request by ``request_sides``).
WORKED_BY_TEAMS: frozenset[type[Model]] = frozenset({CoordinationRequest, CoordinationComment})


# The fields of each model that name the user a record belongs to: the assignment rule
# (``Visibility.can_assign_to``) holds for each of them, whichever path sets it.
OWNER_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Lead: ("owner_id",),
    Account: ("owner_id",),
    Opportunity: ("owner_id",),
    Activity: ("owner_id",),
    AccountPlan: ("owner_id",),
}


async def assignment_problems(
    model: type[Model],
    values: Mapping[str, Any],
    *,
    actor_id: int | None,
    existing: Model | None = None,
) -> list[Problem]:
    """The owner-like values of ``values`` that the actor may not assign.

    ``actor_id`` None is the system (command line, demo data), which assigns anyone. A value
    equal to the existing one is no new assignment; an unknown user is left to the reference
    check, which answers NOT_FOUND.
    """
    names = [
        name
        for name in OWNER_FIELDS.get(model, ())
        if values.get(name) is not None
        and (existing is None or getattr(existing, name) != values[name])
    ]
    if actor_id is None or not names:
        return []
    visibility = Visibility(await User.get_or_none(pk=actor_id))
    owners = {user.pk: user for user in await User.filter(pk__in=[values[n] for n in names])}
    problems = []
    for name in names:
        owner = owners.get(values[name])
        if owner is not None and not visibility.can_assign_to(owner):
            problems.append(
                Problem(visibility.assignment_refusal(owner), ErrorCode.FORBIDDEN, (name,))
            )
    return problems


async def ensure_may_assign(
    model: type[Model],
    values: Mapping[str, Any],
    *,
    actor_id: int | None,
    existing: Model | None = None,
) -> None:
    """Refuse (DomainError, FORBIDDEN on the field) an owner the actor may not assign."""
    problems = await assignment_problems(model, values, actor_id=actor_id, existing=existing)
    if problems:
        raise DomainError(problems)
