"""SQLAlchemy Core tables: the single description of the schema.

Alembic migrations create exactly this (a test compares them). Full-text search
structures that SQLAlchemy cannot describe (SQLite FTS5) live in the migrations.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

# SQLite only aliases ROWID (and so auto-increments) for a plain INTEGER primary key.
Sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def sequence_key() -> sa.Column[int]:
    """The internal, auto-incrementing primary key every table of documents has."""
    return sa.Column("sequence", Sequence, primary_key=True, autoincrement=True)


def owned_by(
    table: str, column: str, *, primary_key: bool = False, index: bool = False
) -> sa.Column[int]:
    """A reference to a row of `table` by its sequence, deleted with that row."""
    reference = sa.ForeignKey(f"{table}.sequence", ondelete="CASCADE")
    return sa.Column(
        column, Sequence, reference, nullable=False, primary_key=primary_key, index=index
    )


def in_project(*, index: bool = False) -> sa.Column[str]:
    """The project a row belongs to, deleted with the project."""
    reference = sa.ForeignKey("projects.id", ondelete="CASCADE")
    return sa.Column("project_id", sa.String(36), reference, nullable=False, index=index)


projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    # Authentication settings (session duration, ...); see rosterd.projects.settings.
    sa.Column("auths", sa.JSON(), nullable=False, server_default="{}"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    in_project(index=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("scopes", sa.JSON(), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("expire", sa.DateTime(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sequence_key(),
    in_project(),
    sa.Column("id", sa.String(36), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("phone", sa.String(16), nullable=True),
    sa.Column("password", sa.Text(), nullable=True),
    sa.Column("hash", sa.String(16), nullable=True),
    sa.Column("hash_options", sa.JSON(), nullable=True),
    sa.Column("password_update", sa.DateTime(), nullable=True),
    sa.Column("password_history", sa.JSON(), nullable=False),
    sa.Column("registration", sa.DateTime(), nullable=False),
    sa.Column("status", sa.Boolean(), nullable=False),
    sa.Column("labels", sa.JSON(), nullable=False),
    sa.Column("email_verification", sa.Boolean(), nullable=False),
    sa.Column("phone_verification", sa.Boolean(), nullable=False),
    sa.Column("email_canonical", sa.String(320), nullable=True),
    sa.Column("email_is_free", sa.Boolean(), nullable=True),
    sa.Column("email_is_disposable", sa.Boolean(), nullable=True),
    sa.Column("email_is_corporate", sa.Boolean(), nullable=True),
    sa.Column("email_is_canonical", sa.Boolean(), nullable=True),
    sa.Column("mfa", sa.Boolean(), nullable=False),
    sa.Column("prefs", sa.JSON(), nullable=False),
    sa.Column("accessed_at", sa.DateTime(), nullable=True),
    sa.Column("impersonator", sa.Boolean(), nullable=False),
    sa.Column("reset", sa.Boolean(), nullable=False),
    sa.Column("search", sa.Text(), nullable=False),
    sa.UniqueConstraint("project_id", "id"),
    sa.UniqueConstraint("project_id", "email"),
    sa.UniqueConstraint("project_id", "phone"),
)

# One index per filterable attribute, ending in the sequence so that keyset
# pagination over (attribute, sequence) is an index range scan.
for _column in (
    "name",
    "email",
    "phone",
    "status",
    "password_update",
    "registration",
    "email_verification",
    "phone_verification",
    "impersonator",
    "accessed_at",
    "created_at",
    "updated_at",
):
    sa.Index(None, users.c.project_id, users.c[_column], users.c.sequence)
#: The default order (and cursors): page 1 and page 20,000 both read 25 index entries.
sa.Index(None, users.c.project_id, users.c.sequence)

user_labels = sa.Table(
    "user_labels",
    metadata,
    owned_by("users", "user_sequence", primary_key=True),
    sa.Column("label", sa.String(36), primary_key=True),
    sa.Index("ix_user_labels_label_user_sequence", "label", "user_sequence"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sequence_key(),
    owned_by("users", "user_sequence"),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("expire", sa.DateTime(), nullable=False),
    sa.Column("provider", sa.String(128), nullable=False),
    sa.Column("provider_uid", sa.String(2048), nullable=False),
    sa.Column("provider_access_token", sa.Text(), nullable=False),
    sa.Column("provider_access_token_expiry", sa.DateTime(), nullable=True),
    sa.Column("provider_refresh_token", sa.Text(), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("ip", sa.String(45), nullable=False),
    sa.Column("user_agent", sa.Text(), nullable=False),
    sa.Column("device", sa.JSON(), nullable=False),
    sa.Column("country_code", sa.String(2), nullable=False),
    sa.Column("factors", sa.JSON(), nullable=False),
    sa.Column("mfa_updated_at", sa.DateTime(), nullable=True),
    sa.Index("ix_sessions_user_sequence_sequence", "user_sequence", "sequence"),
    sa.Index("ix_sessions_secret_hash", "secret_hash"),
)

# Fixed-window counters for abuse limits: one row per (key, window number).
rate_limits = sa.Table(
    "rate_limits",
    metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("window", sa.BigInteger(), primary_key=True),
    sa.Column("hits", sa.Integer(), nullable=False),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sequence_key(),
    owned_by("users", "user_sequence"),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("expire", sa.DateTime(), nullable=False),
    sa.Column("type", sa.SmallInteger(), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("ip", sa.String(45), nullable=False),
    sa.Column("user_agent", sa.Text(), nullable=False),
    # The OAuth2 provider an OAuth2 token was made by ("" for others).
    sa.Column("provider", sa.String(64), nullable=False, server_default=""),
    sa.Index("ix_tokens_user_sequence_secret_hash", "user_sequence", "secret_hash"),
)

# Secrets the server itself needs and every process must share (the JWT signing key).
server_secrets = sa.Table(
    "server_secrets",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

# What happened to users, by whom, from where (reference §8). Rows name users by their
# public id, so a user's history outlives the user.
audit_logs = sa.Table(
    "audit_logs",
    metadata,
    sequence_key(),
    sa.Column("project_id", sa.String(36), nullable=False),
    sa.Column("user_id", sa.String(36), nullable=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("resource", sa.String(255), nullable=False),
    sa.Column("actor_type", sa.String(16), nullable=False),
    sa.Column("actor_id", sa.String(36), nullable=False),
    sa.Column("actor_user_id", sa.String(36), nullable=True),
    sa.Column("actor_email", sa.String(320), nullable=False),
    sa.Column("actor_name", sa.String(128), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("ip", sa.String(45), nullable=False),
    sa.Column("user_agent", sa.Text(), nullable=False),
    sa.Column("time", sa.DateTime(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Index("ix_audit_logs_project_id_user_id_sequence", "project_id", "user_id", "sequence"),
    sa.Index(
        "ix_audit_logs_project_id_actor_user_id_sequence",
        "project_id",
        "actor_user_id",
        "sequence",
    ),
    sa.Index("ix_audit_logs_time", "time"),
)

# Messaging providers, kept minimally: what a target's providerId must name (§2.16).
providers = sa.Table(
    "providers",
    metadata,
    sequence_key(),
    in_project(),
    sa.Column("id", sa.String(36), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("type", sa.String(8), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("project_id", "id"),
)

# Where messages reach a user: an email address, a phone number or a push token.
targets = sa.Table(
    "targets",
    metadata,
    sequence_key(),
    sa.Column("project_id", sa.String(36), nullable=False),
    sa.Column("id", sa.String(36), nullable=False),
    owned_by("users", "user_sequence"),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("name", sa.String(128), nullable=True),
    sa.Column("provider_id", sa.String(36), nullable=True),
    sa.Column("provider_type", sa.String(8), nullable=False),
    sa.Column("identifier", sa.String(255), nullable=False),
    sa.Column("expired", sa.Boolean(), nullable=False),
    sa.UniqueConstraint("project_id", "id"),
    sa.UniqueConstraint("project_id", "identifier"),
    sa.Index("ix_targets_user_sequence_sequence", "user_sequence", "sequence"),
)

# Teams of users (reference §7.7). `total` counts confirmed memberships.
teams = sa.Table(
    "teams",
    metadata,
    sequence_key(),
    in_project(),
    sa.Column("id", sa.String(36), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("total", sa.Integer(), nullable=False),
    sa.Column("prefs", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("search", sa.Text(), nullable=False),
    sa.UniqueConstraint("project_id", "id"),
)

# As for users: one index per filterable attribute, ending in the sequence.
for _column in ("name", "total", "created_at", "updated_at"):
    sa.Index(None, teams.c.project_id, teams.c[_column], teams.c.sequence)

# A user's place in a team. Team id and user id are read through the two sequences.
memberships = sa.Table(
    "memberships",
    metadata,
    sequence_key(),
    sa.Column("project_id", sa.String(36), nullable=False),
    sa.Column("id", sa.String(36), nullable=False),
    owned_by("teams", "team_sequence"),
    owned_by("users", "user_sequence"),
    sa.Column("roles", sa.JSON(), nullable=False),
    sa.Column("invited", sa.DateTime(), nullable=False),
    sa.Column("joined", sa.DateTime(), nullable=True),
    sa.Column("confirm", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("search", sa.Text(), nullable=False),
    sa.UniqueConstraint("project_id", "id"),
    sa.UniqueConstraint("team_sequence", "user_sequence"),
)

# A team may have millions of members: each filterable attribute is indexed behind the
# team. A user belongs to few teams: their memberships are found by the user alone.
for _column in ("invited", "joined", "confirm", "created_at", "updated_at"):
    sa.Index(None, memberships.c.team_sequence, memberships.c[_column], memberships.c.sequence)
sa.Index(None, memberships.c.team_sequence, memberships.c.sequence)
sa.Index(None, memberships.c.user_sequence, memberships.c.sequence)

# The roles of each membership as rows, for `contains` queries (as user_labels).
membership_roles = sa.Table(
    "membership_roles",
    metadata,
    owned_by("memberships", "membership_sequence", primary_key=True),
    sa.Column("role", sa.String(81), primary_key=True),
    sa.Index("ix_membership_roles_role_membership_sequence", "role", "membership_sequence"),
)

# A user's TOTP authenticator (one of each type per user). The secret is encrypted
# (rosterd.mfa.service.SecretBox): the server must read it back to check codes.
authenticators = sa.Table(
    "authenticators",
    metadata,
    sequence_key(),
    owned_by("users", "user_sequence"),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("verified", sa.Boolean(), nullable=False),
    sa.Column("secret", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("user_sequence", "type"),
)

# Open MFA challenges; the code is encrypted (custom codes are read back by the Users API).
challenges = sa.Table(
    "challenges",
    metadata,
    sequence_key(),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    owned_by("users", "user_sequence", index=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("code", sa.Text(), nullable=False),
    sa.Column("expire", sa.DateTime(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

# A user's MFA recovery codes: one encrypted JSON array per user (Appwrite shows them again).
recovery_codes = sa.Table(
    "recovery_codes",
    metadata,
    owned_by("users", "user_sequence", primary_key=True),
    sa.Column("codes", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)

# A user's link to an account at an OAuth2 provider (reference §3.8). The provider's
# tokens are encrypted (rosterd.mfa.service.SecretBox): the server must read them back.
identities = sa.Table(
    "identities",
    metadata,
    sequence_key(),
    in_project(),
    sa.Column("id", sa.String(36), nullable=False),
    owned_by("users", "user_sequence"),
    sa.Column("provider", sa.String(128), nullable=False),
    sa.Column("provider_uid", sa.String(2048), nullable=False),
    sa.Column("provider_email", sa.String(320), nullable=False),
    sa.Column("provider_access_token", sa.Text(), nullable=False),
    sa.Column("provider_access_token_expiry", sa.DateTime(), nullable=True),
    sa.Column("provider_refresh_token", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("project_id", "id"),
    sa.UniqueConstraint("project_id", "provider", "provider_uid"),
)

# Identities are listed project-wide: each filterable attribute is indexed behind the
# project, ending in the sequence. A user's identities are found by the user alone.
for _column in (
    "provider",
    "provider_uid",
    "provider_email",
    "provider_access_token_expiry",
    "created_at",
    "updated_at",
):
    sa.Index(None, identities.c.project_id, identities.c[_column], identities.c.sequence)
sa.Index(None, identities.c.project_id, identities.c.sequence)
sa.Index(None, identities.c.user_sequence, identities.c.sequence)

# Where a project's web pages live: the allow-list of redirect targets after OAuth2.
platforms = sa.Table(
    "platforms",
    metadata,
    in_project(),
    sa.Column("hostname", sa.String(256), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("project_id", "hostname"),
)

# A project's OAuth2 providers; the client secret is encrypted.
oauth_providers = sa.Table(
    "oauth_providers",
    metadata,
    in_project(),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("client_id", sa.String(512), nullable=False),
    sa.Column("client_secret", sa.Text(), nullable=False),
    sa.Column("endpoints", sa.JSON(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("project_id", "provider"),
)

# OAuth2 sign-ins under way, between the redirect to the provider and its callback: found
# by the SHA-256 of the `state` sent, used once. The PKCE verifier is encrypted.
oauth_states = sa.Table(
    "oauth_states",
    metadata,
    sa.Column("state_hash", sa.String(64), primary_key=True),
    in_project(),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("success", sa.Text(), nullable=False),
    sa.Column("failure", sa.Text(), nullable=False),
    sa.Column("token", sa.Boolean(), nullable=False),
    sa.Column("scopes", sa.JSON(), nullable=False),
    sa.Column("code_verifier", sa.Text(), nullable=False),
    sa.Column("nonce", sa.String(64), nullable=False),
    # The redirect URI the provider was given, and the SHA-256 of the value of the cookie
    # the browser that started the sign-in got (the callback must come from it).
    sa.Column("redirect_uri", sa.Text(), nullable=False, server_default=""),
    sa.Column("browser_hash", sa.String(64), nullable=False, server_default=""),
    sa.Column(
        "user_sequence",
        Sequence,
        sa.ForeignKey("users.sequence", ondelete="CASCADE"),
        nullable=True,
    ),
    sa.Column("expire", sa.DateTime(), nullable=False, index=True),
)

# Runs of `rosterd users import`: how far each got, for `--resume`. Updated in the same
# transaction as each batch it imports.
import_runs = sa.Table(
    "import_runs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    in_project(index=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("position", sa.BigInteger(), nullable=False),
    sa.Column("report_offset", sa.BigInteger(), nullable=False),
    sa.Column("counts", sa.JSON(), nullable=False),
    sa.Column("started_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("finished_at", sa.DateTime(), nullable=True),
)
