"""Password hashing: Argon2id at OWASP's minimum cost (m = 19 MiB, t = 2, p = 1).

Django's default Argon2 parameters (100 MiB, 8 lanes) cost several times more per login on a
2-core machine without a matching security gain at this memory size; see REFERENCES.md.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
