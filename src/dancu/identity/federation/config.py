"""The upstream provider's configuration, from ``DANCU_UPSTREAM_*`` variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dancu.core.config import ConfigError, env_str
from dancu.identity.levels import ACR_LEVEL1, ACR_LEVEL2, LEVEL_BY_ACR

__all__ = ["UpstreamConfig", "upstream_config"]


@dataclass(frozen=True, slots=True)
class UpstreamConfig:
    issuer: str
    client_id: str
    client_secret: str
    private_key_pem: str
    name: str
    scope: str
    acr_map: dict[str, str]

    def local_acr(self, upstream_acr: str) -> str:
        """Our ``acr`` for the upstream's, or "" when the upstream's level is not one we know."""
        return self.acr_map.get(upstream_acr, "")

    def upstream_acr_for_level(self, level: int) -> list[str]:
        """The upstream's ``acr`` values that stand for at least ``level`` of ours."""
        return [up for up, ours in self.acr_map.items() if LEVEL_BY_ACR.get(ours, 0) >= level]


_UNSET = "-"


def _acr_map(raw: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in raw.split(","):
        if not pair.strip():
            continue
        upstream, sep, ours = pair.partition("=")
        if not sep or ours.strip() not in LEVEL_BY_ACR:
            raise ConfigError(f"DANCU_UPSTREAM_ACR_MAP: {pair!r} is not upstream-acr=one of {sorted(LEVEL_BY_ACR)}")
        mapping[upstream.strip()] = ours.strip()
    return mapping


def upstream_config() -> UpstreamConfig | None:
    """The configured upstream, or None when federation is off."""
    issuer = env_str("DANCU_UPSTREAM_ISSUER", "-")
    if issuer == "-":
        return None
    secret = env_str("DANCU_UPSTREAM_CLIENT_SECRET", _UNSET)
    key_file = env_str("DANCU_UPSTREAM_PRIVATE_KEY_FILE", "-")
    private_key = ""
    if key_file != "-":
        try:
            private_key = Path(key_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"DANCU_UPSTREAM_PRIVATE_KEY_FILE={key_file!r}: cannot read ({exc})") from exc
    if secret == _UNSET and not private_key:
        raise ConfigError(
            "DANCU_UPSTREAM_ISSUER is set: set DANCU_UPSTREAM_CLIENT_SECRET or DANCU_UPSTREAM_PRIVATE_KEY_FILE"
        )
    return UpstreamConfig(
        issuer=issuer.rstrip("/"),
        client_id=env_str("DANCU_UPSTREAM_CLIENT_ID"),
        client_secret="" if secret == _UNSET else secret,
        private_key_pem=private_key,
        name=env_str("DANCU_UPSTREAM_NAME", "VNeID"),
        scope=env_str("DANCU_UPSTREAM_SCOPE", "openid profile birthdate personal_id"),
        acr_map=_acr_map(env_str("DANCU_UPSTREAM_ACR_MAP", f"{ACR_LEVEL1}={ACR_LEVEL1},{ACR_LEVEL2}={ACR_LEVEL2}")),
    )
