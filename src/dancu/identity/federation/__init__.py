"""Upstream e-ID federation: log citizens in through an upstream OpenID Connect provider
(VNeID nationally; another Dancu in tests and demos) and pass its level through as our ``acr``.

Configured by environment variables (read when used, so no restart is needed in tests):

- ``DANCU_UPSTREAM_ISSUER`` — the upstream's issuer URL (unset: no federation);
- ``DANCU_UPSTREAM_CLIENT_ID`` and ``DANCU_UPSTREAM_CLIENT_SECRET`` (or ``..._FILE``) for
  ``client_secret_basic``, or ``DANCU_UPSTREAM_PRIVATE_KEY_FILE`` (a PEM) for ``private_key_jwt``;
- ``DANCU_UPSTREAM_NAME`` — the button label (default ``VNeID``);
- ``DANCU_UPSTREAM_SCOPE`` — default ``openid profile birthdate personal_id``;
- ``DANCU_UPSTREAM_ACR_MAP`` — ``upstream-acr=our-acr`` pairs, comma-separated (default: the
  upstream speaks Dancu's own ``urn:dancu:eid:level1``/``level2``).
"""
