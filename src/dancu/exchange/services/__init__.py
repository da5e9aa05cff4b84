"""The gateway's services, one module each: each checks the policy, reads the register and
writes the call's audit entry in one transaction, and returns the exact response bytes."""
