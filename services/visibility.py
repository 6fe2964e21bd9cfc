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
- Internal team members see what their team's coordination requests concern (none yet).
- Users, teams, pipelines, products and competitors are a directory every signed-in user reads.
"""

from dataclasses import dataclass, field
from functools import cached_property

from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from models import (
    Account,
    AccountTeamMember,
    Activity,
    ApiKey,
    AuditLogEntry,
    Client,
    Contact,
    Lead,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.enums import Role

NOTHING = Q(pk__in=[])


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
        if viewer is None or viewer.role == Role.TEAM_MEMBER:
            return NOTHING
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

    @cached_property
    def clients(self) -> Q:
        # A client nobody has an account with yet (a prospect being set up) is visible to the
        # sales organisation, so that an account can be opened under it.
        with_accounts = Subquery(Account.all().values("client_id"))
        return Q(id__in=Subquery(Account.filter(self.accounts).values("client_id"))) | ~Q(
            id__in=with_accounts
        )

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
        if model in (WebhookEndpoint, WebhookDelivery, WebhookAttempt):
            return self._webhooks(model)
        return Q()  # the directory: users, teams, pipelines, stages, products, competitors

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
        if viewer.role in (Role.ACCOUNT_MANAGER, Role.SALES_MANAGER):
            return model in WORKED_BY_SALES
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
        WebhookEndpoint,
    }
)
