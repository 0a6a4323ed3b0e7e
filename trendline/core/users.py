"""The workspace's users: a name and a scrypt hash of the password (hashlib.scrypt, a
16-byte random salt per user). The parameters are stored beside each hash, so raising them
later leaves older hashes verifiable. N=2**15, r=8, p=1 takes 32 MiB and 0.37 s a hash
on the 2-core test machine (measured under load)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa

from trendline.core import schema

N, R, P = 2**15, 8, 1
PARAMS = f"scrypt:n={N},r={R},p={P}"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8  # characters
MAX_PASSWORD = 1024  # characters: longer is refused before it is hashed
_DUMMY_SALT = secrets.token_bytes(16)  # an unknown name costs a hash too (no timing tell)


class UserError(ValueError):
    """A name or password that cannot be used, or a user that does not exist."""


def _scrypt(password: str, salt: bytes, params: str) -> bytes:
    kind, _, rest = params.partition(":")
    if kind != "scrypt":
        raise UserError(f"unknown password hash '{kind}'")
    p = {k: int(v) for k, v in (item.split("=") for item in rest.split(","))}
    return hashlib.scrypt(password.encode(), salt=salt, n=p["n"], r=p["r"], p=p["p"],
                          maxmem=256 * p["n"] * p["r"] + 2**20, dklen=32)


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise UserError(f"user name '{name[:64]}': use 1-64 letters, digits and . _ @ -, "
                        "starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"password too long: at most {MAX_PASSWORD} characters")
    return password


def add_user(conn, name: str, password: str, now: dt.datetime) -> bool:
    """Create NAME, or set a new password when it exists; True when it was created."""
    check_name(name)
    check_password(password)
    salt = secrets.token_bytes(16)
    row = {"salt": salt, "hash": _scrypt(password, salt, PARAMS), "params": PARAMS}
    t = schema.users
    if conn.execute(sa.select(t.c.name).where(t.c.name == name)).first():
        conn.execute(t.update().where(t.c.name == name).values(**row))
        return False
    conn.execute(t.insert().values(name=name, created_at=now, **row))
    return True


def remove_user(conn, name: str) -> None:
    t = schema.users
    if conn.execute(t.delete().where(t.c.name == name)).rowcount == 0:
        raise UserError(f"no user '{name[:64]}'")


def verify(conn, name: str, password: str) -> bool:
    """True when NAME exists and the password is its own. An unknown name costs as much
    time as a wrong password."""
    if len(password) > MAX_PASSWORD:
        return False
    t = schema.users
    row = conn.execute(sa.select(t).where(t.c.name == name[:64])).mappings().first()
    if row is None:
        _scrypt(password, _DUMMY_SALT, PARAMS)
        return False
    return hmac.compare_digest(_scrypt(password, bytes(row["salt"]), row["params"]),
                               bytes(row["hash"]))


def user_names(conn) -> list[str]:
    t = schema.users
    return list(conn.execute(sa.select(t.c.name).order_by(t.c.name)).scalars())


def exists(conn, name: str) -> bool:
    t = schema.users
    return conn.execute(sa.select(t.c.name).where(t.c.name == name)).first() is not None
