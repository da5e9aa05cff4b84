"""The OpenID Connect provider: discovery, JWKS, authorization, token, userinfo, logout."""
