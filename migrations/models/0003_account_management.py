from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import HealthStatus, ObjectiveStatus, PlanStatus, RequestPriority, RequestStatus, SatisfactionKind, TargetMetric
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_credentials')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountPlan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('archived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='plans', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='account_plans', on_delete=OnDelete.RESTRICT)),
                ('period_start', fields.DateField()),
                ('period_end', fields.DateField()),
                ('status', fields.CharEnumField(default=PlanStatus.DRAFT, description='DRAFT: DRAFT\nACTIVE: ACTIVE\nCOMPLETED: COMPLETED', enum_type=PlanStatus, max_length=16)),
                ('revenue_target', fields.DecimalField(null=True, max_digits=18, decimal_places=2)),
                ('currency', fields.CharField(max_length=3)),
                ('summary', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'account_plan', 'app': 'models', 'indexes': [Index(fields=['account_id', 'period_start']), Index(fields=['owner_id', 'period_start']), Index(fields=['status', 'period_start']), Index(fields=['period_start', 'id']), Index(fields=['name', 'id']), Index(fields=['created_at', 'id']), Index(fields=['archived_at'])], 'pk_attr': 'id', 'table_description': 'A plan for one account and period, with a revenue target and objectives.'},
            bases=['ArchivableRecord'],
        ),
        ops.CreateModel(
            name='CoordinationRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('team', fields.ForeignKeyField('models.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='coordination_requests', on_delete=OnDelete.RESTRICT)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='coordination_requests', on_delete=OnDelete.RESTRICT)),
                ('opportunity', fields.ForeignKeyField('models.Opportunity', source_field='opportunity_id', null=True, db_constraint=True, to_field='id', related_name='coordination_requests', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(null=True, unique=False)),
                ('priority', fields.CharEnumField(default=RequestPriority.NORMAL, description='LOW: LOW\nNORMAL: NORMAL\nHIGH: HIGH\nURGENT: URGENT', enum_type=RequestPriority, max_length=8)),
                ('status', fields.CharEnumField(default=RequestStatus.OPEN, description='OPEN: OPEN\nIN_PROGRESS: IN_PROGRESS\nDONE: DONE\nDECLINED: DECLINED', enum_type=RequestStatus, max_length=16)),
                ('requester', fields.ForeignKeyField('models.User', source_field='requester_id', db_constraint=True, to_field='id', related_name='coordination_requests_made', on_delete=OnDelete.RESTRICT)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='coordination_requests_assigned', on_delete=OnDelete.SET_NULL)),
                ('due_date', fields.DateField(null=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'coordination_request', 'app': 'models', 'indexes': [Index(fields=['team_id', 'status', 'due_date']), Index(fields=['account_id', 'status']), Index(fields=['assignee_id', 'status']), Index(fields=['requester_id', 'created_at']), Index(fields=['opportunity_id']), Index(fields=['due_date', 'id']), Index(fields=['priority', 'id']), Index(fields=['created_at', 'id']), Index(fields=['updated_at', 'id'])], 'pk_attr': 'id', 'table_description': 'Help asked of a team (delivery, support, legal, finance, product) about an account.'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='CoordinationComment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('request', fields.ForeignKeyField('models.CoordinationRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
            ],
            options={'table': 'coordination_comment', 'app': 'models', 'indexes': [Index(fields=['request_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A comment on a request, by the requester or the team working it.'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='PlanObjective',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('plan', fields.ForeignKeyField('models.AccountPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='objectives', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='plan_objectives', on_delete=OnDelete.SET_NULL)),
                ('due_date', fields.DateField(null=True)),
                ('status', fields.CharEnumField(default=ObjectiveStatus.NOT_STARTED, description='NOT_STARTED: NOT_STARTED\nON_TRACK: ON_TRACK\nAT_RISK: AT_RISK\nACHIEVED: ACHIEVED\nMISSED: MISSED', enum_type=ObjectiveStatus, max_length=16)),
                ('measure', fields.CharField(null=True, max_length=500)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'plan_objective', 'app': 'models', 'indexes': [Index(fields=['plan_id', 'position']), Index(fields=['owner_id', 'due_date'])], 'pk_attr': 'id', 'table_description': 'What the plan aims at: a title, an owner, a due date, a status and how it is measured.'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='PlanAction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('plan', fields.ForeignKeyField('models.AccountPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.CASCADE)),
                ('objective', fields.ForeignKeyField('models.PlanObjective', source_field='objective_id', null=True, db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=200)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='plan_actions', on_delete=OnDelete.SET_NULL)),
                ('due_date', fields.DateField(null=True)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'plan_action', 'app': 'models', 'indexes': [Index(fields=['plan_id', 'due_date']), Index(fields=['objective_id']), Index(fields=['owner_id', 'due_date'])], 'pk_attr': 'id', 'table_description': 'A step of the plan, optionally towards one objective, done when completed_at is set.'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='PlanObjectiveOpportunity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('objective', fields.ForeignKeyField('models.PlanObjective', source_field='objective_id', db_constraint=True, to_field='id', related_name='opportunity_links', on_delete=OnDelete.CASCADE)),
                ('opportunity', fields.ForeignKeyField('models.Opportunity', source_field='opportunity_id', db_constraint=True, to_field='id', related_name='objective_links', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'plan_objective_opportunity', 'app': 'models', 'unique_together': (('objective_id', 'opportunity_id'),), 'indexes': [Index(fields=['opportunity_id'])], 'pk_attr': 'id', 'table_description': "A deal whose progress counts towards an objective's measure."},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='SatisfactionResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='satisfaction_responses', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='satisfaction_responses', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='NPS: NPS\nCSAT: CSAT', enum_type=SatisfactionKind, max_length=8)),
                ('score', fields.IntField()),
                ('comment', fields.TextField(null=True, unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'satisfaction_response', 'app': 'models', 'indexes': [Index(fields=['account_id', 'kind', 'received_at']), Index(fields=['contact_id']), Index(fields=['received_at', 'id'])], 'pk_attr': 'id', 'table_description': 'One NPS (0..10) or CSAT (1..5) answer about an account, from a contact when known.'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='Target',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.CASCADE)),
                ('team', fields.ForeignKeyField('models.Team', source_field='team_id', null=True, db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.CASCADE)),
                ('period_start', fields.DateField()),
                ('period_end', fields.DateField()),
                ('metric', fields.CharEnumField(default=TargetMetric.REVENUE_WON, description='REVENUE_WON: REVENUE_WON\nDEALS_WON: DEALS_WON\nACTIVITIES_COMPLETED: ACTIVITIES_COMPLETED', enum_type=TargetMetric, max_length=24)),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=2)),
                ('currency', fields.CharField(null=True, max_length=3)),
            ],
            options={'table': 'target', 'app': 'models', 'indexes': [Index(fields=['user_id', 'period_start']), Index(fields=['team_id', 'period_start']), Index(fields=['period_start', 'id'])], 'pk_attr': 'id', 'table_description': 'An amount to reach over a period, for one user or one team, by one metric.'},
            bases=['Record'],
        ),
        ops.AddField(
            model_name='Account',
            name='health_evaluated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Account',
            name='health_score',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Account',
            name='health_status',
            field=fields.CharEnumField(null=True, description='HEALTHY: HEALTHY\nNEEDS_ATTENTION: NEEDS_ATTENTION\nAT_RISK: AT_RISK', enum_type=HealthStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='forecast_commit',
            field=fields.BooleanField(default=False),
        ),
    ]
