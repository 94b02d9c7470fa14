# Security team: read-only view of the Vault configuration (used by the Sextant cockpit too).

path "sys/policies/acl" {
  capabilities = ["list"]
}

path "sys/policies/acl/*" {
  capabilities = ["read", "list"]
}

path "sys/auth" {
  capabilities = ["read"]
}

path "sys/mounts" {
  capabilities = ["read"]
}

path "auth/+/role/*" {
  capabilities = ["read", "list"]
}

path "auth/token/roles/*" {
  capabilities = ["read", "list"]
}

path "identity/entity/*" {
  capabilities = ["read", "list"]
}

path "identity/group/*" {
  capabilities = ["read", "list"]
}

path "sys/capabilities" {
  capabilities = ["update"]
}

path "sys/capabilities-accessor" {
  capabilities = ["update"]
}
