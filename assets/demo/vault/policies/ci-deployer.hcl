# CI pipeline of platform/northwind-fleet (JWT role auth/jwt/role/ci-deployer).
# Added 2026-08 so the pipeline can "self-service" Vault policies stored in the fleet repo
# (vault/policies/*.hcl are applied by the release job).

# Deploy-time secrets the pipeline needs (registry pull config, signing config).
path "secret/data/ci/*" {
  capabilities = ["read"]
}

# Apply the policies kept in Git.
path "sys/policies/acl/*" {
  capabilities = ["create", "read", "update", "list"]
}

path "sys/policies/acl" {
  capabilities = ["list"]
}

# Keep the pipeline's own login role in sync with Git (bound_claims, TTLs).
path "auth/jwt/role/ci-deployer" {
  capabilities = ["read", "update"]
}

# Create per-team AppRole secret IDs for deploy jobs.
path "auth/approle/role/+/secret-id" {
  capabilities = ["update"]
}
