"""accounts tables: users, API keys, web sessions, broker credentials and tokens, IP bans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("totp_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=False),
        sa.Column("password_changed_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("key_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("api_keys"),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("user_id", name="uq_api_keys_user_id"),
        sa.UniqueConstraint("key_digest", name="uq_api_keys_key_digest"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_digest", sa.String(64), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(256), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("web_sessions"),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.UniqueConstraint("session_digest", name="uq_web_sessions_session_digest"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "broker_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("secrets_encrypted", sa.Text(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("broker_credentials"),
        sa.PrimaryKeyConstraint("id", name="pk_broker_credentials"),
        sa.UniqueConstraint("user_id", "broker", name="uq_broker_credentials_user_id"),
    )
    op.create_index("ix_broker_credentials_user_id", "broker_credentials", ["user_id"])
    op.create_table(
        "broker_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("broker_user_id", sa.String(64), nullable=False),
        sa.Column("access_token_encrypted", sa.Text(), nullable=False),
        sa.Column("feed_token_encrypted", sa.Text(), nullable=True),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("broker_tokens"),
        sa.PrimaryKeyConstraint("id", name="pk_broker_tokens"),
        sa.UniqueConstraint("user_id", "broker", name="uq_broker_tokens_user_id"),
    )
    op.create_index("ix_broker_tokens_user_id", "broker_tokens", ["user_id"])
    op.create_table(
        "ip_bans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("expires_at", TZ, nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ip_bans"),
        sa.UniqueConstraint("ip", name="uq_ip_bans_ip"),
    )
    op.create_table(
        "instance_setup",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("completed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instance_setup"),
    )


def downgrade() -> None:
    for table in ("instance_setup", "ip_bans", "broker_tokens", "broker_credentials", "web_sessions", "api_keys", "users"):
        op.drop_table(table)
