import sqlalchemy as sa

from bridge.store import crm, users


def test_users_and_types(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        users.create_user(conn, "alice", "pw", name="Alice", email="a@example.com")
        assert users.check_credentials(conn, "alice", "pw") is not None
        assert users.check_credentials(conn, "alice", "nope") is None
        assert set(crm.list_activity_types(conn)) >= {"call", "task"}
