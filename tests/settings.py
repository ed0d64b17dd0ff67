"""Test settings: the product's settings with tasks run inline and a fast password hasher.

Argon2 stays the production hasher (tests/core/test_auth.py checks it); tests create many users and
would spend most of their time hashing otherwise.
"""

import os

from sohoa.settings import *  # noqa: F403
from sohoa.settings import HUEY, PASSWORD_HASHERS

HUEY = {**HUEY, "immediate": True}
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# No persistent connections: the live server's thread would keep the test database busy at teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# One index per xdist worker: Tantivy allows one writer per index directory.
SEARCH_INDEX_DIR = DATA_DIR / f"index-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"  # noqa: F405
