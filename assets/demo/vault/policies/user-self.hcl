# Personal scratch space for humans who log in with OIDC.
path "secret/data/users/{{identity.entity.id}}/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret/metadata/users/{{identity.entity.id}}/*" {
  capabilities = ["list", "read", "delete"]
}

path "secret/metadata/users/" {
  capabilities = ["list"]
}
