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
- Account plans (with their objectives, actions and deal links) and satisfaction responses
  follow their account. Coordination requests are seen by whoever sees their account, and by
  the members of the team they are sent to; their comments follow the request.
- Targets: administrators see all, sales managers and read-only users their team's and its
  users', account managers their own and their team's (the team's target, not their
  teammates'), team members none.
- Users, teams, pipelines, products and competitors are a directory every signed-in user reads.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

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
    Contact,
    CoordinationComment,
    CoordinationRequest,
    Lead,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
    PlanAction,
    PlanObjective,
    PlanObjectiveOpportunity,
    SatisfactionResponse,
    Target,
    Team,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.enums import Role

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

    def can_assign_leads_to(self, owner: User) -> bool:
        """Whether the viewer may make ``owner`` the owner of leads: only someone whose leads
        the viewer still sees afterwards (see ``leads``)."""
        viewer = self.viewer
        if viewer is None or not owner.is_active:
            return False
        if self.sees_everything or owner.pk == viewer.pk:
            return True
        return viewer.role == Role.SALES_MANAGER and (
            viewer.team_id is not None and owner.team_id == viewer.team_id
        )

    @cached_property
    def clients(self) -> Q:
        seen = Q(id__in=Subquery(Account.filter(self.accounts).values("client_id")))
        # Internal team members see only the clients of the accounts they were asked about.
        if self.viewer is not None and self.viewer.role == Role.TEAM_MEMBER:
            return seen
        # A client nobody has an account with yet (a prospect being set up) is visible to the
        # sales organisation, so that an account can be opened under it.
        with_accounts = Subquery(Account.all().values("client_id"))
        return seen | ~Q(id__in=with_accounts)

    def condition(self, model: type[Model]) -> Q:
        """What of ``model`` the viewer may read, as a query condition."""
        if self.viewer is None:
            return NOTHING
        if self.sees_everything:
            return Q()
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
            if viewer.role == Role.SALES_MANAGER and viewer.team_id is not None:
                return Q(actor__team_id=viewer.team_id)
            return NOTHING
        if model is ApiKey:
            return Q(user_id=viewer.pk)
        return self._account_work_condition(model)

    def _plan_ids(self) -> Subquery:
        return Subquery(AccountPlan.filter(account_id__in=self._account_ids()).values("id"))

    def _account_work_condition(self, model: type[Model]) -> Q:
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
        return Q()  # the directory: users, teams, pipelines, stages, products, competitors

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
# Internal team members work the coordination requests sent to their team, nothing else
# (which requests, and which of their fields, is decided per request by ``request_sides``).
WORKED_BY_TEAMS: frozenset[type[Model]] = frozenset({CoordinationRequest, CoordinationComment})
